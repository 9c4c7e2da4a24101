"""Departments and the stored photo, on a migrated and seeded database: the list an
institution keeps, the one a physician chooses (at the registration's primary institution, or
the sign-up institution before any registration), what each page reads back, and who may
change personal information at all."""

from datetime import UTC, date, datetime

import pytest

from registry import profile
from registry.db import session_scope
from registry.errors import DomainError
from registry.models import Account, PhysicianPhoto, PhysicianProfile, Registration
from registry.photos import Photo
from registry.roles import Role

HUNAN = "H4301020001"  # seeded: 湖南省人民医院
WUGANG = "H4305810001"  # seeded: 武冈市人民医院
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def refused(code: str):
    return pytest.raises(DomainError, match=f"^{code}$")


async def _account(session, username, institution_code=HUNAN, id_number=None, **more) -> Account:
    account = Account(
        username=username,
        password_hash="x",
        role=Role.PHYSICIAN,
        id_number=id_number,
        institution_code=institution_code,
        activation_state="active",
        **more,
    )
    session.add(account)
    await session.flush()
    return account


def _registration(id_number, institution_code, registered_on, status="active") -> Registration:
    return Registration(
        id_number=id_number,
        name="测试",
        level="physician",
        category="clinical",
        location_code=institution_code[1:3] + "0000",
        institution_code=institution_code,
        registered_on=registered_on,
        status=status,
    )


async def _names(session, institution_code, active_only=True) -> list[tuple[str, int, bool]]:
    rows = await profile.departments_of(session, institution_code, active_only)
    return [(d.name, d.position, d.active) for d in rows]


# --- the institution's list --------------------------------------------------------------------


async def test_a_list_is_kept_in_the_order_given_and_a_removed_name_only_deactivated(settings):
    async with session_scope(settings.database_url) as session:
        first = await profile.set_departments(session, HUNAN, ["内科", "外科", "儿科"])
        assert [(d.name, d.position) for d in first] == [("内科", 0), ("外科", 1), ("儿科", 2)]
        ids = {d.name: d.id for d in first}
    async with session_scope(settings.database_url) as session:
        second = await profile.set_departments(session, HUNAN, ["儿科", " 内科 ", "眼科"])
        # reordered against the order of creation; the same rows kept for the same names
        assert [(d.name, d.position) for d in second] == [("儿科", 0), ("内科", 1), ("眼科", 2)]
        assert [d.id for d in second[:2]] == [ids["儿科"], ids["内科"]]
        assert await _names(session, HUNAN) == [
            ("儿科", 0, True),
            ("内科", 1, True),
            ("眼科", 2, True),
        ]
        everything = await _names(session, HUNAN, active_only=False)
        assert ("外科", 1, False) in everything and len(everything) == 4
    async with session_scope(settings.database_url) as session:
        # a name put back is the same department again, active, at its new place
        third = await profile.set_departments(session, HUNAN, ["外科", "儿科"])
        assert [(d.id, d.name, d.position) for d in third] == [
            (ids["外科"], "外科", 0),
            (ids["儿科"], "儿科", 1),
        ]
        assert await _names(session, HUNAN) == [("外科", 0, True), ("儿科", 1, True)]


async def test_each_institution_keeps_its_own_list(settings):
    async with session_scope(settings.database_url) as session:
        await profile.set_departments(session, HUNAN, ["内科"])
        wugang = await profile.set_departments(session, WUGANG, ["内科", "中医科"])
        assert [(d.institution_code, d.name) for d in wugang] == [
            (WUGANG, "内科"),
            (WUGANG, "中医科"),
        ]
        await profile.set_departments(session, WUGANG, [])
        assert await _names(session, WUGANG) == []
        assert await _names(session, HUNAN) == [("内科", 0, True)]


async def test_a_bad_list_changes_nothing(settings):
    async with session_scope(settings.database_url) as session:
        await profile.set_departments(session, HUNAN, ["内科"])
    async with session_scope(settings.database_url) as session:
        with refused("department_names_invalid"):
            await profile.set_departments(session, HUNAN, ["外科", "外科"])
        assert await _names(session, HUNAN) == [("内科", 0, True)]


# --- the physician's choice --------------------------------------------------------------------


async def _departments(session) -> dict[str, int]:
    hunan = await profile.set_departments(session, HUNAN, ["内科", "外科", "旧科室"])
    await profile.set_departments(session, HUNAN, ["内科", "外科"])  # 旧科室 deactivated
    wugang = await profile.set_departments(session, WUGANG, ["中医科"])
    return {d.name: d.id for d in hunan + wugang}


async def test_before_any_registration_the_choice_is_kept_in_the_profile(settings):
    async with session_scope(settings.database_url) as session:
        ids = await _departments(session)
        account = await _account(session, "unit-first", id_number="430102199001011234")
        assert await profile.department_of(session, account) == (HUNAN, None)
        await profile.choose_department(session, account, ids["外科"])
        await session.flush()
        row = await session.get(PhysicianProfile, account.id)
        assert row.department_id == ids["外科"]
        institution, department = await profile.department_of(session, account)
        assert (institution, department.name) == (HUNAN, "外科")


async def test_a_second_choice_updates_the_profile_already_there(settings):
    async with session_scope(settings.database_url) as session:
        ids = await _departments(session)
        account = await _account(session, "unit-again")
        session.add(PhysicianProfile(account_id=account.id, postcode="410005", updated_at=LONG_AGO))
        await session.flush()
        await profile.choose_department(session, account, ids["内科"])
        await session.flush()
        row = await session.get(PhysicianProfile, account.id)
        assert (row.department_id, row.postcode) == (ids["内科"], "410005")
        assert row.updated_at.replace(tzinfo=UTC) > LONG_AGO
        assert (await profile.department_of(session, account))[1].name == "内科"


