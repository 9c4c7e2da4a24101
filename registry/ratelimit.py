"""Fixed-window rate limits kept in the database, so every API process shares them.

Keys are hashed: a username or a client address never lands in the table as it was typed.

Counting and deciding are one statement (an upsert that adds one and returns the new count, on
SQLite and PostgreSQL alike): the database serialises concurrent attempts on the row, so twenty
requests arriving in the same millisecond get the counts 1 to 20 and only the first ``attempts``
of them go on. Checking first and counting afterwards let every one of a burst pass the check.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from registry.errors import DomainError
from registry.models import RateCounter


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window: timedelta


LOGIN_FAILURES_PER_USERNAME = Limit("login-user", 5, timedelta(minutes=15))
LOGINS_PER_ADDRESS = Limit("login-addr", 30, timedelta(minutes=5))
CODE_SENDS_PER_ACCOUNT = Limit("code-send", 10, timedelta(hours=1))
SIGNUPS_PER_ADDRESS = Limit("signup-addr", 20, timedelta(hours=1))


def _key(limit: Limit, subject: str) -> str:
    return f"{limit.name}:{hashlib.sha256(subject.encode()).hexdigest()[:64]}"


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def _refusal(limit: Limit, window_start: datetime, now: datetime) -> DomainError:
    retry = _as_utc(window_start) + limit.window - now
    return DomainError("rate_limited", {"retry_after": max(1, int(retry.total_seconds()) + 1)})


def _upsert(session: AsyncSession):
    dialect = session.bind.dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(RateCounter)


async def count(session: AsyncSession, limit: Limit, subject: str) -> tuple[int, datetime]:
    """Count one attempt and return (the attempts in this window so far, its start), in one
    statement. A window that has passed starts again at this attempt."""
    now = datetime.now(UTC)
    expired = RateCounter.window_start <= now - limit.window
    insert = _upsert(session).values(key=_key(limit, subject), window_start=now, count=1)
    statement = insert.on_conflict_do_update(
        index_elements=[RateCounter.key],
        set_={
            "count": case((expired, 1), else_=RateCounter.count + 1),
            "window_start": case((expired, now), else_=RateCounter.window_start),
        },
    ).returning(RateCounter.count, RateCounter.window_start)
    row = (await session.execute(statement)).one()
    return row.count, row.window_start


async def hit(session: AsyncSession, limit: Limit, subject: str) -> None:
    """Count this attempt; refuse it (429 with Retry-After) when it is beyond the budget.
    Committed with the caller's transaction: commit at once so that a refusal still counts."""
    attempts, window_start = await count(session, limit, subject)
    if attempts > limit.attempts:
        raise _refusal(limit, window_start, datetime.now(UTC))


async def check(session: AsyncSession, limit: Limit, subject: str) -> None:
    """Refuse when ``subject`` used up its attempts in this window, without counting (a peek:
    never the gate of an attempt, which ``hit`` is)."""
    now = datetime.now(UTC)
    counter = await session.get(RateCounter, _key(limit, subject))
    live = counter is not None and _as_utc(counter.window_start) + limit.window > now
    if live and counter.count >= limit.attempts:
        raise _refusal(limit, counter.window_start, now)


async def reset(session: AsyncSession, limit: Limit, subject: str) -> None:
    await session.execute(delete(RateCounter).where(RateCounter.key == _key(limit, subject)))


async def attempts_of(session: AsyncSession, limit: Limit, subject: str) -> int:
    """The attempts counted for ``subject`` (in any window): for tests and support."""
    key = _key(limit, subject)
    return await session.scalar(select(RateCounter.count).where(RateCounter.key == key)) or 0
