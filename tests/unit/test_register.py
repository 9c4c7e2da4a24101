"""The public register lookup (registry/register.py): a person, not a list. The exact name and a
certificate number or an institution find a person; the answer is that person's registrations,
current and ended, with the institutions they filed at, and never an ID number, a phone or an
email. On a migrated, seeded database (tests/unit/registry_db.py); the end-to-end test
``tests/e2e/test_documents.py::test_the_public_register`` asks the same through the API."""

import itertools
from dataclasses import fields
from datetime import date

import pytest

from registry import register
from registry.errors import DomainError
from registry.models import Account, Filing, Registration
from tests.unit.registry_db import session_fixture, template_fixture  # noqa: F401

HUNAN, WUGANG, HANGZHOU = "H4301020001", "H4305810001", "H3301020001"
_serial = itertools.count(1)


async def registered(
    session,
    name: str,
    id_number: str,
    institution: str = HUNAN,
    *,
    on: date = date(2022, 3, 1),
    status: str = "active",
    ended_on: date | None = None,
    scope: str | None = "内科",
) -> Registration:
    registration = Registration(
        id_number=id_number,
        name=name,
        level="physician",
        category="clinical",
        scope=scope,
        location_code=institution[1:3] + "0000",
        institution_code=institution,
        certificate_no=f"1104{next(_serial):011d}",
        status=status,
        registered_on=on,
        ended_on=ended_on,
    )
    session.add(registration)
    await session.flush()
    return registration


async def filed(session, registration, institution, start, end=None, status="active"):
    session.add(
        Filing(
            registration_id=registration.id,
            institution_code=institution,
            start_on=start,
            end_on=end,
            status=status,
        )
    )
    await session.flush()


ID_A, ID_B = "430102198001010011", "430102198502020022"


async def test_a_certificate_number_finds_the_person_with_every_registration_of_theirs(session):
    old = await registered(
        session, "赵敏", ID_A, WUGANG, on=date(2015, 6, 1), status="cancelled",
        ended_on=date(2019, 12, 31),
    )  # fmt: skip
    current = await registered(session, "赵敏", ID_A, HUNAN, on=date(2020, 1, 10))
    newer = await registered(session, "赵敏", ID_A, HANGZHOU, on=date(2023, 5, 5))
    same_day = await registered(session, "赵敏", ID_A, WUGANG, on=date(2020, 1, 10))
    await registered(session, "赵敏", ID_B, HUNAN)  # a namesake: another person
    await registered(session, "赵敏华", ID_A, HUNAN)  # under another name: not shown

    [person] = await register.lookup(session, "赵敏", certificate_no=old.certificate_no)
    assert person.name == "赵敏"
    # Current registrations first (newest first), then the ended ones, with the day they ended.
    assert [(e.certificate_no, e.status, e.ended_on) for e in person.registrations] == [
        (newer.certificate_no, "active", None),
        (same_day.certificate_no, "active", None),  # the same day: the later record first
        (current.certificate_no, "active", None),
        (old.certificate_no, "cancelled", date(2019, 12, 31)),
    ]
    entry = person.registrations[2]
    assert (entry.institution_code, entry.institution_name) == (HUNAN, "湖南省人民医院")
    assert (entry.level, entry.category, entry.scope) == ("physician", "clinical", "内科")
    assert (entry.location_code, entry.registered_on) == ("430000", date(2020, 1, 10))
    assert person.registrations[3].institution_name == "武冈市人民医院"


async def test_an_institution_by_code_or_exact_name_finds_who_is_registered_or_filed_there(
    session,
):
    at_hunan = await registered(session, "钱进", ID_A, HUNAN)
    await registered(session, "钱进", ID_B, HANGZHOU)  # a namesake elsewhere, filed at Wugang
    elsewhere = await registered(session, "钱进", "330102199001010033", HANGZHOU)
    await filed(session, elsewhere, WUGANG, date(2025, 1, 1))

    for asked in (HUNAN, "湖南省人民医院", f"  {HUNAN} "):
        people = await register.lookup(session, " 钱进 ", institution=asked)
        assert [[e.certificate_no for e in p.registrations] for p in people] == [
            [at_hunan.certificate_no]
        ], asked
    # Filed at an institution: found there too.
    [person] = await register.lookup(session, "钱进", institution="武冈市人民医院")
    assert [e.certificate_no for e in person.registrations] == [elsewhere.certificate_no]
    assert await register.lookup(session, "钱进", institution="湖南省人民") == []  # exact only
    assert await register.lookup(session, "钱", institution=HUNAN) == []  # the exact name


