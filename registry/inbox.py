"""What waits on an institution, as one list: the inbox query, in one place.

Three kinds of work wait on an institution's staff: activations to issue a code for, business
applications to confirm and profile reviews (personal information, photo) to decide. Each has a
deadline; the clerk wants them in one list, overdue and near-deadline first, filtered by kind and
urgency, a page at a time. The portal's inbox and ``GET /api/v1/institution/inbox/items`` both
read it here, so the two never disagree.

One ``UNION ALL`` over the three tables, sorted and cut in the database: each leg gives only
its first ``page × size`` rows in the page's order, read from its (institution, state,
deadline) index (migration 0014), so a page of an inbox of 10,000 items sorts a few dozen rows,
not 10,000, and never loads the others.

An activation's deadline lives in its workflow (30 days from when the qualification record
matched) and is not stored; the list uses sign-up + 30 days, the earliest it can be, so an
activation is never shown later than it is due. Its page reads the workflow's own deadline.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import DateTime, Select, String, func, literal, select, union_all
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
    name: str | None = None  # the physician's, for the caller to mask
    type: str | None = None  # an application's type

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


@dataclass(frozen=True)
class _Leg:
    """One kind of waiting work: its rows, and the columns its deadline and age are read from
    (for an activation, sign-up: its deadline is sign-up + 30 days)."""

    kinds: tuple[InboxKind, ...]
    query: Select
    deadline_key: ColumnElement
    since_key: ColumnElement
    shift: timedelta = timedelta(0)  # deadline = deadline_key + shift


def _legs(institution_code: str) -> list[_Leg]:
    """The three kinds of waiting work of one institution, with the same columns; each leg is
    served by its (institution, state, deadline) index."""
    kind, ref = "kind", "ref"
    activations = select(
        literal(InboxKind.activation.value, String).label(kind),
        func.cast(Account.id, String).label(ref),
        Account.id.label("account_id"),
        Account.created_at.label("since"),
        _PlusDays(Account.created_at, literal(ACTIVATION_WINDOW.days)).label("deadline"),
        Account.name.label("name"),
        literal(None, String).label("type"),
    ).where(
        Account.institution_code == institution_code,
        Account.activation_state == ActivationState.awaiting_institution,
    )
    applications = (
        select(
            literal(InboxKind.application.value, String).label(kind),
            Application.application_no.label(ref),
            Application.account_id.label("account_id"),
            Application.created_at.label("since"),
            Application.step_deadline.label("deadline"),
            Account.name.label("name"),
            Application.type.label("type"),
        )
        .join(Account, Account.id == Application.account_id, isouter=True)
        .where(
            Application.institution_code == institution_code,
            Application.state == ApplicationState.awaiting_institution,
            Application.application_no.is_not(None),
        )
    )
    reviews = (
        select(
            ProfileReview.kind.label(kind),
            func.cast(ProfileReview.id, String).label(ref),
            ProfileReview.account_id.label("account_id"),
            ProfileReview.created_at.label("since"),
            ProfileReview.deadline.label("deadline"),
            Account.name.label("name"),
            literal(None, String).label("type"),
        )
        .join(Account, Account.id == ProfileReview.account_id)
        .where(
            ProfileReview.institution_code == institution_code,
            ProfileReview.state == ReviewState.awaiting_institution,
        )
    )
    return [
        _Leg((InboxKind.application,), applications, Application.step_deadline,
             Application.created_at),
        _Leg((InboxKind.activation,), activations, Account.created_at, Account.created_at,
             ACTIVATION_WINDOW),
        _Leg((InboxKind.personal_info, InboxKind.photo), reviews, ProfileReview.deadline,
             ProfileReview.created_at),
    ]  # fmt: skip


def _leg_conditions(leg: _Leg, query: InboxQuery, now: datetime) -> list[ColumnElement] | None:
    """The query's filters on one leg, on its own columns (so its index serves them); None:
    the leg holds nothing of the kind asked for."""
    if query.kind is not None and query.kind not in leg.kinds:
        return None
    conditions = []
    if query.kind is not None and len(leg.kinds) > 1:
        conditions.append(ProfileReview.kind == query.kind.value)
    due, soon = now - leg.shift, now + DUE_SOON - leg.shift
    key = leg.deadline_key
    if query.urgency == Urgency.overdue:
        conditions.append(key <= due)
    elif query.urgency == Urgency.due_soon:
        conditions += [key > due, key <= soon]
    elif query.urgency == Urgency.on_time:
        conditions.append((key > soon) | key.is_(None))
    return conditions


def _leg_order(leg: _Leg, sort: InboxSort):
    """The leg's rows in the merged order (:func:`_order`), items without a deadline last in
    either direction: SQLite sorts NULL first going up, PostgreSQL first going down, and a leg
    cut in another order than the merge's would drop rows the page should show."""
    key = leg.since_key if sort in (InboxSort.since, InboxSort.since_desc) else leg.deadline_key
    return (key.desc() if sort.value.startswith("-") else key.asc()).nulls_last()


def _order(inbox, sort: InboxSort) -> list:
    column = inbox.c.since if sort in (InboxSort.since, InboxSort.since_desc) else inbox.c.deadline
    first = column.desc() if sort.value.startswith("-") else column.asc()
    return [column.is_(None), first, inbox.c.kind, inbox.c.ref]


async def waiting(
    session: AsyncSession, institution_code: str, query: InboxQuery, now: datetime | None = None
) -> InboxPage:
    """One page of what waits on the institution, and how many items match in all.

    Each leg is counted on its own and gives only its first ``page × size`` rows in the page's
    order (an index range, not a sort of everything); the page is cut from their union.
    """
    now = now or datetime.now(UTC)
    size = max(1, min(query.size, MAX_PAGE_SIZE))
    legs = [(leg, _leg_conditions(leg, query, now)) for leg in _legs(institution_code)]
    legs = [(leg, conditions) for leg, conditions in legs if conditions is not None]
    total = 0
    for leg, conditions in legs:
        counted = select(func.count()).select_from(leg.query.where(*conditions).subquery())
        total += await session.scalar(counted) or 0
    pages = max(1, -(-total // size))
    page = max(1, min(query.page, pages))
    if not legs:
        return InboxPage([], 0, 1, size)
    keep = page * size
    parts = [
        select(
            leg.query.where(*conditions)
            .order_by(_leg_order(leg, query.sort))
            .limit(keep)
            .subquery()
        )  # fmt: skip
        for leg, conditions in legs
    ]
    inbox = union_all(*parts).subquery("inbox")
    rows = await session.execute(
        select(inbox).order_by(*_order(inbox, query.sort)).limit(size).offset((page - 1) * size)
    )
    return InboxPage([_row(*r) for r in rows], total, page, size)


def _row(kind, ref, account_id, since, deadline, name, type_) -> InboxRow:
    return InboxRow(InboxKind(kind), ref, account_id, _utc(since), _utc(deadline), name, type_)


def _utc(moment) -> datetime | None:
    """SQLite hands moments back as naive UTC (and a computed one as text)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
