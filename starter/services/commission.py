"""Commission officers' inbox: applications waiting for the paper documents or under review,
overdue first, each with its deadline and the working days left (``registry.workdays``).

The JSON API's ``GET /commission/inbox`` and the portal's ``/commission`` read the same query.
"""

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry import workdays
from registry.application_types import ApplicationState
from registry.models import Account, Application
from registry.reference import CHINA_TIME
from starter.api.schemas import ApplicationOut
from starter.services import applications

WAITING = (ApplicationState.awaiting_documents, ApplicationState.under_review)
PAGE_SIZE = 20


def _waiting(officer: Account, state: ApplicationState | None):
    return (
        Application.commission_code == officer.commission_code,
        Application.state.in_([state] if state in WAITING else list(WAITING)),
        Application.application_no.is_not(None),
    )


async def waiting(
    session: AsyncSession,
    officer: Account,
    lang: str,
    state: ApplicationState | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ApplicationOut]:
    """Most urgent first: overdue, then by the step's deadline."""
    query = (
        select(Application)
        .where(*_waiting(officer, state))
        .order_by(Application.overdue.desc(), Application.step_deadline, Application.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [applications.application_out(a, officer, lang) for a in await session.scalars(query)]


async def count_waiting(
    session: AsyncSession, officer: Account, state: ApplicationState | None = None
) -> int:
    query = select(func.count()).select_from(Application).where(*_waiting(officer, state))
    return await session.scalar(query) or 0


class InboxLine(BaseModel):
    application: ApplicationOut
    working_days_left: int | None  # negative: that many working days late
    overdue: bool


def working_days_left(deadline: datetime | None, now: datetime | None = None) -> int | None:
    """Working days from today to the deadline's day (China time); negative once past it."""
    if deadline is None:
        return None
    today = (now or datetime.now(UTC)).astimezone(CHINA_TIME).date()
    # A deadline is the end of its last day (00:00 of the next): that last day is the due day.
    due = (deadline.astimezone(CHINA_TIME) - timedelta(microseconds=1)).date()
    if due >= today:
        return workdays.working_days_between(today, due)
    return -workdays.working_days_between(due, today)


def lines(found: list[ApplicationOut], now: datetime | None = None) -> list[InboxLine]:
    now = now or datetime.now(UTC)
    out = []
    for a in found:
        left = working_days_left(a.step_deadline, now)
        late = a.overdue or (a.step_deadline is not None and a.step_deadline < now)
        out.append(InboxLine(application=a, working_days_left=left, overdue=late))
    return out