async def test_filings_in_force_are_shown_with_their_institution_in_date_order(session):
    registration = await registered(session, "孙丽", ID_A, HUNAN)
    await filed(session, registration, HANGZHOU, date(2025, 6, 1), date(2027, 5, 31))
    await filed(session, registration, WUGANG, date(2024, 3, 1))
    await filed(session, registration, "H3305230001", date(2023, 1, 1), status="cancelled")
    other = await registered(session, "孙丽", ID_A, WUGANG, on=date(2021, 1, 1))

    [person] = await register.lookup(session, "孙丽", certificate_no=registration.certificate_no)
    by_no = {e.certificate_no: e for e in person.registrations}
    assert by_no[registration.certificate_no].filings == (
        register.FiledAt(WUGANG, "武冈市人民医院", date(2024, 3, 1), None),
        register.FiledAt(HANGZHOU, "杭州市第一人民医院", date(2025, 6, 1), date(2027, 5, 31)),
    )
    assert by_no[other.certificate_no].filings == ()


async def test_namesakes_at_one_institution_are_separate_people_and_at_most_ten(session):
    for n in range(12):
        await registered(session, "周杰", f"43010219800101{n:04d}")
    people = await register.lookup(session, "周杰", institution=HUNAN)
    assert len(people) == register.MAX_PEOPLE == 10
    assert all(len(p.registrations) == 1 and p.name == "周杰" for p in people)
    numbers = [p.registrations[0].certificate_no for p in people]
    assert len(set(numbers)) == 10


async def test_an_active_registration_comes_before_a_newer_one_that_ended(session):
    active = await registered(session, "郑洁", ID_A, HUNAN, on=date(2018, 4, 1))
    ended = await registered(
        session, "郑洁", ID_A, WUGANG, on=date(2024, 2, 1), status="cancelled",
        ended_on=date(2025, 8, 1),
    )  # fmt: skip
    [person] = await register.lookup(session, "郑洁", certificate_no=ended.certificate_no)
    assert [e.certificate_no for e in person.registrations] == [
        active.certificate_no,
        ended.certificate_no,
    ]


async def test_a_number_or_an_institution_finds_only_what_the_name_was_registered_with(session):
    """Someone who changed their name: the old name's certificate and institution, asked with
    the new name, find nobody (and the new name's registrations stay unseen to such a guess)."""
    await registered(session, "冯倩", ID_A, HUNAN, on=date(2012, 1, 1), status="superseded")
    old = await registered(session, "冯晓倩", ID_A, WUGANG, on=date(2015, 1, 1))
    await registered(session, "冯倩", ID_A, HANGZHOU, on=date(2023, 1, 1))
    assert await register.lookup(session, "冯倩", certificate_no=old.certificate_no) == []
    assert await register.lookup(session, "冯倩", institution=WUGANG) == []
    [person] = await register.lookup(session, "冯晓倩", institution=WUGANG)
    assert [e.certificate_no for e in person.registrations] == [old.certificate_no]


@pytest.mark.parametrize(
    ("name", "certificate_no", "institution"),
    [
        ("", "110400000000001", None),  # no name
        ("   ", None, HUNAN),  # a name of spaces is none
        ("赵敏", None, None),  # neither a number nor an institution
        ("赵敏", "  ", " "),
        ("赵敏", "110400000000001", HUNAN),  # both: one way of finding, not two
        (None, None, HUNAN),
    ],
)
async def test_nobody_is_listed_without_a_name_and_one_way_of_finding_them(
    session, name, certificate_no, institution
):
    await registered(session, "赵敏", ID_A, HUNAN)
    with pytest.raises(DomainError) as refused:
        await register.lookup(session, name, certificate_no, institution)
    assert refused.value.code == "register_query"


async def test_the_answer_holds_no_id_number_phone_or_email(session):
    registration = await registered(session, "吴刚", ID_A, HUNAN)
    session.add(
        Account(
            username="wugang_doc", password_hash="x", role="physician", name="吴刚",
            id_number=ID_A, phone="13800138000", email="wugang@example.cn",
            institution_code=HUNAN,
        )
    )  # fmt: skip
    await session.flush()
    people = await register.lookup(session, "吴刚", certificate_no=registration.certificate_no)
    said = repr(people)
    for private in (ID_A, "13800138000", "wugang@example.cn", "wugang_doc"):
        assert private not in said
    assert {f.name for f in fields(register.Entry)}.isdisjoint({"id_number", "phone", "email"})
