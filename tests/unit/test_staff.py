"""Staff, officer and operator accounts (``registry/staff.py``): what an account is given when
it is created (which institution or commission, whose username), what is refused, who is
deactivated, and how every sign-in of an account ends at once. On a copy of the migrated,
seeded database."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from registry import staff
from registry.errors import DomainError
from registry.models import Account, RefreshToken, WebSession
from registry.passwords import verify_password
from registry.roles import Role
from tests.unit.test_batches import session, template  # noqa: F401 (fixtures)

# ruff: noqa: F811 (a test names the imported fixture ``session``)

HUNAN = "H4301020001"
PASSWORD = "Zhang2026pass"


async def created(session, role, username="new_clerk", institution=None, commission=None):
    account_id = await staff.create_staff(
        session, role, username, PASSWORD, institution, commission
    )
    return await session.get(Account, account_id)


async def refused(session, role, username="new_clerk", password=PASSWORD, **codes) -> str:
    with pytest.raises(DomainError) as refusal:
        await staff.create_staff(
            session,
            role,
            username,
            password,
            codes.get("institution"),
            codes.get("commission"),
        )
    return refusal.value.code


@pytest.mark.parametrize("role", [Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN])
async def test_an_institutions_staff_belong_to_it_and_to_no_commission(session, role):
    account = await created(session, role, "New_Clerk", institution=HUNAN, commission="430000")
    assert (account.role, account.institution_code, account.commission_code) == (role, HUNAN, None)
    assert account.username == "new_clerk"  # usernames are kept in lower case
    assert verify_password(account.password_hash, PASSWORD)
    assert account.password_hash != PASSWORD


@pytest.mark.parametrize("role", [Role.COMMISSION_OFFICER, Role.COMMISSION_ADMIN])
async def test_a_commissions_officers_belong_to_it_and_to_no_institution(session, role):
    account = await created(session, role, institution=HUNAN, commission="430000")
    assert (account.role, account.institution_code, account.commission_code) == (
        role,
        None,
        "430000",
    )


async def test_an_operator_belongs_to_no_institution_or_commission(session):
    account = await created(session, Role.OPERATOR, institution=HUNAN, commission="430000")
    assert (account.role, account.institution_code, account.commission_code) == (
        Role.OPERATOR,
        None,
        None,
    )


@pytest.mark.parametrize("role", [Role.PHYSICIAN, "superuser"])
async def test_only_staff_roles_are_given(session, role):
    with pytest.raises(DomainError) as refusal:
        await staff.create_staff(session, role, "new_clerk", PASSWORD, HUNAN, None)
    assert refusal.value.code == "invalid_request"
    assert "role must be one of" in refusal.value.message("en")
    assert "institution_admin" in refusal.value.message("en")


@pytest.mark.parametrize("role", [Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN])
@pytest.mark.parametrize("code", [None, "", "H9999999999"])
async def test_an_institution_account_needs_an_institution_that_exists(session, role, code):
    assert await refused(session, role, institution=code, commission="430000") == (
        "institution_not_found"
    )


@pytest.mark.parametrize("role", [Role.COMMISSION_OFFICER, Role.COMMISSION_ADMIN])
@pytest.mark.parametrize("code", [None, "", "999999"])
async def test_an_officer_needs_a_commission_that_exists(session, role, code):
    assert await refused(session, role, institution=HUNAN, commission=code) == (
        "commission_not_found"
    )


async def test_a_taken_username_a_bad_one_or_a_weak_password_is_refused(session):
    assert await refused(session, Role.OPERATOR, username="no spaces") == "username_invalid"
    assert await refused(session, Role.OPERATOR, password="short1") == "password_weak"
    assert await session.scalar(select(Account.id).where(Account.username == "new_clerk")) is None
    assert await refused(session, Role.OPERATOR, username="Staff_Hunan") == "username_taken"


async def test_only_a_staff_account_is_deactivated(session):
    clerk = await created(session, Role.INSTITUTION_STAFF, institution=HUNAN)
    assert not staff.is_deactivated(clerk)
    clerk.activation_state = staff.DEACTIVATED
    assert staff.is_deactivated(clerk)
    physician = Account(role=Role.PHYSICIAN, activation_state=staff.DEACTIVATED)
    assert not staff.is_deactivated(physician)  # a physician's states are activation's


async def test_ending_sessions_ends_every_sign_in_of_that_account_only(session):
    clerk = await created(session, Role.INSTITUTION_STAFF, "clerk_a", institution=HUNAN)
    other = await created(session, Role.INSTITUTION_STAFF, "clerk_b", institution=HUNAN)
    later = datetime.now(UTC) + timedelta(hours=1)
    for n, account in enumerate((clerk, clerk, other)):
        session.add(
            WebSession(
                token_hash=f"s{n}",
                account_id=account.id,
                token_version=0,
                csrf_secret="c",
                expires_at=later,
            )
        )
        session.add(RefreshToken(jti=f"r{n}", account_id=account.id, expires_at=later))
    await session.flush()
    assert clerk.token_version in (None, 0)
    await staff.end_sessions(session, clerk)
    assert clerk.token_version == 1
    await staff.end_sessions(session, clerk)
    assert clerk.token_version == 2
    for model in (WebSession, RefreshToken):
        left = dict(
            (
                await session.execute(
                    select(model.account_id, func.count()).group_by(model.account_id)
                )
            ).all()
        )
        assert left == {other.id: 1}
