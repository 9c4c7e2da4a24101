"""What waits on an institution, as one list: the inbox query, in one place.

Three kinds of work wait on an institution's staff: activations to issue a code for, business
applications to confirm and profile reviews (personal information, photo) to decide. Each has a
deadline; the clerk wants them in one list, overdue and near-deadline first, filtered by kind and
urgency, a page at a time. The portal's inbox and ``GET /api/v1/institution/inbox/items`` both
read it here, so the two never disagree.

One ``UNION ALL`` over the three tables (each leg on its (institution, state) index) is sorted
and cut in the database: a page of an inbox of 10,000 items never loads the other 9,980.

An activation's deadline lives in its workflow (30 days from when the qualification record
matched) and is not stored; the list uses sign-up + 30 days, the earliest it can be, so an
activation is never shown later than it is due. Its page reads the workflow's own deadline.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import DateTime, String, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from registry.activation import ACTIVATION_WINDOW, ActivationState
from registry.application_types import ApplicationState
from registry.models import Account, Application, ProfileReview
from registry.reviews import ReviewState

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Due within this long: shown as near its deadline.
DUE_SOON = timedelta(days=3)


class InboxKind(StrEnum):
    activation = "activation"
    application = "application"
    personal_info = "personal_info"
    photo = "photo"


class Urgency(StrEnum):
    overdue = "overdue"
    due_soon = "due_soon"
    on_time = "on_time"


class InboxSort(StrEnum):
    deadline = "deadline"  # soonest (overdue) first
    deadline_desc = "-deadline"
    since = "since"  # waiting longest first
    since_desc = "-since"


@dataclass(frozen=True)
class InboxQuery:
    kind: InboxKind | None = None
    urgency: Urgency | None = None
    sort: InboxSort = InboxSort.deadline
    page: int = 1
    size: int = PAGE_SIZE


@dataclass(frozen=True)
class InboxRow:
    """One item: what it is (``kind`` and ``ref``: account id, application number or review
    id), whom it concerns, since when it waits and by when it must be done."""

    kind: InboxKind
    ref: str
    account_id: int
    since: datetime
    deadline: datetime | None

    def urgency(self, now: datetime) -> Urgency:
        return urgency_of(self.deadline, now)


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def urgency_of(deadline: datetime | None, now: datetime) -> Urgency:
    if deadline is None or deadline > now + DUE_SOON:
        return Urgency.on_time
    return Urgency.overdue if deadline <= now else Urgency.due_soon


class _PlusDays(FunctionElement):
    """``moment`` + a number of days, in each database's own words."""

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(_PlusDays)
def _plus_days_pg(element, compiler, **kw):
    moment, days = list(element.clauses)
    return f"({compiler.process(moment, **kw)} + make_interval(days => {days.value}))"


@compiles(_PlusDays, "sqlite")
def _plus_days_sqlite(element, compiler, **kw):
    moment, days = list(element.clauses)
    return f"datetime({compiler.process(moment, **kw)}, '+{days.value} days')"


def _legs(institution_code: str):
    """The three kinds of waiting work of one institution, with the same columns."""
    kind, ref = "kind", "ref"
    activations = select(
        literal(InboxKind.activation.value, String).label(kind),
        func.cast(Account.id, String).label(ref),
        Account.id.label("account_id"),
        Account.created_at.label("since"),
        _PlusDays(Account.created_at, literal(ACTIVATION_WINDOW.days)).label("deadline"),
    ).where(
        Account.institution_code == institution_code,
        Account.activation_state == ActivationState.awaiting_institution,
    )
    applications = select(
        literal(InboxKind.application.value, String).label(kind),
        Application.application_no.label(ref),
        Application.account_id.label("account_id"),
        Application.created_at.label("since"),
        Application.step_deadline.label("deadline"),
    ).where(
        Application.institution_code == institution_code,
        Application.state == ApplicationState.awaiting_institution,
        Application.application_no.is_not(None),
    )
    reviews = select(
        ProfileReview.kind.label(kind),
        func.cast(ProfileReview.id, String).label(ref),
        ProfileReview.account_id.label("account_id"),
        ProfileReview.created_at.label("since"),
        ProfileReview.deadline.label("deadline"),
    ).where(
        ProfileReview.institution_code == institution_code,
        ProfileReview.state == ReviewState.awaiting_institution,
    )
    return union_all(applications, activations, reviews).subquery("inbox")


def _conditions(inbox, query: InboxQuery, now: datetime) -> list[ColumnElement]:
    conditions = []
    if query.kind is not None:
        conditions.append(inbox.c.kind == query.kind.value)
    soon = now + DUE_SOON
    if query.urgency == Urgency.overdue:
        conditions.append(inbox.c.deadline <= now)
    elif query.urgency == Urgency.due_soon:
        conditions += [inbox.c.deadline > now, inbox.c.deadline <= soon]
    elif query.urgency == Urgency.on_time:
        conditions.append((inbox.c.deadline > soon) | inbox.c.deadline.is_(None))
    return conditions


def _order(inbox, sort: InboxSort) -> list:
    column = inbox.c.since if sort in (InboxSort.since, InboxSort.since_desc) else inbox.c.deadline
    first = column.desc() if sort.value.startswith("-") else column.asc()
    return [column.is_(None), first, inbox.c.kind, inbox.c.ref]


async def waiting(
    session: AsyncSession, institution_code: str, query: InboxQuery, now: datetime | None = None
) -> InboxPage:
    """One page of what waits on the institution, and how many items match in all."""
    now = now or datetime.now(UTC)
    size = max(1, min(query.size, MAX_PAGE_SIZE))
    inbox = _legs(institution_code)
    conditions = _conditions(inbox, query, now)
    total = await session.scalar(select(func.count()).select_from(inbox).where(*conditions))
    pages = max(1, -(-(total or 0) // size))
    page = max(1, min(query.page, pages))
    rows = await session.execute(
        select(inbox)
        .where(*conditions)
        .order_by(*_order(inbox, query.sort))
        .limit(size)
        .offset((page - 1) * size)
    )
    return InboxPage([_row(*r) for r in rows], total or 0, page, size)


def _row(kind, ref, account_id, since, deadline) -> InboxRow:
    return InboxRow(InboxKind(kind), ref, account_id, _utc(since), _utc(deadline))


def _utc(moment) -> datetime | None:
    """SQLite hands moments back as naive UTC (and a computed one as text)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
