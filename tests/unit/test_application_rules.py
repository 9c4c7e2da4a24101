"""Every rule of the nine applications (``registry/applications.py``), on a migrated and
seeded SQLite database, without Temporal: one case refused and one let through for each, so a
rule change is checked in seconds. The end-to-end tests keep the pipeline.

The articles: Physicians Law 2021 (医师法) art. 13, 16, 17; Registration Measures 2017
(医师执业注册管理办法) art. 7, 10, 18, 20 — docs/rules.md lists each rule
with its article.
"""

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry import access, applications, institutions, profile, refusals
from registry.application_types import (
    FIELDS,
    Actor,
    ApplicationState,
    ApplicationType,
    Completion,
    FiledAs,
)
from registry.db import dispose, get_sessionmaker
from registry.errors import DomainError
from registry.identifiers import id_check_character
from registry.models import (
    Account,
    Application,
    AuditEvent,
    Department,
    Filing,
    Institution,
    LegacySite,
    ProfileReview,
    Qualification,
    Registration,
    RegistrationBar,
)
from registry.refusals import RefusalGround
from tests.conftest import (
    drop_database,
    make_settings,
    new_database_url,
    prepared_database,
)
from tests.unit.registry_db import copy_of

T = ApplicationType
TODAY = date(2026, 12, 1)
HUNAN = "H4301020001"  # 芙蓉区 430102, commission 430000
WUGANG = "H4305810001"  # 武冈市 430581, commission 430581
WUGANG_TCM = "H4305810002"  # a second institution of 武冈市, made here
HANGZHOU = "H3301020001"  # 上城区 330102, commission 330000
ANJI = "H3305230001"  # 安吉县 330523, commission 330523
PHYSICIAN_CLINICAL = (("physician", "clinical"),)
ASSISTANT_CLINICAL = (("assistant", "clinical"),)
_serial = itertools.count(1)


@dataclass
class Desk:
    """The registry of one test and the people who file: arrange, then plan or complete."""

    session: AsyncSession

    # --- arranging -----------------------------------------------------------------------------

    async def physician(
        self, qualifications=PHYSICIAN_CLINICAL, *, active: bool = True, signed_up_at=WUGANG
    ) -> Account:
        n = next(_serial)
        first17 = f"430581{date(1980, 1, 1) + timedelta(days=n):%Y%m%d}{n % 1000:03d}"
        account = Account(
            username=f"doc{n}",
            password_hash="x",
            role="physician",
            name="张" + "伟明华"[n % 3],
            id_number=first17 + id_check_character(first17),
            institution_code=signed_up_at,
            activation_state="active" if active else "awaiting_verification",
        )
        self.session.add(account)
        for level, category in qualifications:
            await self.qualify(account, level, category)
        await self.session.flush()
        return account

    async def qualify(self, account: Account, level: str, category: str) -> None:
        self.session.add(
            Qualification(
                certificate_no=f"Q{next(_serial):014d}",
                name=account.name,
                id_number=account.id_number,
                level=level,
                category=category,
                issued_on=date(2020, 12, 1),
            )
        )
        await self.session.flush()

    async def registration(
        self,
        account: Account,
        institution_code: str = HUNAN,
        *,
        level: str = "physician",
        category: str = "clinical",
        scope: str = "内科",
        registered_on: date = date(2022, 3, 1),
    ) -> Registration:
        institution = await self.session.get(Institution, institution_code)
        registration = Registration(
            id_number=account.id_number,
            name=account.name,
            level=level,
            category=category,
            scope=scope,
            location_code=applications.location_of(level, institution),
            institution_code=institution_code,
            certificate_no=f"R{next(_serial):014d}",
            registered_on=registered_on,
        )
        self.session.add(registration)
        await self.session.flush()
        return registration

    async def filing(self, registration: Registration, institution_code: str) -> Filing:
        filing = Filing(
            registration_id=registration.id,
            institution_code=institution_code,
            start_on=date(2023, 1, 1),
        )
        self.session.add(filing)
        await self.session.flush()
        return filing

    async def legacy_site(self, account: Account, institution_code: str = ANJI) -> LegacySite:
        site = LegacySite(
            id_number=account.id_number,
            name=account.name,
            institution_code=institution_code,
            registered_on=date(2016, 5, 1),
        )
        self.session.add(site)
        await self.session.flush()
        return site

    async def bar(self, account: Account, ground: RefusalGround, starts_on, ends_on) -> None:
        self.session.add(
            RegistrationBar(
                id_number=account.id_number, ground=ground, starts_on=starts_on, ends_on=ends_on
            )
        )
        await self.session.flush()

    async def desk(self, username: str) -> Account:
        return await self.session.scalar(select(Account).where(Account.username == username))

    # --- filing and completing -----------------------------------------------------------------

    async def plan(self, filer: Account, type_: ApplicationType, today=TODAY, **fields):
        subject, plan = await applications.plan(
            self.session, type_, FIELDS[type_].model_validate(fields), filer, today
        )
        return plan

    async def refused(self, filer: Account, type_: ApplicationType, **fields) -> DomainError:
        with pytest.raises(DomainError) as info:
            await self.plan(filer, type_, **fields)
        return info.value

    async def file(self, filer: Account, type_: ApplicationType, today=TODAY, **fields) -> str:
        """Store an application as the service does; returns its number."""
        parsed = FIELDS[type_].model_validate(fields)
        subject, plan = await applications.plan(self.session, type_, parsed, filer, today)
        application = Application(
            type=type_,
            account_id=subject.account_id,
            filed_by=filer.id,
            registration_id=plan.registration_id,
            institution_code=plan.institution_code,
            commission_code=plan.commission_code,
            province_code=plan.province_code,
            details={
                "fields": parsed.model_dump(mode="json"),
                "subject": {"name": subject.name, "id_number": subject.id_number},
                **plan.details,
            },
            state=ApplicationState.under_review,
            open_slot=plan.open_slot,
        )
        self.session.add(application)
        await self.session.flush()
        application.application_no = f"20261201{application.id:06d}"
        await self.session.flush()
        return application.application_no

    async def complete(self, no: str, today: date = TODAY) -> Completion:
        return await applications.complete(self.session, no, today)

    async def completed(self, filer: Account, type_: ApplicationType, today=TODAY, **fields):
        completion = await self.complete(await self.file(filer, type_, today, **fields), today)
        assert completion.completed, completion
        return completion

    async def active(self, account: Account) -> list[Registration]:
        return await institutions.active_registrations(self.session, account.id_number)


