"""What a completed application writes in the registry (``registry/applications.py``
``complete`` and the ``_apply_*`` functions), read back from the database as the registry shows
it: the new or changed registration and its certificate number, the filings and legacy records
ended, and what a second completion returns. Built with the fixtures of
``tests/unit/test_application_rules.py``.
"""

from datetime import date, timedelta

from sqlalchemy import select

from registry import applications, refusals
from registry.application_types import ApplicationState
from registry.models import Application, Department, Filing, LegacySite, ProfileReview, Registration
from tests.unit import test_application_rules as rules
from tests.unit.test_application_rules import (
    ANJI,
    ASSISTANT_CLINICAL,
    HANGZHOU,
    HUNAN,
    TODAY,
    WUGANG,
    WUGANG_TCM,
    T,
    registering,
)

template, desk = rules.template, rules.desk


async def _application(desk, no: str) -> Application:
    return await desk.session.scalar(select(Application).where(Application.application_no == no))


async def _filings(desk, registration: Registration) -> list[Filing]:
    rows = await desk.session.scalars(
        select(Filing).where(Filing.registration_id == registration.id).order_by(Filing.id)
    )
    return list(rows)


# --- a new registration ----------------------------------------------------------------------


async def test_a_completed_registration_is_what_was_asked_with_its_certificate_number(desk):
    """执业证书编码: level, category, the location's province, the year, a 7-digit serial."""
    doc = await desk.physician()
    no = await desk.file(doc, T.registration, **registering(WUGANG, scope="外科"))
    completion = await desk.complete(no)
    [registration] = await desk.active(doc)
    assert (
        registration.id_number, registration.name, registration.level, registration.category,
        registration.scope, registration.institution_code, registration.location_code,
        registration.registered_on, registration.source_application_no,
    ) == (
        doc.id_number, doc.name, "physician", "clinical",
        "外科", WUGANG, "430000",
        TODAY, no,
    )  # fmt: skip
    assert completion.certificate_no == registration.certificate_no
    assert registration.certificate_no == f"11432026{registration.id:07d}"
    application = await _application(desk, no)
    assert (application.state, application.certificate_no, application.open_slot) == (
        ApplicationState.completed,
        registration.certificate_no,
        None,
    )


async def test_an_assistants_certificate_number_says_assistant_and_its_category(desk):
    doc = await desk.physician((("assistant", "tcm"),))
    await desk.completed(doc, T.registration, date(2027, 3, 1), **registering(ANJI, "tcm", "中医"))
    [registration] = await desk.active(doc)
    assert (registration.level, registration.location_code) == ("assistant", "330523")
    assert registration.certificate_no == f"22332027{registration.id:07d}"


def test_certificate_numbers_of_each_category():
    """The category digit: clinical 1, TCM 2, dental 3, public health 4."""
    numbers = {
        category: applications.certificate_number(
            Registration(
                id=42, level=level, category=category, location_code=location,
                registered_on=date(2025, 6, 1),
            )
        )
        for level, category, location in (
            ("physician", "clinical", "430000"), ("assistant", "tcm", "330523"),
            ("physician", "dental", "110000"), ("assistant", "public_health", "650102"),
        )
    }  # fmt: skip
    assert numbers == {
        "clinical": "114320250000042",
        "tcm": "223320250000042",
        "dental": "131120250000042",
        "public_health": "246520250000042",
    }


async def test_a_collective_registration_completes_for_a_physician_without_an_account(desk):
    """Physicians Law 2021 art. 13: the institution files for one of its physicians, who may
    have no account yet; the registration is theirs by name and ID number."""
    doc = await desk.physician()
    subject = applications.Subject(None, doc.name, doc.id_number)
    fields = applications.RegistrationFields(**registering(WUGANG, scope="儿科"))
    plan = await applications.plan_collective(desk.session, subject, fields, TODAY)
    assert plan.details == {
        "level": "physician",
        "location_code": "430000",
        "filed_as": "institution",
    }
    assert (plan.institution_code, plan.commission_code, plan.province_code) == (
        WUGANG,
        "430581",
        "430000",
    )


