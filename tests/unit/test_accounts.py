"""Matching a sign-up against qualification and practice records; creating physician accounts."""

from datetime import date

import pytest
from sqlalchemy import event, false, select, update

from registry.accounts import (
    PhysicianSignup,
    accounts_matching_qualifications,
    create_physician,
    get_account_by_username,
    get_institution,
    match_identity,
)
from registry.activation import ActivationState
from registry.db import get_sessionmaker
from registry.errors import DomainError
from registry.identifiers import id_check_character
from registry.models import Qualification, Registration
from registry.seed import DEMO_PHYSICIANS

REGISTERED = next(p for p in DEMO_PHYSICIANS if p.institution_code)  # 刘洋, at H4301020001
QUALIFIED = DEMO_PHYSICIANS[0]  # 张伟: a qualification, no practice registration
UNKNOWN_ID = "43058119960606333" + id_check_character("43058119960606333")


def session_for(settings):
    return get_sessionmaker(settings.database_url)()


def signup(**changes) -> PhysicianSignup:
    values = {
        "username": "zhangwei",
        "password_hash": "$argon2id$placeholder",
        "name": QUALIFIED.name,
        "id_number": QUALIFIED.id_number,
        "phone": "13800138000",
        "email": "zhangwei@example.com",
        "institution_code": "H4305810001",
        "activation_state": ActivationState.awaiting_verification,
    }
    values.update(changes)
    return PhysicianSignup(**values)


def test_demo_data_has_the_cases_the_tests_need():
    assert REGISTERED.institution_code == "H4301020001"
    assert QUALIFIED.institution_code is None
    assert UNKNOWN_ID not in {p.id_number for p in DEMO_PHYSICIANS}


async def test_registered_physician_gets_the_institution_of_the_registration(settings):
    async with session_for(settings) as session:
        match = await match_identity(session, REGISTERED.name, REGISTERED.id_number, None)
    assert match.found is True
    assert match.institution_code == "H4301020001"
    assert match.province_code == "430000"
    assert match.auto_activate is False


async def test_of_two_active_registrations_the_newest_names_the_institution(settings):
    async with session_for(settings) as session:
        session.add(
            Registration(
                id_number=REGISTERED.id_number, name=REGISTERED.name, level="physician",
                category="clinical", location_code="330000", institution_code="H3305230001",
                registered_on=date(2024, 9, 1),
            )
        )  # fmt: skip
        await session.commit()
        match = await match_identity(session, REGISTERED.name, REGISTERED.id_number, None)
    assert (match.institution_code, match.province_code) == ("H3305230001", "330000")


async def test_institution_chosen_at_sign_up_wins_over_the_registration(settings):
    async with session_for(settings) as session:
        match = await match_identity(session, REGISTERED.name, REGISTERED.id_number, "H3305230001")
    assert match.found is True
    assert match.institution_code == "H3305230001"
    assert match.province_code == "330000"


async def test_qualified_physician_has_no_institution_unless_given(settings):
    async with session_for(settings) as session:
        bare = await match_identity(session, QUALIFIED.name, QUALIFIED.id_number, None)
        chosen = await match_identity(session, QUALIFIED.name, QUALIFIED.id_number, "H4305810001")
    assert bare.found is True
    assert (bare.institution_code, bare.province_code, bare.auto_activate) == (None, None, False)
    assert chosen.found is True
    assert chosen.institution_code == "H4305810001"
    assert chosen.province_code == "430000"
    assert chosen.auto_activate is True  # 武冈市人民医院 activates on its own


@pytest.mark.parametrize("physician", DEMO_PHYSICIANS, ids=lambda p: p.certificate_no)
async def test_every_demo_physician_is_found(settings, physician):
    async with session_for(settings) as session:
        match = await match_identity(session, physician.name, physician.id_number, None)
    assert match.found is True
    assert match.institution_code == physician.institution_code


@pytest.mark.parametrize(
    "name, id_number",
    [
        ("孙悟空", UNKNOWN_ID),  # nobody
        ("刘阳", REGISTERED.id_number),  # right ID, wrong name
        ("李伟", QUALIFIED.id_number),
        (QUALIFIED.name, UNKNOWN_ID),  # right name, wrong ID
        (REGISTERED.name, QUALIFIED.id_number),  # two real people mixed up
    ],
)
async def test_mismatched_identity_is_not_found(settings, name, id_number):
    async with session_for(settings) as session:
        match = await match_identity(session, name, id_number, None)
    assert match.found is False
    assert match.institution_code is None
    assert match.auto_activate is False


async def test_inactive_registration_does_not_supply_an_institution(settings):
    async with session_for(settings) as session:
        await session.execute(
            update(Registration)
            .where(Registration.id_number == REGISTERED.id_number)
            .values(status="cancelled")
        )
        match = await match_identity(session, REGISTERED.name, REGISTERED.id_number, None)
    assert match.found is True  # still qualified
    assert match.institution_code is None