@pytest.mark.parametrize("which", ["inactive", "other institution", "unknown"])
async def test_only_an_active_department_of_the_physicians_institution_can_be_chosen(
    settings, which
):
    async with session_scope(settings.database_url) as session:
        ids = await _departments(session)
        department_id = {"inactive": ids["旧科室"], "other institution": ids["中医科"]}.get(
            which, 999_999
        )
        account = await _account(session, "unit-wrong")
        with refused("department_not_in_list"):
            await profile.choose_department(session, account, department_id)
        await session.flush()
        assert await session.get(PhysicianProfile, account.id) is None


async def test_without_an_institution_nothing_can_be_chosen_and_none_is_shown(settings):
    async with session_scope(settings.database_url) as session:
        ids = await _departments(session)
        # every registration ended: the sign-up hospital is no longer the physician's
        account = await _account(session, "unit-ended", id_number="430102198501012345")
        session.add(_registration(account.id_number, HUNAN, date(2021, 3, 1), status="cancelled"))
        session.add(PhysicianProfile(account_id=account.id, department_id=ids["内科"]))
        await session.flush()
        with refused("department_not_in_list"):
            await profile.choose_department(session, account, ids["内科"])
        assert await profile.department_of(session, account) == (None, None)


async def test_a_registered_physician_chooses_per_registration(settings):
    async with session_scope(settings.database_url) as session:
        ids = await _departments(session)
        account = await _account(session, "unit-two", id_number="430102198001013456")
        older = _registration(account.id_number, HUNAN, date(2021, 3, 1))
        newer = _registration(account.id_number, WUGANG, date(2024, 5, 1))
        session.add_all([older, newer])
        await session.flush()
        # by default the most recent registration, at its primary institution
        assert await profile.department_of(session, account) == (WUGANG, None)
        with refused("department_not_in_list"):
            await profile.choose_department(session, account, ids["内科"])
        await profile.choose_department(session, account, ids["中医科"])
        # the older registration, named: its own institution's list
        await profile.choose_department(session, account, ids["外科"], older.id)
        await session.flush()
        assert (newer.department_id, older.department_id) == (ids["中医科"], ids["外科"])
        assert await session.get(PhysicianProfile, account.id) is None  # not the profile's
        institution, department = await profile.department_of(session, account, older.id)
        assert (institution, department.name) == (HUNAN, "外科")
        institution, department = await profile.department_of(session, account)
        assert (institution, department.name) == (WUGANG, "中医科")


async def test_the_profiles_department_is_not_a_registrations(settings):
    async with session_scope(settings.database_url) as session:
        ids = await _departments(session)
        account = await _account(session, "unit-later", id_number="430102198202024567")
        session.add(PhysicianProfile(account_id=account.id, department_id=ids["内科"]))
        session.add(_registration(account.id_number, HUNAN, date(2022, 1, 1)))
        await session.flush()
        # chosen before registering; the registration's own choice is still to make
        assert await profile.department_of(session, account) == (HUNAN, None)


# --- who may change personal information --------------------------------------------------------


def test_only_an_active_physician_may_change_personal_information():
    physician = Account(role=Role.PHYSICIAN, activation_state="active")
    profile.require_active_physician(physician)  # allowed: no error
    with refused("not_physician"):
        profile.require_active_physician(Account(role=Role.INSTITUTION_STAFF))
    with refused("account_not_active"):
        profile.require_active_physician(
            Account(role=Role.PHYSICIAN, activation_state="awaiting_institution")
        )


# --- the stored photo ---------------------------------------------------------------------------


def _photo(n: int) -> Photo:
    return Photo(
        data=bytes([n]) * 8, media_type="image/jpeg", width=358, height=441, sha256=f"{n:064x}"
    )


async def test_a_stored_photo_is_pending_with_what_was_uploaded(settings):
    async with session_scope(settings.database_url) as session:
        account = await _account(session, "unit-photo")
        stored = await profile.store_photo(session, account.id, _photo(7))
        assert stored.id is not None
    async with session_scope(settings.database_url) as session:
        row = await session.get(PhysicianPhoto, stored.id)
        assert (row.account_id, row.status, row.media_type, row.width, row.height) == (
            account.id,
            "pending",
            "image/jpeg",
            358,
            441,
        )
        assert (row.sha256, row.data) == (f"{7:064x}", bytes([7]) * 8)


async def test_the_photo_in_force_and_the_newest_awaiting_review_are_read_apart(settings):
    async with session_scope(settings.database_url) as session:
        account = await _account(session, "unit-photos")
        other = await _account(session, "unit-other")
        assert await profile.photo_of(session, account.id, False) is None
        assert await profile.photo_of(session, account.id, True) is None
        ids = [(await profile.store_photo(session, account.id, _photo(n))).id for n in range(3)]
        theirs = (await profile.store_photo(session, other.id, _photo(9))).id
        (await session.get(PhysicianPhoto, ids[0])).status = "approved"
        (await session.get(PhysicianPhoto, ids[2])).status = "rejected"
        await session.flush()
        assert (await profile.photo_of(session, account.id, False)).id == ids[0]
        assert (await profile.photo_of(session, account.id, True)).id == ids[1]
        newest = (await profile.store_photo(session, account.id, _photo(4))).id
        assert (await profile.photo_of(session, account.id, True)).id == newest
        assert (await profile.photo_of(session, other.id, True)).id == theirs
        assert await profile.photo_of(session, other.id, False) is None