# --- an upgrade, a military transfer-in --------------------------------------------------------


async def test_an_upgrade_ends_the_assistant_registration_and_its_filings_today(desk):
    doc = await desk.physician((("assistant", "clinical"), ("physician", "clinical")))
    assistant = await desk.registration(doc, WUGANG, level="assistant")
    filing = await desk.filing(assistant, WUGANG_TCM)
    day = TODAY + timedelta(days=3)
    completion = await desk.completed(doc, T.assistant_upgrade, day, registration_id=assistant.id)
    await desk.session.refresh(assistant)
    await desk.session.refresh(filing)
    assert (assistant.status, assistant.ended_on) == ("superseded", day)
    assert (filing.status, filing.end_on) == ("ended", day)
    [new] = await desk.active(doc)
    assert (new.level, new.location_code, new.registered_on, new.certificate_no) == (
        "physician",
        "430000",
        day,
        completion.certificate_no,
    )


async def test_a_military_transfer_in_registers_the_scope_and_level_asked(desk):
    doc = await desk.physician(ASSISTANT_CLINICAL)
    await desk.completed(
        doc,
        T.military_transfer_in,
        **registering(ANJI, scope="儿科"),
        level="assistant",
        military_certificate_no=" 军医字2019007 ",
    )
    [registration] = await desk.active(doc)
    assert (
        registration.level, registration.category, registration.scope,
        registration.institution_code, registration.location_code,
        registration.military_certificate_no,
    ) == ("assistant", "clinical", "儿科", ANJI, "330523", "军医字2019007")  # fmt: skip


# --- transfer to the military ------------------------------------------------------------------


async def test_transfer_to_the_military_leaves_other_physicians_and_ended_records_alone(desk):
    doc, other = await desk.physician(), await desk.physician()
    mine = await desk.registration(doc, HUNAN)
    theirs = await desk.registration(other, HUNAN)
    their_site = await desk.legacy_site(other)
    cancelled_site = await desk.legacy_site(doc)
    cancelled_site.status = "cancelled"
    await desk.session.flush()
    await desk.completed(doc, T.transfer_to_military, registration_id=mine.id, military_unit="某部")
    for record in (mine, theirs, their_site, cancelled_site):
        await desk.session.refresh(record)
    assert (mine.status, mine.ended_on) == ("invalid", TODAY)
    assert (theirs.status, theirs.ended_on) == ("active", None)
    assert (their_site.status, cancelled_site.status) == ("active", "cancelled")


# --- filings and legacy records ----------------------------------------------------------------


