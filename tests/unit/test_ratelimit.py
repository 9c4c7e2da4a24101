"""Rate limits in the database: a budget per window, shared by every process."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry import ratelimit
from registry.db import get_sessionmaker
from registry.errors import DomainError
from registry.models import RateCounter

TEN_PER_HOUR = ratelimit.Limit("test", 10, timedelta(hours=1))


async def test_budget_then_refusal_with_retry_after(settings):
    async with get_sessionmaker(settings.database_url)() as session:
        for _ in range(10):
            await ratelimit.hit(session, TEN_PER_HOUR, "account:1")
            await session.commit()
        with pytest.raises(DomainError) as refused:
            await ratelimit.hit(session, TEN_PER_HOUR, "account:1")
        assert refused.value.code == "rate_limited"
        assert 3500 < refused.value.params["retry_after"] <= 3601
        await ratelimit.hit(session, TEN_PER_HOUR, "account:2")  # another subject is unaffected


async def test_window_expires(settings):
    short = ratelimit.Limit("short", 1, timedelta(seconds=1))
    async with get_sessionmaker(settings.database_url)() as session:
        await ratelimit.hit(session, short, "x")
        await session.commit()
        with pytest.raises(DomainError):
            await ratelimit.check(session, short, "x")
        await asyncio.sleep(1.1)
        await ratelimit.hit(session, short, "x")


async def test_keys_are_hashed(settings):
    async with get_sessionmaker(settings.database_url)() as session:
        await ratelimit.hit(session, TEN_PER_HOUR, "zhangwei_login")
        await session.commit()
        keys = list(await session.scalars(select(RateCounter.key)))
    assert keys and all("zhangwei" not in key for key in keys)


async def test_reset_clears_the_count(settings):
    one = ratelimit.Limit("one", 1, timedelta(hours=1))
    async with get_sessionmaker(settings.database_url)() as session:
        await ratelimit.hit(session, one, "u")
        await ratelimit.reset(session, one, "u")
        await ratelimit.hit(session, one, "u")


async def test_the_attempts_counted_start_at_none_and_grow_by_one(settings):
    """What support reads for an account (``attempts_of``): none before the first try."""
    async with get_sessionmaker(settings.database_url)() as session:
        assert await ratelimit.attempts_of(session, TEN_PER_HOUR, "never-tried") == 0
        await ratelimit.hit(session, TEN_PER_HOUR, "tried")
        await ratelimit.hit(session, TEN_PER_HOUR, "tried")
        assert await ratelimit.attempts_of(session, TEN_PER_HOUR, "tried") == 2
