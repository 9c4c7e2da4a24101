"""The demo data set (registry/seed.py) as the people who try the service find it: a division
tree from the nation down to the counties the demo institutions sit in, a commission with its
counter address for each, the logins of the walkthrough, and the physicians' qualifications.

Seeded here on a freshly migrated database, not read from the shared template of
``tests/unit/registry_db.py``: the template is seeded once and kept, so a change to the seed
would not reach the tests that use it.
"""

import asyncio
import shutil
from datetime import date

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from registry.db import dispose, session_scope
from registry.migrations import upgrade
from registry.models import Account, Commission, Division, Institution, Qualification, Registration
from registry.passwords import verify_password
from registry.reference import NATIONAL_CODE, PORTAL_DIVISIONS
from registry.seed import DEMO_PASSWORD, seed
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite files; the seed is the same SQL")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """An empty, migrated database file, copied for each test (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("migrated") / "ereg.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    asyncio.run(dispose(url))
    return path


@pytest_asyncio.fixture
async def url(migrated, tmp_path):
    shutil.copy(migrated, tmp_path / "ereg.db")
    url = f"sqlite+aiosqlite:///{tmp_path / 'ereg.db'}"
    async with session_scope(url) as session:
        await seed(session)
    yield url
    await dispose(url)


async def _divisions(url) -> dict[str, Division]:
    async with session_scope(url) as session:
        return {d.code: d for d in await session.scalars(select(Division))}


async def test_the_divisions_form_one_tree_from_the_nation_to_the_demo_counties(url):
    divisions = await _divisions(url)
    nation = divisions[NATIONAL_CODE]
    assert (nation.name_zh, nation.level, nation.parent_code) == ("国家", "national", None)
    provinces = {c for c, d in divisions.items() if d.level == "province"}
    assert provinces == set(PORTAL_DIVISIONS) - {NATIONAL_CODE}
    assert {divisions[c].parent_code for c in provinces} == {NATIONAL_CODE}
    wugang, shaoyang = divisions["430581"], divisions["430500"]
    assert (wugang.name_zh, wugang.name_en, wugang.level) == ("武冈市", "Wugang", "county")
    assert (shaoyang.level, shaoyang.parent_code) == ("city", "430000")
    assert wugang.parent_code == "430500"
    for division in divisions.values():  # every parent exists, one level up
        if division.parent_code:
            parent = divisions[division.parent_code]
            order = ["national", "province", "city", "county"]
            assert order.index(parent.level) == order.index(division.level) - 1, division.code


async def test_each_commission_has_its_counter_address_and_each_institution_its_province(url):
    async with session_scope(url) as session:
        anji = await session.get(Commission, "330523")
        assert (anji.name, anji.division_code) == ("安吉县卫生健康局", "330523")
        assert anji.address_zh == "浙江省安吉县政务服务中心 卫生健康窗口"
        assert anji.address_en.startswith("Health counter, Anji")
        hospital = await session.get(Institution, "H4305810001")
        assert (hospital.name, hospital.division_code) == ("武冈市人民医院", "430581")
        assert (hospital.province_code, hospital.commission_code) == ("430000", "430581")
        assert hospital.auto_activate is True
        assert (await session.get(Institution, "H4301020001")).auto_activate is False


async def test_the_walkthrough_logins_exist_with_their_roles_and_the_demo_password(url):
    async with session_scope(url) as session:
        accounts = {a.username: a for a in await session.scalars(select(Account))}
    staff, officer = accounts["staff_wugang"], accounts["officer_anji"]
    assert (staff.role, staff.institution_code, staff.commission_code) == (
        "institution_staff", "H4305810001", None,
    )  # fmt: skip
    assert (officer.role, officer.institution_code, officer.commission_code) == (
        "commission_officer", None, "330523",
    )  # fmt: skip
    assert accounts["operator"].role == "operator"
    assert staff.email == "staff_wugang@ereg.example"
    assert verify_password(officer.password_hash, DEMO_PASSWORD)


async def test_the_demo_physicians_hold_qualifications_and_one_a_registration(url):
    async with session_scope(url) as session:
        zhang = await session.scalar(
            select(Qualification).where(Qualification.certificate_no == "200043000000001")
        )
        registrations = list(await session.scalars(select(Registration)))
    assert (zhang.name, zhang.level, zhang.category) == ("张伟", "physician", "clinical")
    assert zhang.issued_on == date(2020, 12, 1)
    [liu] = registrations
    assert (liu.name, liu.institution_code, liu.location_code) == ("刘洋", "H4301020001", "430000")
    assert (liu.certificate_no, liu.registered_on) == ("110430000000005", date(2021, 3, 1))


async def test_seeding_again_changes_nothing_and_keeps_what_staff_changed(url):
    async with session_scope(url) as session:
        (await session.get(Institution, "H4305810001")).auto_activate = False
        (await session.get(Commission, "330523")).address_zh = None  # seeded before addresses
    async with session_scope(url) as session:
        counts = [await session.scalar(select(func.count()).select_from(m)) for m in TABLES]
        await seed(session)
    async with session_scope(url) as session:
        assert [await session.scalar(select(func.count()).select_from(m)) for m in TABLES] == counts
        assert (await session.get(Institution, "H4305810001")).auto_activate is False
        assert (await session.get(Commission, "330523")).address_zh.startswith("浙江省安吉县")


TABLES = (Division, Commission, Institution, Account, Qualification, Registration)