async def test_registration_alone_counts_as_qualified(settings):
    id_number = "43010219800101222" + id_check_character("43010219800101222")
    async with session_for(settings) as session:
        session.add(
            Registration(
                id_number=id_number,
                name="周杰",
                level="physician",
                category="clinical",
                location_code="430000",
                institution_code="H4301020001",
                certificate_no="110430000000099",
                registered_on=date(2019, 1, 1),
            )
        )
        await session.flush()
        match = await match_identity(session, "周杰", id_number, None)
    assert match.found is True
    assert match.institution_code == "H4301020001"


async def test_get_institution(settings):
    async with session_for(settings) as session:
        assert (await get_institution(session, "H4301020001")).name == "湖南省人民医院"
        with pytest.raises(DomainError) as info:
            await get_institution(session, "H0000000000")
    assert info.value.code == "institution_not_found"
    assert info.value.status == 404
    # What was typed is not repeated (it may be anything: issue #19).
    assert "H0000000000" not in info.value.message() and info.value.params == {}


async def test_create_physician(settings):
    async with session_for(settings) as session:
        account = await create_physician(session, signup())
        await session.commit()
    assert account.id is not None
    assert account.role == "physician"
    async with session_for(settings) as session:
        stored = await get_account_by_username(session, "ZhangWei")
    assert stored is not None and stored.id == account.id
    assert stored.id_number == QUALIFIED.id_number
    assert stored.institution_code == "H4305810001"
    assert stored.activation_state == ActivationState.awaiting_verification


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"id_number": UNKNOWN_ID}, "username_taken"),  # same username, another person
        ({"username": "staff_hunan", "id_number": UNKNOWN_ID}, "username_taken"),  # a seeded login
        ({"username": "zhangwei2"}, "id_number_taken"),  # same person, another username
        ({}, "username_taken"),  # both taken: the username is reported first
    ],
)
async def test_duplicates_are_refused(settings, changes, code):
    async with session_for(settings) as session:
        await create_physician(session, signup())
        await session.commit()
    async with session_for(settings) as session:
        with pytest.raises(DomainError) as info:
            await create_physician(session, signup(**changes))
    assert info.value.code == code
    assert info.value.status == 409


@pytest.mark.parametrize(
    ("changes", "code"),
    [({"id_number": UNKNOWN_ID}, "username_taken"), ({"username": "zhangwei2"}, "id_number_taken")],
)
async def test_a_sign_up_that_raced_past_the_checks_is_refused_by_the_constraint(
    settings, changes, code
):
    """Two sign-ups at once both find the name and ID free; the database's unique constraint
    refuses the second, and the physician still reads which of the two is taken."""
    async with session_for(settings) as session:
        await create_physician(session, signup())
        await session.commit()

    def checked_before_the_other_committed(state):
        if state.is_select:
            state.statement = select(false())

    async with session_for(settings) as session:
        event.listen(session.sync_session, "do_orm_execute", checked_before_the_other_committed)
        with pytest.raises(DomainError) as info:
            await create_physician(session, signup(**changes))
    assert (info.value.code, info.value.status) == (code, 409)


async def test_accounts_matching_qualifications(settings):
    newcomer_id = UNKNOWN_ID
    wang, chen = DEMO_PHYSICIANS[1], DEMO_PHYSICIANS[2]
    async with session_for(settings) as session:
        waiting_unknown = await create_physician(
            session,
            signup(
                username="newcomer",
                name="孙悟空",
                id_number=newcomer_id,
                activation_state=ActivationState.awaiting_qualification,
            ),
        )
        waiting_known = await create_physician(
            session, signup(activation_state=ActivationState.awaiting_qualification)
        )
        other_state = await create_physician(
            session,
            signup(
                username="wangfang",
                name=wang.name,
                id_number=wang.id_number,
                activation_state=ActivationState.awaiting_verification,
            ),
        )
        wrong_name = await create_physician(
            session,
            signup(
                username="chenjing",
                name="陈晶",
                id_number=chen.id_number,
                activation_state=ActivationState.awaiting_qualification,
            ),
        )
        namesake_id = "11010519491231002X"  # a valid ID no qualification record carries
        namesake = await create_physician(
            session,
            signup(
                username="namesake",
                name=QUALIFIED.name,
                id_number=namesake_id,
                activation_state=ActivationState.awaiting_qualification,
            ),
        )
        await session.commit()

        assert await accounts_matching_qualifications(session) == [waiting_known.id]

        # The exam results arrive: the newcomer now matches too.
        session.add(
            Qualification(
                certificate_no="202143000000777",
                name="孙悟空",
                id_number=newcomer_id,
                level="physician",
                category="clinical",
                issued_on=date(2021, 12, 1),
            )
        )
        await session.commit()
        matching = await accounts_matching_qualifications(session)

    assert sorted(matching) == sorted([waiting_known.id, waiting_unknown.id])
    assert other_state.id not in matching
    assert wrong_name.id not in matching
    assert namesake.id not in matching  # the name of a record, not its ID number