async def test_a_completed_filing_is_recorded_with_its_dates(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    no = await desk.file(
        doc,
        T.filing,
        registration_id=registration.id,
        institution_code=WUGANG,
        start_on="2027-01-04",
        end_on="2027-12-31",
    )
    completion = await desk.complete(no)
    [filing] = await _filings(desk, registration)
    assert (
        filing.institution_code, filing.start_on, filing.end_on, filing.status,
        filing.source_application_no,
    ) == (WUGANG, date(2027, 1, 4), date(2027, 12, 31), "active", no)  # fmt: skip
    # a filing is no new certificate: the registration's stays
    assert (completion.completed, completion.certificate_no) == (True, None)
    assert registration.certificate_no.startswith("R")


async def test_a_completed_filing_cancellation_ends_that_filing_only(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    wugang = await desk.filing(registration, WUGANG)
    tcm = await desk.filing(registration, WUGANG_TCM)
    day = TODAY + timedelta(days=2)
    await desk.completed(doc, T.filing_cancellation, day, filing_id=wugang.id)
    for filing in (wugang, tcm):
        await desk.session.refresh(filing)
    assert (wugang.status, wugang.end_on) == ("cancelled", day)
    assert (tcm.status, tcm.end_on) == ("active", None)
    refused = await desk.refused(doc, T.filing_cancellation, filing_id=wugang.id)
    assert refused.code == "filing_not_found"


async def test_a_completed_legacy_cancellation_cancels_that_record_only(desk):
    doc = await desk.physician()
    anji, hangzhou = await desk.legacy_site(doc), await desk.legacy_site(doc, HANGZHOU)
    await desk.completed(doc, T.legacy_multisite_cancellation, legacy_site_id=anji.id)
    for site in (anji, hangzhou):
        await desk.session.refresh(site)
    assert (anji.status, hangzhou.status) == ("cancelled", "active")
    refused = await desk.refused(doc, T.legacy_multisite_cancellation, legacy_site_id=anji.id)
    assert refused.code == "legacy_site_not_found"
    assert await desk.session.get(LegacySite, hangzhou.id)


# --- a cancellation ----------------------------------------------------------------------------


async def test_a_cancellation_ends_the_registration_and_its_filings_today(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    other = await desk.registration(doc, HANGZHOU)
    filing = await desk.filing(registration, WUGANG)
    others_filing = await desk.filing(other, ANJI)
    day = TODAY + timedelta(days=5)
    completion = await desk.completed(
        doc, T.cancellation, day, registration_id=registration.id, ground=10
    )
    for record in (registration, other, filing, others_filing):
        await desk.session.refresh(record)
    assert (registration.status, registration.ended_on) == ("cancelled", day)
    assert (registration.cancellation_ground, registration.ground_arose_on) == (10, None)
    assert (filing.status, filing.end_on) == ("ended", day)
    assert (other.status, other.ended_on) == ("active", None)
    assert (others_filing.status, others_filing.end_on) == ("active", None)
    assert completion.certificate_no is None


async def test_a_reported_cancellation_records_its_period_with_the_commission(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    staff = await desk.desk("staff_hunan")
    no = await desk.file(
        staff,
        T.cancellation,
        registration_id=registration.id,
        ground=3,
        ground_arose_on="2026-11-10",
    )
    await desk.complete(no)
    [bar] = await refusals.running_bars(desk.session, doc.id_number, TODAY)
    assert (bar.source_application_no, bar.commission_code, bar.starts_on, bar.ends_on) == (
        no,
        "430000",
        date(2026, 11, 10),
        date(2028, 11, 10),
    )
    assert registration.ground_arose_on == date(2026, 11, 10)


# --- completing: again, refused, of older applications ----------------------------------------


async def test_a_completion_asked_again_names_the_same_stale_reviews(desk):
    """A retried completion (the workflow's activity ran twice) answers as the first did,
    so the reviews at the former institution are ended either way."""
    doc = await desk.physician(signed_up_at=WUGANG)
    registration = await desk.registration(doc, HUNAN)
    review = ProfileReview(
        account_id=doc.id, kind="photo", institution_code=HUNAN,
        state="awaiting_institution", open_slot="photo",
    )  # fmt: skip
    desk.session.add(review)
    await desk.session.flush()
    no = await desk.file(doc, T.change, registration_id=registration.id, institution_code=WUGANG)
    first = await desk.complete(no)
    again = await desk.complete(no, TODAY + timedelta(days=1))
    assert first.stale_reviews == [review.id]
    assert again == first


async def test_every_completed_application_gives_up_its_slot(desk):
    """The slot is what keeps a second application on the same registration from opening;
    completed applications hold none, however many there are."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    first = await desk.file(doc, T.change, registration_id=registration.id, scope="外科")
    await desk.complete(first)
    second = await desk.file(doc, T.change, registration_id=registration.id, scope="儿科")
    await desk.complete(second)
    for no in (first, second):
        application = await _application(desk, no)
        assert (application.state, application.open_slot) == (ApplicationState.completed, None)
    assert registration.scope == "儿科"


async def test_a_refused_completion_changes_nothing_and_says_why_in_both_languages(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    no = await desk.file(doc, T.change, registration_id=registration.id, institution_code=HANGZHOU)
    await desk.registration(doc, ANJI)  # meanwhile
    completion = await desk.complete(no)
    assert completion.model_dump() == {
        "completed": False,
        "certificate_no": None,
        "refusal_code": "already_registered_in_location",
        "refusal_zh": "您在该执业地点（330000）已有有效注册；一个执业地点只能有一个主要执业机构。",
        "refusal_en": "You already hold a registration at this location (330000); a location "
        "has exactly one primary institution.",
        "stale_reviews": [],
    }
    application = await _application(desk, no)
    assert application.state == ApplicationState.under_review
    assert (registration.institution_code, registration.location_code) == (HUNAN, "430000")


async def test_a_physicians_request_filed_before_its_authority_was_recorded_completes(desk):
    """An application stored before ``filed_as`` was: the filer's role says it."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    no = await desk.file(doc, T.cancellation, registration_id=registration.id, ground=10)
    stored = await _application(desk, no)
    stored.details = {k: v for k, v in stored.details.items() if k != "filed_as"}
    await desk.session.flush()
    assert (await desk.complete(no)).completed
    assert (registration.status, registration.cancellation_ground) == ("cancelled", 10)


# --- a change, completed -----------------------------------------------------------------------


async def test_a_change_within_the_institution_keeps_the_department_and_the_filings(desk):
    doc = await desk.physician((("physician", "clinical"), ("physician", "tcm")))
    registration = await desk.registration(doc, HUNAN)
    filing = await desk.filing(registration, WUGANG)
    department = Department(institution_code=HUNAN, name="中医科")
    desk.session.add(department)
    await desk.session.flush()
    registration.department_id = department.id
    completion = await desk.completed(
        doc, T.change, registration_id=registration.id, category="tcm", scope="中医"
    )
    await desk.session.refresh(filing)
    assert (registration.category, registration.scope, registration.department_id) == (
        "tcm",
        "中医",
        department.id,
    )
    assert (filing.status, filing.end_on) == ("active", None)
    assert completion.certificate_no == registration.certificate_no


async def test_a_change_in_the_province_keeps_filings_there_and_ends_those_elsewhere(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    in_hunan = await desk.filing(registration, WUGANG_TCM)
    in_zhejiang = await desk.filing(registration, ANJI)  # recorded before the rule was kept
    day = TODAY + timedelta(days=4)
    await desk.completed(
        doc, T.change, day, registration_id=registration.id, institution_code=WUGANG
    )
    for filing in (in_hunan, in_zhejiang):
        await desk.session.refresh(filing)
    assert (registration.institution_code, registration.location_code) == (WUGANG, "430000")
    assert (in_hunan.status, in_hunan.end_on) == ("active", None)
    assert (in_zhejiang.status, in_zhejiang.end_on) == ("ended", day)


async def test_an_ended_filing_keeps_its_end_when_the_registration_ends(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    cancelled = await desk.filing(registration, WUGANG)
    cancelled.status, cancelled.end_on = "cancelled", date(2025, 6, 30)
    await desk.session.flush()
    await desk.completed(doc, T.cancellation, registration_id=registration.id, ground=10)
    await desk.session.refresh(cancelled)
    assert (cancelled.status, cancelled.end_on) == ("cancelled", date(2025, 6, 30))


async def test_a_change_to_another_province_ends_only_this_registrations_active_filings(desk):
    doc, other = await desk.physician(), await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    active = await desk.filing(registration, WUGANG)
    cancelled = await desk.filing(registration, WUGANG_TCM)
    cancelled.status, cancelled.end_on = "cancelled", date(2025, 6, 30)
    theirs = await desk.filing(await desk.registration(other, HUNAN), WUGANG)
    await desk.completed(doc, T.change, registration_id=registration.id, institution_code=HANGZHOU)
    for filing in (active, cancelled, theirs):
        await desk.session.refresh(filing)
    assert (active.status, active.end_on) == ("ended", TODAY)
    assert (cancelled.status, cancelled.end_on) == ("cancelled", date(2025, 6, 30))
    assert (theirs.status, theirs.end_on) == ("active", None)
