"""The account queries the activation workflow and an institution's pages rely on
(``registry/accounts.py``): a commission looked up, an activation state recorded (with the
institution and the moment of activation), the activations waiting on an institution in the
order they arrived, the accounts in one state, and whether a practice record exists. On a copy
of the migrated, seeded database."""

from datetime import UTC, datetime, timedelta

import pytest

from registry import accounts
from registry.activation import ActivationState
from registry.errors import DomainError
from registry.models import Account
from tests.unit.test_batches import id_number, session, template  # noqa: F401 (fixtures)

# ruff: noqa: F811 (a test names the imported fixture ``session``)

HUNAN, WUGANG = "H4301020001", "H4305810001"


async def signed_up(session, state, institution=HUNAN, *, created_at=None) -> Account:
    account = Account(
        username=f"q{id_number()}".lower(),
        password_hash="x",
        role="physician",
        name="李明",
        id_number=id_number(),
        institution_code=institution,
        activation_state=state,
        created_at=created_at or datetime.now(UTC),
    )
    session.add(account)
    await session.flush()
    return account


async def test_a_commission_is_found_by_its_code_and_an_unknown_code_is_not_echoed(session):
    assert (await accounts.get_commission(session, "430581")).name == "武冈市卫生健康局"
    with pytest.raises(DomainError) as refused:
        await accounts.get_commission(session, "999999")
    assert refused.value.code == "commission_not_found"
    assert "999999" not in refused.value.message("en")


async def test_a_username_is_found_whatever_its_case(session):
    clerk = await accounts.get_account_by_username(session, "STAFF_Hunan")
    assert clerk is not None and clerk.institution_code == HUNAN
    assert await accounts.get_account_by_username(session, "nobody") is None


async def test_activation_records_the_state_the_institution_and_the_moment(session):
    account = await signed_up(session, ActivationState.awaiting_institution, WUGANG)
    before = datetime.now(UTC)
    await accounts.set_activation_state(session, account.id, ActivationState.active, HUNAN)
    await session.refresh(account)
    assert (account.activation_state, account.institution_code) == ("active", HUNAN)
    activated = account.activated_at.replace(tzinfo=account.activated_at.tzinfo or UTC)
    assert before - timedelta(seconds=1) <= activated <= datetime.now(UTC)


async def test_another_state_keeps_the_institution_and_sets_no_activation_moment(session):
    account = await signed_up(session, ActivationState.awaiting_verification, WUGANG)
    await accounts.set_activation_state(
        session, account.id, ActivationState.awaiting_institution, None
    )
    await session.refresh(account)
    assert (account.activation_state, account.institution_code) == (
        "awaiting_institution",
        WUGANG,
    )
    assert account.activated_at is None
    other = await signed_up(session, ActivationState.awaiting_verification, WUGANG)
    await accounts.set_activation_state(session, account.id, ActivationState.expired, HUNAN)
    await session.refresh(account)
    await session.refresh(other)
    assert (account.activation_state, account.institution_code) == ("expired", HUNAN)
    assert account.activated_at is None
    assert other.activation_state == "awaiting_verification"  # only the account named


async def test_activations_waiting_on_an_institution_come_oldest_first(session):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    newer = await signed_up(session, ActivationState.awaiting_institution, created_at=start)
    older = await signed_up(
        session, ActivationState.awaiting_institution, created_at=start - timedelta(days=2)
    )
    await signed_up(session, ActivationState.awaiting_institution, WUGANG)  # another's
    await signed_up(session, ActivationState.awaiting_verification)  # not at that step
    waiting = await accounts.pending_activations(session, HUNAN)
    assert [a.id for a in waiting] == [older.id, newer.id]


async def test_accounts_in_a_state_of_one_institution_or_of_all(session):
    hunan = await signed_up(session, ActivationState.awaiting_institution, HUNAN)
    wugang = await signed_up(session, ActivationState.awaiting_institution, WUGANG)
    await signed_up(session, ActivationState.awaiting_verification, HUNAN)
    assert await accounts.accounts_awaiting(
        session, ActivationState.awaiting_institution, HUNAN
    ) == [hunan.id]
    everywhere = await accounts.accounts_awaiting(session, ActivationState.awaiting_institution)
    assert sorted(everywhere) == sorted([hunan.id, wugang.id])