async def _migrated(settings) -> None:
    await prepared_database(settings)
    async with get_sessionmaker(settings.database_url)() as session:
        session.add(
            Institution(
                code=WUGANG_TCM,
                name="武冈市中医医院",
                division_code="430581",
                province_code="430000",
                commission_code="430581",
            )
        )
        await session.commit()
    await dispose(settings.database_url)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Iterator[str]:
    """One migrated, seeded database for the module, copied for each test (migrating for each
    would take most of the time these tests need)."""
    data_dir = tmp_path_factory.mktemp("rules-template")
    url = asyncio.run(new_database_url(data_dir))
    asyncio.run(_migrated(make_settings(data_dir, url)))
    yield url
    asyncio.run(drop_database(url))


@pytest_asyncio.fixture
async def desk(template, tmp_path) -> AsyncIterator[Desk]:
    url = await copy_of(template, tmp_path)
    async with get_sessionmaker(url)() as session:
        yield Desk(session)
        await session.rollback()
    await drop_database(url)


def registering(institution_code=HUNAN, category="clinical", scope="内科") -> dict:
    return {"institution_code": institution_code, "category": category, "scope": scope}


# --- who may file what --------------------------------------------------------------------------


async def test_an_account_not_yet_active_cannot_file(desk):
    waiting = await desk.physician(active=False)
    assert (await desk.refused(waiting, T.registration, **registering())).code == (
        "account_not_active"
    )
    active = await desk.physician()
    assert (await desk.plan(active, T.registration, **registering())).institution_code == HUNAN


@pytest.mark.parametrize("username", ["staff_hunan", "officer_hunan"])
async def test_staff_and_officers_file_cancellations_only(desk, username):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    filer = await desk.desk(username)
    refused = await desk.refused(filer, T.change, registration_id=registration.id, scope="外科")
    assert refused.code == "forbidden"
    plan = await desk.plan(
        filer, T.cancellation, registration_id=registration.id, ground=6, ground_arose_on=TODAY
    )
    assert plan.registration_id == registration.id
    assert plan.details["filed_as"] == applications.filed_as(filer.role)


