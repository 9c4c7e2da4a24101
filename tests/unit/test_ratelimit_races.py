"""The limits under parallel requests (issue #19): every attempt of a burst runs in a session
of its own, all started together, on the real database (SQLite, or PostgreSQL with
``EREG_TEST_DATABASE=postgresql``). Counting and deciding are one statement, so a burst gets no
more tries than a patient attacker."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from registry import ratelimit, security
from registry.activation import Channel
from registry.db import get_sessionmaker
from registry.errors import DomainError
from registry.models import Account, ContactCode
from registry.security import ContactCodePurpose

FIVE = ratelimit.Limit("race", 5, timedelta(hours=1))
SECRET = "race-secret-" + "z" * 32
RESET = ContactCodePurpose.password_reset


async def _hit(settings) -> str:
    async with get_sessionmaker(settings.database_url)() as session:
        try:
            await ratelimit.hit(session, FIVE, "burst")
            return "passed"
        except DomainError as error:
            return error.code
        finally:
            await session.commit()


async def test_a_burst_passes_no_more_than_the_budget(settings):
    outcomes = Counter(await asyncio.gather(*(_hit(settings) for _ in range(30))))
    assert outcomes == {"passed": 5, "rate_limited": 25}
    async with get_sessionmaker(settings.database_url)() as session:
        assert await ratelimit.attempts_of(session, FIVE, "burst") == 30


async def _issue(settings) -> tuple[int, str]:
    """A pending reset code for a demo account: (account id, the code)."""
    async with get_sessionmaker(settings.database_url)() as session:
        account_id = await session.scalar(select(Account.id).where(Account.username == "operator"))
        issued = await security.issue(
            session, SECRET, account_id, RESET, Channel.sms, None, datetime.now(UTC)
        )
        await session.commit()
    return account_id, security.code_for(SECRET, issued.row_id, issued.nonce)


async def _redeem(settings, account_id: int, code: str) -> str:
    async with get_sessionmaker(settings.database_url)() as session:
        try:
            await security.redeem(
                session, SECRET, account_id, RESET, code, datetime.now(UTC), channel=Channel.sms
            )
            await session.commit()
            return "accepted"
        except DomainError as error:
            await session.rollback()
            return error.code


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def test_a_burst_of_wrong_codes_counts_five_and_locks(settings):
    account_id, code = await _issue(settings)
    outcomes = await asyncio.gather(
        *(_redeem(settings, account_id, _wrong(code)) for _ in range(50))
    )
    counted = Counter(outcomes)
    assert counted["code_incorrect"] == 4 and counted["code_locked"] == 46, counted
    # The lock holds for the right code too.
    assert await _redeem(settings, account_id, code) == "code_locked"
    async with get_sessionmaker(settings.database_url)() as session:
        row = await session.scalar(select(ContactCode).where(ContactCode.account_id == account_id))
    assert row.attempts == 0 and security.aware(row.locked_until) > datetime.now(UTC)


async def test_a_right_code_racing_wrong_ones_is_answered_never_an_error(settings):
    account_id, code = await _issue(settings)
    guesses = [_wrong(code)] * 19 + [code]
    outcomes = Counter(await asyncio.gather(*(_redeem(settings, account_id, c) for c in guesses)))
    assert set(outcomes) <= {"accepted", "code_incorrect", "code_locked", "code_not_sent"}
    assert outcomes["code_incorrect"] <= 4  # the fifth wrong one locks
    assert outcomes["accepted"] <= 1
