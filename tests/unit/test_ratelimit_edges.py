"""The limits' edges (registry/ratelimit.py): what Retry-After says, a peek at a subject never
seen or whose window has passed, and windows kept in UTC on a server on China local time."""

from datetime import UTC, datetime, timedelta

import pytest

from registry import ratelimit
from registry.db import get_sessionmaker
from registry.errors import DomainError

HOURLY = ratelimit.Limit("edges", 2, timedelta(hours=1))
BRIEF = ratelimit.Limit("edges-brief", 1, timedelta(seconds=1))


@pytest.mark.parametrize(
    ("left", "retry_after"),
    [
        (timedelta(seconds=10.5), 11),  # the whole seconds left, rounded up
        (timedelta(seconds=10), 11),  # a client retrying on the dot must not be early
        (timedelta(seconds=0.3), 1),
        (timedelta(seconds=-5), 1),  # a window just over still says "in a second", not 0
    ],
)
def test_retry_after_is_the_seconds_left_rounded_up(left, retry_after):
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    refusal = ratelimit._refusal(HOURLY, now + left - HOURLY.window, now)
    assert (refusal.code, refusal.params) == ("rate_limited", {"retry_after": retry_after})


async def test_a_peek_refuses_only_a_live_spent_budget(settings):
    async with get_sessionmaker(settings.database_url)() as session:
        await ratelimit.check(session, HOURLY, "never-seen")  # no counter: nothing to refuse
        await ratelimit.hit(session, BRIEF, "spent")
        await session.commit()
        with pytest.raises(DomainError):
            await ratelimit.check(session, BRIEF, "spent")
        counter = await session.get(ratelimit.RateCounter, ratelimit._key(BRIEF, "spent"))
        counter.window_start = datetime.now(UTC) - timedelta(seconds=2)  # the window passed
        await session.commit()
        await ratelimit.check(session, BRIEF, "spent")  # spent, but in a window that is over


async def test_windows_are_kept_in_utc_on_a_server_on_china_local_time(settings, china_local_time):
    async with get_sessionmaker(settings.database_url)() as session:
        for _ in range(HOURLY.attempts):
            await ratelimit.hit(session, HOURLY, "local")
        with pytest.raises(DomainError) as refused:
            await ratelimit.hit(session, HOURLY, "local")
    assert 3500 < refused.value.params["retry_after"] <= 3601  # an hour, not nine