async def test_staff_report_only_for_their_own_institution(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    fields = {"registration_id": registration.id, "ground": 6, "ground_arose_on": TODAY}
    other = await desk.refused(await desk.desk("staff_anji"), T.cancellation, **fields)
    assert other.code == "wrong_institution"
    plan = await desk.plan(await desk.desk("staff_hunan"), T.cancellation, **fields)
    assert (plan.institution_code, plan.commission_code) == (HUNAN, "430000")


async def test_a_commission_cancels_on_its_own_authority_only_what_it_granted(desk):
    """Physicians Law 2021 art. 17: a commission learning of a ground elsewhere notifies the
    one that registered the physician, which cancels."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    fields = {"registration_id": registration.id, "ground": 1, "ground_arose_on": TODAY}
    elsewhere = await desk.refused(await desk.desk("officer_zhejiang"), T.cancellation, **fields)
    assert elsewhere.code == "registered_elsewhere"
    plan = await desk.plan(await desk.desk("officer_hunan"), T.cancellation, **fields)
    assert (plan.commission_code, plan.details["filed_as"]) == ("430000", FiledAs.commission)


def test_who_acts_for_the_applicant():
    physician = Actor(account_id=1, role="physician")
    staff = Actor(account_id=2, role="institution_staff", institution_code=HUNAN)
    colleague = Actor(account_id=3, role="institution_staff", institution_code=HUNAN)
    officer = Actor(account_id=4, role="commission_officer", commission_code="430000")
    peer = Actor(account_id=5, role="commission_officer", commission_code="430000")
    other_officer = Actor(account_id=6, role="commission_officer", commission_code="330000")
    assert access.acts_for_applicant(physician, physician)
    assert not access.acts_for_applicant(physician, staff)
    assert access.acts_for_applicant(staff, colleague)
    assert not access.acts_for_applicant(staff, physician)
    assert access.acts_for_applicant(officer, peer)
    assert not access.acts_for_applicant(officer, other_officer)
    assert not access.acts_for_applicant(officer, physician)


def test_where_an_application_starts():
    physician = Actor(account_id=1, role="physician")
    staff = Actor(account_id=2, role="institution_staff", institution_code=HUNAN)
    officer = Actor(account_id=4, role="commission_officer", commission_code="430000")
    S = ApplicationState
    assert applications.first_state(physician, HUNAN) == S.awaiting_institution
    assert applications.first_state(staff, HUNAN) == S.awaiting_documents
    assert applications.first_state(staff, WUGANG) == S.awaiting_institution
    assert applications.first_state(officer, HUNAN) == S.under_review


# --- registration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        (registering(category="surgery"), "category_invalid"),
        (registering(scope=""), "scope_required"),
        (registering(scope="口腔"), "scope_not_in_category"),
        (registering(category="dental", scope="口腔"), "qualification_missing"),
        (registering(institution_code="H0000000000"), "institution_not_found"),
    ],
)
async def test_a_registration_form_is_checked(desk, fields, code):
    doc = await desk.physician()
    assert (await desk.refused(doc, T.registration, **fields)).code == code
    assert (await desk.plan(doc, T.registration, **registering())).details["level"] == "physician"


async def test_a_physicians_location_is_the_province_an_assistants_the_county(desk):
    """Registration Measures 2017 art. 7."""
    doc = await desk.physician()
    assert (await desk.plan(doc, T.registration, **registering(WUGANG))).details == {
        "level": "physician",
        "location_code": "430000",
        "filed_as": "physician",
    }
    assistant = await desk.physician(ASSISTANT_CLINICAL)
    plan = await desk.plan(assistant, T.registration, **registering(WUGANG))
    assert (plan.details["level"], plan.details["location_code"]) == ("assistant", "430581")


async def test_one_primary_institution_per_location(desk):
    """Registration Measures 2017 art. 10; several provinces are fine for a physician."""
    doc = await desk.physician()
    await desk.registration(doc, HUNAN)
    refused = await desk.refused(doc, T.registration, **registering(WUGANG))
    assert (refused.code, refused.params) == (
        "already_registered_in_location",
        {"location_code": "430000"},
    )
    assert (await desk.plan(doc, T.registration, **registering(HANGZHOU))).province_code == (
        "330000"
    )


async def test_an_assistant_registers_one_county_only(desk):
    assistant = await desk.physician(ASSISTANT_CLINICAL)
    await desk.registration(assistant, ANJI, level="assistant")
    refused = await desk.refused(assistant, T.registration, **registering(WUGANG))
    assert refused.code == "assistant_single_location"
    first = await desk.physician(ASSISTANT_CLINICAL)
    assert (await desk.plan(first, T.registration, **registering(WUGANG))).details[
        "location_code"
    ] == "430581"


async def test_beside_an_assistant_registration_a_physician_one_is_the_upgrade(desk):
    """Issue 13 item 4: an assistant in 武冈市 and a physician registration in 湖南 both
    completed — two primary institutions in one location. The upgrade is the way."""
    doc = await desk.physician((("assistant", "clinical"), ("physician", "clinical")))
    await desk.registration(doc, WUGANG, level="assistant")
    refused = await desk.refused(doc, T.registration, **registering(HUNAN))
    assert (refused.code, refused.params) == (
        "assistant_upgrade_instead",
        {"province_code": "430000"},
    )
    assert "助理医师升执业医师" in refused.message("zh")
    assert (await desk.plan(doc, T.registration, **registering(HANGZHOU))).details[
        "location_code"
    ] == "330000"


# --- refusal grounds (Physicians Law 2021 art. 16) ---------------------------------------------


@pytest.mark.parametrize(
    ("ground", "type_", "fields"),
    [
        (RefusalGround.criminal_punishment, T.registration, registering()),
        (RefusalGround.certificate_revoked, T.military_transfer_in, {
            **registering(HANGZHOU, scope="外科"), "military_certificate_no": "军医字2019001"}),
        (RefusalGround.failed_assessment, T.change, {"scope": "外科"}),
        (RefusalGround.limited_civil_capacity, T.assistant_upgrade, {}),
    ],
)  # fmt: skip
async def test_no_registration_while_a_refusal_period_runs(desk, ground, type_, fields):
    doc = await desk.physician((("physician", "clinical"), ("assistant", "clinical")))
    if type_ == T.change:
        fields = fields | {"registration_id": (await desk.registration(doc, ANJI)).id}
    if type_ == T.assistant_upgrade:
        assistant = await desk.registration(doc, WUGANG, level="assistant")
        fields = {"registration_id": assistant.id}
    ends_on = TODAY + timedelta(days=40)
    await desk.bar(doc, ground, date(2025, 1, 1), ends_on)
    refused = await desk.refused(doc, type_, **fields)
    assert refused.code == "registration_barred_until"
    assert refused.params["ends_on"] == ends_on.isoformat()
    assert ends_on.isoformat() in refused.message("zh") and "art. 16" in refused.message("en")

    # the day the period has run, the same application goes through
    assert await desk.plan(doc, type_, ends_on, **fields)


async def test_a_lack_of_civil_capacity_refuses_until_lifted(desk):
    doc = await desk.physician()
    officer = await desk.desk("officer_wugang")
    bar = await refusals.record_by_officer(
        desk.session, officer, doc.id_number, RefusalGround.no_civil_capacity, TODAY, None, "判决"
    )
    refused = await desk.refused(doc, T.registration, **registering())
    assert refused.code == "registration_barred"
    assert "无民事行为能力" in refused.message("zh")
    with pytest.raises(DomainError) as other:
        await refusals.lift(desk.session, await desk.desk("officer_hunan"), bar.id, TODAY)
    assert other.value.code == "wrong_commission"
    await refusals.lift(desk.session, officer, bar.id, TODAY)
    assert await desk.plan(doc, T.registration, **registering())


async def test_a_recorded_ground_is_lifted_once_by_its_commission_and_both_acts_are_audited(desk):
    doc = await desk.physician()
    officer = await desk.desk("officer_wugang")
    bar = await refusals.record_by_officer(
        desk.session, officer, doc.id_number, RefusalGround.no_civil_capacity, TODAY, None, "判决"
    )
    with pytest.raises(DomainError) as unknown:
        await refusals.lift(desk.session, officer, bar.id + 1000, TODAY)
    assert unknown.value.code == "refusal_ground_not_found"
    lifted = await refusals.lift(desk.session, officer, bar.id, TODAY)
    assert (lifted.lifted_on, lifted.lifted_by) == (TODAY, officer.id)
    with pytest.raises(DomainError) as again:
        await refusals.lift(desk.session, officer, bar.id, TODAY)
    assert (again.value.code, again.value.params) == ("wrong_state", {"state": "lifted"})
    events = (
        await desk.session.scalars(
            select(AuditEvent).where(AuditEvent.physician_id == doc.id).order_by(AuditEvent.id)
        )
    ).all()
    expected = {"bar_id": bar.id, "ground": "no_civil_capacity", "commission_code": "430581"}
    assert [(e.action, e.actor_id, e.actor_role, e.detail) for e in events] == [
        ("refusal_ground_recorded", officer.id, "commission_officer", expected),
        ("refusal_ground_lifted", officer.id, "commission_officer", expected),
    ]


async def test_a_photo_is_seen_by_the_physicians_institution_and_its_licensing_commission(desk):
    doc = await desk.physician()  # no registration yet: the institution chosen at sign-up
    seen = {
        username: await access.may_see_photo(desk.session, await desk.desk(username), doc)
        for username in ("staff_wugang", "officer_wugang", "staff_hunan", "officer_hunan",
                         "operator")
    }  # fmt: skip
    assert seen == {
        "staff_wugang": True, "officer_wugang": True,
        "staff_hunan": False, "officer_hunan": False, "operator": False,
    }  # fmt: skip


async def test_applications_are_listed_to_those_they_concern(desk):
    doc = await desk.physician()
    no = await desk.file(doc, T.registration, **registering(WUGANG))
    visible = {}
    for username in ("staff_wugang", "officer_wugang", "staff_hunan", "officer_hunan", "operator"):
        viewer = await desk.desk(username)
        found = await desk.session.scalar(
            select(Application.application_no).where(
                Application.application_no == no, access.applications_visible_to(viewer)
            )
        )
        visible[username] = found == no
    own = await desk.session.scalar(
        select(Application.application_no).where(access.applications_visible_to(doc))
    )
    other = await desk.physician()
    assert own == no and not await desk.session.scalar(
        select(Application.application_no).where(access.applications_visible_to(other))
    )
    assert visible == {
        "staff_wugang": True, "officer_wugang": True,
        "staff_hunan": False, "officer_hunan": False, "operator": True,
    }  # fmt: skip


async def test_a_ground_recorded_ahead_refuses_from_the_day_it_starts(desk):
    doc = await desk.physician()
    tomorrow = TODAY + timedelta(days=1)
    await refusals.record_by_officer(
        desk.session, await desk.desk("officer_hunan"), doc.id_number,
        RefusalGround.limited_civil_capacity, tomorrow, None, "判决",
    )  # fmt: skip
    assert await desk.plan(doc, T.registration, **registering())
    with pytest.raises(DomainError) as info:
        await desk.plan(doc, T.registration, tomorrow, **registering())
    assert info.value.code == "registration_barred"


async def test_an_officer_records_only_civil_capacity(desk):
    officer = await desk.desk("officer_hunan")
    doc = await desk.physician()
    with pytest.raises(DomainError) as other:
        await refusals.record_by_officer(
            desk.session, officer, doc.id_number, RefusalGround.certificate_revoked, TODAY, None, ""
        )
    assert other.value.code == "refusal_ground_not_recordable"
    with pytest.raises(DomainError) as dates:
        await refusals.record_by_officer(
            desk.session, officer, doc.id_number, RefusalGround.no_civil_capacity, TODAY, TODAY, ""
        )
    assert dates.value.code == "refusal_ground_dates"


@pytest.mark.parametrize(
    ("fields", "ground", "starts_on", "ends_on"),
    [
        # criminal punishment: while the sentence is served and 2 years after
        ({"ground": 2, "ground_arose_on": "2026-11-20", "sentence_ends_on": "2027-06-30"},
         RefusalGround.criminal_punishment, date(2026, 11, 20), date(2029, 6, 30)),
        # ... or the ban on practising, if it runs longer
        ({"ground": 2, "ground_arose_on": "2026-11-20", "sentence_ends_on": "2026-11-20",
          "practice_ban_ends_on": "2031-01-01"},
         RefusalGround.criminal_punishment, date(2026, 11, 20), date(2031, 1, 1)),
        # certificate revoked: 2 years after the revocation
        ({"ground": 3, "ground_arose_on": "2026-11-15"},
         RefusalGround.certificate_revoked, date(2026, 11, 15), date(2028, 11, 15)),
        # failed assessment: 1 year after the cancellation
        ({"ground": 4, "ground_arose_on": "2026-11-15"},
         RefusalGround.failed_assessment, TODAY, date(2027, 12, 1)),
    ],
)  # fmt: skip
async def test_a_cancellation_starts_its_refusal_period(desk, fields, ground, starts_on, ends_on):
    """Issue 13 item 2: cancelled because the certificate was revoked, registered again the
    same day. Now the cancellation records its ground and date and the period it starts."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    staff = await desk.desk("staff_hunan")
    await desk.completed(staff, T.cancellation, registration_id=registration.id, **fields)
    assert (registration.status, registration.cancellation_ground) == (
        "cancelled",
        fields["ground"],
    )
    assert registration.ground_arose_on == date.fromisoformat(fields["ground_arose_on"])
    [bar] = await refusals.running_bars(desk.session, doc.id_number, TODAY)
    assert (bar.ground, bar.starts_on, bar.ends_on) == (ground, starts_on, ends_on)
    refused = await desk.refused(doc, T.registration, **registering())
    assert (refused.code, refused.params["ends_on"]) == (
        "registration_barred_until",
        ends_on.isoformat(),
    )
    assert await desk.plan(doc, T.registration, ends_on, **registering())


async def test_own_request_and_other_grounds_start_no_period(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    await desk.completed(doc, T.cancellation, registration_id=registration.id, ground=10)
    assert registration.cancellation_ground == 10
    assert await refusals.running_bars(desk.session, doc.id_number, TODAY) == []
    assert await desk.plan(doc, T.registration, **registering())


def test_a_period_from_29_february_ends_on_28_february():
    assert refusals.add_years(date(2028, 2, 29), 2) == date(2030, 2, 28)
    assert refusals.period_after_cancellation(6, TODAY, TODAY) is None


# --- assistant upgrade ----------------------------------------------------------------------


async def test_only_an_assistant_registration_is_upgraded(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    refused = await desk.refused(doc, T.assistant_upgrade, registration_id=registration.id)
    assert refused.code == "not_assistant_registration"


async def test_an_upgrade_needs_the_physician_qualification(desk):
    doc = await desk.physician(ASSISTANT_CLINICAL)
    assistant = await desk.registration(doc, WUGANG, level="assistant")
    refused = await desk.refused(doc, T.assistant_upgrade, registration_id=assistant.id)
    assert refused.code == "upgrade_needs_physician_qualification"
    await desk.qualify(doc, "physician", "clinical")
    plan = await desk.plan(doc, T.assistant_upgrade, registration_id=assistant.id)
    assert (plan.institution_code, plan.details["location_code"]) == (WUGANG, "430000")


async def test_an_upgrade_keeps_institution_and_department(desk):
    doc = await desk.physician((("assistant", "clinical"), ("physician", "clinical")))
    assistant = await desk.registration(doc, WUGANG, level="assistant", scope="儿科")
    department = Department(institution_code=WUGANG, name="儿科")
    desk.session.add(department)
    await desk.session.flush()
    assistant.department_id = department.id
    await desk.completed(doc, T.assistant_upgrade, registration_id=assistant.id)
    [new] = await desk.active(doc)
    assert (new.level, new.institution_code, new.scope) == ("physician", WUGANG, "儿科")
    assert (new.department_id, assistant.status) == (department.id, "superseded")


async def test_someone_elses_registration_is_not_found(desk):
    doc, other = await desk.physician(), await desk.physician()
    registration = await desk.registration(other, HUNAN)
    for type_, fields in (
        (T.change, {"scope": "外科"}),
        (T.cancellation, {"ground": 10}),
        (T.transfer_to_military, {"military_unit": "某部"}),
        (T.assistant_upgrade, {}),
    ):
        refused = await desk.refused(doc, type_, registration_id=registration.id, **fields)
        assert refused.code == "registration_not_found", type_
    assert await desk.plan(other, T.change, registration_id=registration.id, scope="外科")


# --- military transfer-in ---------------------------------------------------------------------


def transferring_in(level="physician", category="clinical", scope="外科", certificate="军医字001"):
    return registering(HANGZHOU, category, scope) | {
        "level": level,
        "military_certificate_no": certificate,
    }


async def test_a_military_transfer_in_needs_the_qualification_at_that_level_and_category(desk):
    """Issue 13 item 3: an assistant clinical qualification got a physician dental one."""
    doc = await desk.physician(ASSISTANT_CLINICAL)
    for asked in (
        transferring_in(category="dental", scope="口腔"),
        transferring_in(level="physician"),
    ):
        refused = await desk.refused(doc, T.military_transfer_in, **asked)
        assert refused.code == "qualification_level_missing"
    assert "执业医师" in refused.message("zh") and "physician" in refused.message("en")
    plan = await desk.plan(doc, T.military_transfer_in, **transferring_in(level="assistant"))
    assert plan.details["location_code"] == "330102"  # an assistant's county


@pytest.mark.parametrize(
    ("asked", "code"),
    [
        (transferring_in(certificate="  "), "military_certificate_required"),
        (transferring_in(level="chief"), "level_invalid"),
    ],
)
async def test_a_military_transfer_in_form_is_checked(desk, asked, code):
    doc = await desk.physician()
    assert (await desk.refused(doc, T.military_transfer_in, **asked)).code == code


async def test_a_military_transfer_in_records_the_military_certificate(desk):
    doc = await desk.physician()
    completion = await desk.completed(doc, T.military_transfer_in, **transferring_in())
    [registration] = await desk.active(doc)
    assert registration.military_certificate_no == "军医字001"
    assert (registration.location_code, registration.certificate_no) == (
        "330000",
        completion.certificate_no,
    )


# --- transfer to the military ---------------------------------------------------------------


async def test_transfer_to_the_military_ends_everything_local(desk):
    """Issue 13 item 5: the guide — 地方的注册信息全部失效, legacy multi-site records too."""
    doc = await desk.physician()
    hunan = await desk.registration(doc, HUNAN)
    zhejiang = await desk.registration(doc, HANGZHOU)
    filing = await desk.filing(hunan, WUGANG)
    site = await desk.legacy_site(doc)
    refused = await desk.refused(doc, T.transfer_to_military, registration_id=hunan.id,
                                 military_unit=" ")  # fmt: skip
    assert refused.code == "military_unit_required"
    await desk.completed(
        doc, T.transfer_to_military, registration_id=hunan.id, military_unit="某部"
    )
    for record in (hunan, zhejiang, filing, site):
        await desk.session.refresh(record)
    assert (hunan.status, zhejiang.status) == ("invalid", "invalid")
    assert (filing.status, filing.end_on) == ("ended", TODAY)
    assert site.status == "invalid"


# --- change ---------------------------------------------------------------------------------


async def test_a_change_must_change_something(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    refused = await desk.refused(
        doc, T.change, registration_id=registration.id, scope="内科", institution_code=HUNAN
    )
    assert refused.code == "no_change_requested"
    assert await desk.plan(doc, T.change, registration_id=registration.id, scope="外科")


async def test_a_change_of_category_needs_its_qualification(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    fields = {"registration_id": registration.id, "category": "tcm", "scope": "中医"}
    assert (await desk.refused(doc, T.change, **fields)).code == "category_not_qualified"
    await desk.qualify(doc, "physician", "tcm")
    assert (await desk.plan(doc, T.change, **fields)).details["category"] == "tcm"


async def test_a_change_into_a_taken_location_is_refused(desk):
    doc = await desk.physician()
    hunan = await desk.registration(doc, HUNAN)
    await desk.registration(doc, HANGZHOU)
    refused = await desk.refused(doc, T.change, registration_id=hunan.id, institution_code=ANJI)
    assert refused.code == "already_registered_in_location"
    plan = await desk.plan(doc, T.change, registration_id=hunan.id, institution_code=WUGANG)
    assert (plan.notify_institution_code, plan.details["location_code"]) == (HUNAN, "430000")


async def test_an_assistants_change_stays_in_the_county(desk):
    """Issue 13 item 4: the county leaked."""
    doc = await desk.physician(ASSISTANT_CLINICAL)
    registration = await desk.registration(doc, WUGANG, level="assistant")
    refused = await desk.refused(
        doc, T.change, registration_id=registration.id, institution_code=HUNAN
    )
    assert (refused.code, refused.params) == (
        "assistant_change_other_county",
        {"location_code": "430581"},
    )
    plan = await desk.plan(
        doc, T.change, registration_id=registration.id, institution_code=WUGANG_TCM
    )
    assert plan.details["location_code"] == "430581"


async def test_a_change_of_institution_ends_filings_elsewhere_and_the_department(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    filing = await desk.filing(registration, WUGANG)
    department = Department(institution_code=HUNAN, name="内科")
    desk.session.add(department)
    await desk.session.flush()
    registration.department_id = department.id
    await desk.completed(doc, T.change, registration_id=registration.id, institution_code=HANGZHOU)
    await desk.session.refresh(filing)
    assert (registration.institution_code, registration.location_code) == (HANGZHOU, "330000")
    assert (filing.status, registration.department_id) == ("ended", None)


# --- cancellation ---------------------------------------------------------------------------


async def test_cancellation_grounds_are_one_to_ten(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    refused = await desk.refused(doc, T.cancellation, registration_id=registration.id, ground=11)
    assert refused.code == "cancellation_ground_invalid"


async def test_the_physician_files_only_own_request(desk):
    """Issue 13 item 7; the guide's ten grounds; Registration Measures 2017 art. 18."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    refused = await desk.refused(
        doc, T.cancellation, registration_id=registration.id, ground=2, ground_arose_on=TODAY
    )
    assert refused.code == "cancellation_ground_for_physician"
    plan = await desk.plan(doc, T.cancellation, registration_id=registration.id, ground=10)
    assert plan.details == {"reported_late": False, "filed_as": "physician"}


@pytest.mark.parametrize("username", ["staff_hunan", "officer_hunan"])
async def test_the_institution_and_the_commission_file_grounds_one_to_nine(desk, username):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    filer = await desk.desk(username)
    fields = {"registration_id": registration.id, "ground_arose_on": TODAY}
    refused = await desk.refused(filer, T.cancellation, ground=10, **fields)
    assert refused.code == "cancellation_ground_for_reporter"
    assert await desk.plan(filer, T.cancellation, ground=9, **fields)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"ground": 6}, "ground_date_required"),
        ({"ground": 6, "ground_arose_on": TODAY + timedelta(days=1)}, "ground_date_future"),
        ({"ground": 2, "ground_arose_on": TODAY}, "sentence_end_required"),
    ],
)
async def test_a_report_says_when_the_ground_arose(desk, fields, code):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    staff = await desk.desk("staff_hunan")
    refused = await desk.refused(staff, T.cancellation, registration_id=registration.id, **fields)
    assert refused.code == code
    dated = {"ground_arose_on": TODAY, "sentence_ends_on": TODAY + timedelta(days=300)}
    assert await desk.plan(staff, T.cancellation, registration_id=registration.id,
                           **(fields | dated))  # fmt: skip


@pytest.mark.parametrize(("days", "late"), [(30, False), (31, True)])
async def test_a_report_after_30_days_is_flagged_late(desk, days, late):
    """Physicians Law 2021 art. 17: the institution reports within 30 days."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    plan = await desk.plan(
        await desk.desk("staff_hunan"),
        T.cancellation,
        registration_id=registration.id,
        ground=6,
        ground_arose_on=TODAY - timedelta(days=days),
    )
    assert plan.details["reported_late"] is late


async def test_a_commission_is_never_late(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    plan = await desk.plan(
        await desk.desk("officer_hunan"),
        T.cancellation,
        registration_id=registration.id,
        ground=1,
        ground_arose_on=TODAY - timedelta(days=400),
    )
    assert plan.details["reported_late"] is False


# --- filings --------------------------------------------------------------------------------


def filing_at(institution_code, start="2027-01-01", end=None) -> dict:
    return {"institution_code": institution_code, "start_on": start, "end_on": end}


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (filing_at(HANGZHOU), "filing_other_province"),
        (filing_at(HUNAN), "filing_at_primary"),
        (filing_at(WUGANG, end="2026-12-31"), "filing_dates"),
    ],
)
async def test_a_filing_is_a_further_institution_of_the_location(desk, at, code):
    """Registration Measures 2017 art. 10."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    refused = await desk.refused(doc, T.filing, registration_id=registration.id, **at)
    assert refused.code == code
    plan = await desk.plan(doc, T.filing, registration_id=registration.id, **filing_at(WUGANG))
    assert (plan.institution_code, plan.commission_code) == (WUGANG, "430581")


async def test_a_filing_is_made_once(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    await desk.filing(registration, WUGANG)
    refused = await desk.refused(doc, T.filing, registration_id=registration.id,
                                 **filing_at(WUGANG))  # fmt: skip
    assert refused.code == "filing_exists"


async def test_an_assistants_filing_stays_in_the_county(desk):
    """Issue 13 item 4: an assistant of 武冈市 filed at a Changsha institution."""
    doc = await desk.physician(ASSISTANT_CLINICAL)
    registration = await desk.registration(doc, WUGANG, level="assistant")
    refused = await desk.refused(doc, T.filing, registration_id=registration.id,
                                 **filing_at(HUNAN))  # fmt: skip
    assert (refused.code, refused.params) == ("filing_other_county", {"location_code": "430581"})
    plan = await desk.plan(doc, T.filing, registration_id=registration.id,
                           **filing_at(WUGANG_TCM))  # fmt: skip
    assert plan.institution_code == WUGANG_TCM


async def test_only_ones_own_active_filing_is_cancelled(desk):
    doc, other = await desk.physician(), await desk.physician()
    theirs = await desk.filing(await desk.registration(other, HUNAN), WUGANG)
    mine = await desk.filing(await desk.registration(doc, HUNAN), WUGANG)
    for filing_id in (theirs.id, 987654):
        refused = await desk.refused(doc, T.filing_cancellation, filing_id=filing_id)
        assert refused.code == "filing_not_found"
    assert (await desk.plan(doc, T.filing_cancellation, filing_id=mine.id)).institution_code == (
        WUGANG
    )


async def test_only_ones_own_legacy_site_is_cancelled(desk):
    doc, other = await desk.physician(), await desk.physician()
    theirs, mine = await desk.legacy_site(other), await desk.legacy_site(doc)
    refused = await desk.refused(doc, T.legacy_multisite_cancellation, legacy_site_id=theirs.id)
    assert refused.code == "legacy_site_not_found"
    plan = await desk.plan(doc, T.legacy_multisite_cancellation, legacy_site_id=mine.id)
    assert plan.institution_code == ANJI


# --- completion -----------------------------------------------------------------------------


async def test_at_completion_the_rules_are_checked_again_and_refusals_are_words(desk):
    """Issue 13 item 6: the physician was told ``rule:already_registered_in_location``."""
    doc = await desk.physician()
    no = await desk.file(doc, T.registration, **registering(HUNAN))
    await desk.registration(doc, WUGANG)  # meanwhile
    completion = await desk.complete(no)
    assert (completion.completed, completion.refusal_code) == (
        False,
        "already_registered_in_location",
    )
    assert completion.refusal_zh.startswith("您在该执业地点（430000）已有有效注册")
    assert completion.refusal_en.startswith("You already hold a registration")
    assert "rule:" not in completion.refusal_zh + completion.refusal_en


async def test_a_refusal_ground_arising_before_completion_refuses_it_with_its_end(desk):
    doc = await desk.physician()
    no = await desk.file(doc, T.registration, **registering(HUNAN))
    await desk.bar(doc, RefusalGround.certificate_revoked, TODAY, date(2028, 12, 1))
    completion = await desk.complete(no)
    assert completion.refusal_code == "registration_barred_until"
    assert "2028-12-01" in completion.refusal_zh and "2028-12-01" in completion.refusal_en


async def test_a_completion_is_made_once(desk):
    doc = await desk.physician()
    no = await desk.file(doc, T.registration, **registering(HUNAN))
    first, again = await desk.complete(no), await desk.complete(no)
    assert first.completed and again == first
    assert len(await desk.active(doc)) == 1


async def test_a_staff_report_filed_before_dates_were_asked_still_completes(desk):
    """Form rules are checked at submission only: an application stored before them (no date)
    completes, its period counted from the cancellation."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    staff = await desk.desk("staff_hunan")
    no = await desk.file(staff, T.cancellation, registration_id=registration.id, ground=3,
                         ground_arose_on=TODAY)  # fmt: skip
    stored = await desk.session.scalar(select(Application).where(Application.application_no == no))
    stored.details = {
        **stored.details,
        "fields": {"registration_id": registration.id, "ground": 3},
    }
    stored.details.pop("filed_as")
    assert (await desk.complete(no)).completed
    [bar] = await refusals.running_bars(desk.session, doc.id_number, TODAY)
    assert (bar.starts_on, bar.ends_on) == (TODAY, date(2028, 12, 1))


# --- the physician's institution (registry/institutions.py) --------------------------------------


async def test_the_physicians_institution_comes_from_the_registry(desk):
    """Issue 13 item 1: the sign-up institution was frozen. Before any registration it is
    that; then the primary institution of the most recent registration, or the one named."""
    doc = await desk.physician(signed_up_at=WUGANG)
    assert await institutions.institution_of(desk.session, doc) == WUGANG
    hunan = await desk.registration(doc, HUNAN, registered_on=date(2022, 1, 1))
    assert await institutions.institution_of(desk.session, doc) == HUNAN
    await desk.registration(doc, HANGZHOU, registered_on=date(2024, 1, 1))
    assert await institutions.institution_of(desk.session, doc) == HANGZHOU
    assert await institutions.institution_of(desk.session, doc, hunan.id) == HUNAN
    assert await institutions.institutions_of(desk.session, doc) == {HUNAN, HANGZHOU}
    other = await desk.registration(await desk.physician(), ANJI)
    with pytest.raises(DomainError) as info:
        await institutions.institution_of(desk.session, doc, other.id)
    assert info.value.code == "registration_not_found"
    hunan.status = "cancelled"
    await desk.session.flush()
    assert await institutions.institutions_of(desk.session, doc) == {HANGZHOU}
    # every registration ended (cancelled, to the military): the sign-up hospital is not theirs
    for registration in await desk.active(doc):
        registration.status = "invalid"
    await desk.session.flush()
    assert await institutions.institution_of(desk.session, doc) is None
    assert await institutions.institutions_of(desk.session, doc) == set()


async def test_the_most_recent_registration_is_the_latest_registered_not_the_latest_entered(desk):
    """Registrations entered out of order (an older one imported after a newer one): the most
    recent is the one registered last; on the same day, the one entered last."""
    doc = await desk.physician()
    await desk.registration(doc, HANGZHOU, registered_on=date(2024, 1, 1))
    await desk.registration(doc, HUNAN, registered_on=date(2020, 1, 1))
    assert await institutions.institution_of(desk.session, doc) == HANGZHOU
    same_day = await desk.physician()
    await desk.registration(same_day, HUNAN, registered_on=date(2024, 1, 1))
    await desk.registration(same_day, HANGZHOU, registered_on=date(2024, 1, 1))
    assert await institutions.institution_of(desk.session, same_day) == HANGZHOU


async def test_reviews_at_a_former_institution_are_stale_after_a_change(desk):
    doc = await desk.physician(signed_up_at=WUGANG)
    registration = await desk.registration(doc, HUNAN)
    at_hunan = ProfileReview(
        account_id=doc.id, kind="personal_info", institution_code=HUNAN,
        state="awaiting_institution", open_slot="personal_info",
    )  # fmt: skip
    desk.session.add(at_hunan)
    # neither another physician's open review at Hunan nor this one's closed review there is
    # this change's to end
    someone_else = ProfileReview(
        account_id=(await desk.physician()).id, kind="photo", institution_code=HUNAN,
        state="awaiting_institution", open_slot="photo",
    )  # fmt: skip
    closed = ProfileReview(
        account_id=doc.id, kind="photo", institution_code=HUNAN, state="approved", open_slot=None
    )
    desk.session.add_all([someone_else, closed])
    await desk.session.flush()
    no = await desk.file(doc, T.change, registration_id=registration.id, institution_code=WUGANG)
    assert await institutions.stale_reviews(desk.session, doc.id) == []
    completion = await desk.complete(no)
    assert completion.stale_reviews == [at_hunan.id]
    at_wugang = ProfileReview(
        account_id=doc.id, kind="photo", institution_code=WUGANG,
        state="awaiting_institution", open_slot="photo",
    )  # fmt: skip
    desk.session.add(at_wugang)
    await desk.session.flush()
    assert await institutions.stale_reviews(desk.session, doc.id) == [at_hunan.id]
    registration.status = "cancelled"  # the last one: no institution is the physician's
    await desk.session.flush()
    assert await institutions.stale_reviews(desk.session, doc.id) == [at_hunan.id, at_wugang.id]


async def test_a_department_is_chosen_per_registration(desk):
    doc = await desk.physician(signed_up_at=WUGANG)
    at_wugang = Department(institution_code=WUGANG, name="全科")
    at_hunan = Department(institution_code=HUNAN, name="心内科")
    desk.session.add_all([at_wugang, at_hunan])
    await desk.session.flush()
    with pytest.raises(DomainError) as info:
        await profile.choose_department(desk.session, doc, at_hunan.id)
    assert info.value.code == "department_not_in_list"
    await profile.choose_department(desk.session, doc, at_wugang.id)  # before any registration
    assert (await profile.department_of(desk.session, doc))[1].id == at_wugang.id

    registration = await desk.registration(doc, HUNAN)
    assert await profile.department_of(desk.session, doc) == (HUNAN, None)
    with pytest.raises(DomainError):
        await profile.choose_department(desk.session, doc, at_wugang.id)
    await profile.choose_department(desk.session, doc, at_hunan.id, registration.id)
    assert registration.department_id == at_hunan.id
    assert (await profile.department_of(desk.session, doc))[1].id == at_hunan.id
