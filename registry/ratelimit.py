"""Fixed-window rate limits kept in the database, so every API process shares them.

Keys are hashed: a username or a client address never lands in the table as it was typed.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
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


async def _counter(session: AsyncSession, key: str, now: datetime, window: timedelta):
    counter = await session.get(RateCounter, key, with_for_update=True)
    if counter is not None and _as_utc(counter.window_start) + window <= now:
        counter.window_start, counter.count = now, 0
    return counter


async def check(session: AsyncSession, limit: Limit, subject: str) -> None:
    """Refuse (429 with Retry-After) when ``subject`` used up its attempts in this window."""
    now = datetime.now(UTC)
    counter = await _counter(session, _key(limit, subject), now, limit.window)
    if counter is not None and counter.count >= limit.attempts:
        retry = _as_utc(counter.window_start) + limit.window - now
        raise DomainError("rate_limited", {"retry_after": max(1, int(retry.total_seconds()) + 1)})


async def count(session: AsyncSession, limit: Limit, subject: str) -> None:
    """Count one attempt (committed with the caller's transaction)."""
    now = datetime.now(UTC)
    key = _key(limit, subject)
    counter = await _counter(session, key, now, limit.window)
    if counter is None:
        try:
            async with session.begin_nested():
                session.add(RateCounter(key=key, window_start=now, count=1))
            return
        except IntegrityError:  # another process counted the first attempt at the same time
            counter = await _counter(session, key, now, limit.window)
    counter.count += 1


async def reset(session: AsyncSession, limit: Limit, subject: str) -> None:
    await session.execute(delete(RateCounter).where(RateCounter.key == _key(limit, subject)))


async def hit(session: AsyncSession, limit: Limit, subject: str) -> None:
    """Check, then count this attempt."""
    await check(session, limit, subject)
    await count(session, limit, subject)
