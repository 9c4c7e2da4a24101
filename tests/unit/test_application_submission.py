"""Edges of the submission rules (``registry/applications.py`` ``plan`` and the planners) that
``tests/unit/test_application_rules.py`` leaves open: what a refusal names (its parameters, in
both languages), whose records count, the order registrations are compared in, and everything a
valid submission decides (who decides it, what it is about, what it will change). Built with
the fixtures of that module; one refused and one passing case per edge.
"""

import hashlib
from datetime import date, timedelta

import pytest

from registry import applications
from registry.application_types import FIELDS, RegistrationFields
from registry.errors import DomainError
from registry.models import Account, Registration
from registry.refusals import RefusalGround
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
    filing_at,
    registering,
    transferring_in,
)

template, desk = rules.template, rules.desk
Plan = applications.Plan


async def _submitted(desk, filer: Account, type_, **fields):
    """The subject and plan of a submission, as the service gets them."""
    return await applications.plan(
        desk.session, type_, FIELDS[type_].model_validate(fields), filer, TODAY
    )


# --- who may file ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["operator", "staff_hunan", "officer_hunan"])
async def test_only_staff_and_officers_report_and_only_cancellations(desk, username):
    """An operator files nothing; staff and officers file a cancellation, nothing else."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    filer = await desk.desk(username)
    fields = {"registration_id": registration.id, "ground": 6, "ground_arose_on": TODAY}
    for type_, asked in (
        (T.registration, registering()),
        (T.filing, {"registration_id": registration.id, **filing_at(WUGANG)}),
        (T.transfer_to_military, {"registration_id": registration.id, "military_unit": "某部"}),
    ):
        assert (await desk.refused(filer, type_, **asked)).code == "forbidden", type_
    if username == "operator":
        assert (await desk.refused(filer, T.cancellation, **fields)).code == "forbidden"
    else:
        assert (await desk.plan(filer, T.cancellation, **fields)).registration_id == (
            registration.id
        )


@pytest.mark.parametrize("username", ["staff_hunan", "officer_hunan"])
async def test_a_report_is_about_the_registrations_holder(desk, username):
    """The subject of a reported cancellation is the registration's physician, by their
    account when they have one; a physician without an account is named by the registry."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    filer = await desk.desk(username)
    fields = {"registration_id": registration.id, "ground": 6, "ground_arose_on": TODAY}
    subject, plan = await _submitted(desk, filer, T.cancellation, **fields)
    assert subject == applications.Subject(doc.id, doc.name, doc.id_number)
    assert plan == Plan(
        institution_code=HUNAN,
        commission_code="430000",
        province_code="430000",
        open_slot=f"registration:{registration.id}",
        registration_id=registration.id,
        details={"reported_late": False, "filed_as": applications.filed_as(filer.role).value},
    )

    without_account = Registration(
        id_number="43058119800101002X", name="李娜", level="physician", category="clinical",
        scope="内科", location_code="430000", institution_code=HUNAN,
        certificate_no="R00000000000099", registered_on=date(2021, 1, 1),
    )  # fmt: skip
    desk.session.add(without_account)
    await desk.session.flush()
    fields["registration_id"] = without_account.id
    subject, _ = await _submitted(desk, filer, T.cancellation, **fields)
    assert subject == applications.Subject(None, "李娜", "43058119800101002X")


@pytest.mark.parametrize("username", ["staff_hunan", "officer_hunan"])
async def test_a_report_on_an_ended_or_unknown_registration_is_refused(desk, username):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    registration.status = "cancelled"
    await desk.session.flush()
    filer = await desk.desk(username)
    for registration_id in (registration.id, 987654):
        refused = await desk.refused(
            filer, T.cancellation, registration_id=registration_id, ground=6,
            ground_arose_on=TODAY,
        )  # fmt: skip
        assert refused.code == "registration_not_found"


async def test_ones_own_ended_registration_is_not_found(desk):
    doc = await desk.physician()
    ended = await desk.registration(doc, HUNAN)
    ended.status = "cancelled"
    await desk.session.flush()
    for type_, fields in (
        (T.change, {"scope": "外科"}),
        (T.cancellation, {"ground": 10}),
        (T.filing, filing_at(WUGANG)),
    ):
        refused = await desk.refused(doc, type_, registration_id=ended.id, **fields)
        assert refused.code == "registration_not_found", type_


# --- what a refusal names ----------------------------------------------------------------------


async def test_a_scope_of_another_category_is_named_with_the_category(desk):
    doc = await desk.physician()
    refused = await desk.refused(doc, T.registration, **registering(scope="中医"))
    assert (refused.code, refused.params) == (
        "scope_not_in_category",
        {"scope": "中医", "category": "clinical"},
    )
    assert refused.message("zh") == "执业范围“中医”不属于该执业类别（clinical）。"


async def test_a_missing_qualification_names_the_category(desk):
    doc = await desk.physician()
    refused = await desk.refused(doc, T.registration, **registering(category="tcm", scope="中医"))
    assert (refused.code, refused.params) == ("qualification_missing", {"category": "tcm"})


async def test_a_military_transfer_in_refusal_names_level_and_category_in_each_language(desk):
    doc = await desk.physician(ASSISTANT_CLINICAL)
    refused = await desk.refused(
        doc, T.military_transfer_in, **transferring_in(level="assistant", category="dental",
                                                       scope="口腔")
    )  # fmt: skip
    assert refused.message("zh") == "未查到您在该级别和类别（执业助理医师，口腔）的医师资格。"
    assert refused.message("en") == (
        "You hold no qualification at this level and category (assistant physician, Dental)."
    )


# --- whose qualification counts ----------------------------------------------------------------


async def test_a_qualification_counts_for_its_holder_by_name_and_id_number(desk):
    """The qualification record is matched by name and ID number (the registry keeps no
    account on it): the same number under another name, or the same name under another
    number, is someone else's."""
    doc = await desk.physician(qualifications=())
    namesake = await desk.physician(qualifications=())
    namesake.name = doc.name
    await desk.qualify(namesake, "physician", "clinical")
    renamed = Account(name="王" + doc.name[1:], id_number=doc.id_number)
    await desk.qualify(renamed, "physician", "clinical")
    refused = await desk.refused(doc, T.registration, **registering())
    assert refused.code == "qualification_missing"
    await desk.qualify(doc, "physician", "clinical")
    assert (await desk.plan(doc, T.registration, **registering())).details["level"] == "physician"


async def test_with_both_levels_a_physician_registers_at_the_higher(desk):
    doc = await desk.physician((("assistant", "clinical"), ("physician", "clinical")))
    plan = await desk.plan(doc, T.registration, **registering(WUGANG))
    assert plan.details == {
        "level": "physician",
        "location_code": "430000",
        "filed_as": "physician",
    }


# --- locations ---------------------------------------------------------------------------------


async def test_every_registration_is_compared_not_only_the_most_recent(desk):
    """The first registration compared (the most recent) may be elsewhere; the location is
    taken by an older one."""
    doc = await desk.physician()
    await desk.registration(doc, HUNAN, registered_on=date(2020, 1, 1))
    await desk.registration(doc, HANGZHOU, registered_on=date(2024, 1, 1))
    refused = await desk.refused(doc, T.registration, **registering(WUGANG))
    assert (refused.code, refused.params) == (
        "already_registered_in_location",
        {"location_code": "430000"},
    )


async def test_a_change_compares_the_other_registrations_after_its_own(desk):
    """The registration being changed is skipped (it is the one moving), not the end of the
    comparison: an older one in the new location still refuses."""
    doc = await desk.physician()
    await desk.registration(doc, HANGZHOU, registered_on=date(2020, 1, 1))
    hunan = await desk.registration(doc, HUNAN, registered_on=date(2024, 1, 1))
    refused = await desk.refused(doc, T.change, registration_id=hunan.id, institution_code=ANJI)
    assert (refused.code, refused.params) == (
        "already_registered_in_location",
        {"location_code": "330000"},
    )
    plan = await desk.plan(doc, T.change, registration_id=hunan.id, institution_code=WUGANG)
    assert plan.details["location_code"] == "430000"


async def test_an_assistant_registration_where_a_physician_one_is_active_is_refused(desk):
    """The location of an assistant (a county) lies in the province of the physician
    registration: one primary institution per location."""
    doc = await desk.physician((("assistant", "tcm"), ("physician", "clinical")))
    await desk.registration(doc, HUNAN)
    refused = await desk.refused(doc, T.registration, **registering(WUGANG, "tcm", "中医"))
    assert (refused.code, refused.params) == (
        "already_registered_in_location",
        {"location_code": "430000"},
    )
    plan = await desk.plan(doc, T.registration, **registering(ANJI, "tcm", "中医"))
    assert plan.details["location_code"] == "330523"


async def test_an_upgrade_is_refused_where_a_physician_registration_holds_the_province(desk):
    """An assistant registration may sit in another province beside a physician one; its
    upgrade would put two primary institutions in that province."""
    doc = await desk.physician((("assistant", "clinical"), ("physician", "clinical")))
    assistant = await desk.registration(doc, WUGANG, level="assistant")
    await desk.registration(doc, HUNAN)
    refused = await desk.refused(doc, T.assistant_upgrade, registration_id=assistant.id)
    assert (refused.code, refused.params) == (
        "already_registered_in_location",
        {"location_code": "430000"},
    )


async def test_the_upgrade_instead_names_the_province(desk):
    doc = await desk.physician((("assistant", "clinical"), ("physician", "clinical")))
    await desk.registration(doc, ANJI, level="assistant")
    refused = await desk.refused(doc, T.registration, **registering(HANGZHOU))
    assert (refused.code, refused.params) == (
        "assistant_upgrade_instead",
        {"province_code": "330000"},
    )


# --- what a valid submission decides -----------------------------------------------------------


async def test_a_registration_is_decided_by_the_institutions_commission(desk):
    doc = await desk.physician(ASSISTANT_CLINICAL)
    plan = await desk.plan(doc, T.registration, **registering(ANJI))
    assert plan == Plan(
        institution_code=ANJI,
        commission_code="330523",
        province_code="330000",
        open_slot=f"location:{doc.id}:330523",
        details={"level": "assistant", "location_code": "330523", "filed_as": "physician"},
    )


async def test_an_upgrade_is_about_the_assistant_registration(desk):
    doc = await desk.physician((("assistant", "clinical"), ("physician", "clinical")))
    assistant = await desk.registration(doc, ANJI, level="assistant")
    plan = await desk.plan(doc, T.assistant_upgrade, registration_id=assistant.id)
    assert plan == Plan(
        institution_code=ANJI,
        commission_code="330523",
        province_code="330000",
        open_slot=f"registration:{assistant.id}",
        registration_id=assistant.id,
        details={"location_code": "330000", "filed_as": "physician"},
    )


async def test_a_military_transfer_in_is_about_the_physicians_new_location(desk):
    doc = await desk.physician()
    plan = await desk.plan(doc, T.military_transfer_in, **transferring_in())
    assert plan == Plan(
        institution_code=HANGZHOU,
        commission_code="330000",
        province_code="330000",
        open_slot=f"location:{doc.id}:330000",
        details={"location_code": "330000", "filed_as": "physician"},
    )


async def test_a_military_transfer_in_needs_a_free_location(desk):
    doc = await desk.physician()
    await desk.registration(doc, HANGZHOU)
    refused = await desk.refused(doc, T.military_transfer_in, **transferring_in())
    assert (refused.code, refused.params) == (
        "already_registered_in_location",
        {"location_code": "330000"},
    )


async def test_a_military_transfer_in_keeps_the_rules_of_its_level(desk):
    """An assistant transferring in registers one location only; a physician transferring in
    where an assistant registration holds the province upgrades instead."""
    doc = await desk.physician((("assistant", "clinical"), ("physician", "clinical")))
    await desk.registration(doc, WUGANG, level="assistant")
    refused = await desk.refused(doc, T.military_transfer_in, **transferring_in("assistant"))
    assert refused.code == "assistant_single_location"
    refused = await desk.refused(
        doc, T.military_transfer_in, **(transferring_in() | {"institution_code": HUNAN})
    )
    assert (refused.code, refused.params) == (
        "assistant_upgrade_instead",
        {"province_code": "430000"},
    )


async def test_a_transfer_to_the_military_is_decided_where_the_registration_is(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, ANJI)
    plan = await desk.plan(
        doc, T.transfer_to_military, registration_id=registration.id, military_unit="某部"
    )
    assert plan == Plan(
        institution_code=ANJI,
        commission_code="330523",
        province_code="330000",
        open_slot=f"registration:{registration.id}",
        registration_id=registration.id,
        details={"filed_as": "physician"},
    )


async def test_a_filing_is_decided_by_the_further_institution(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    plan = await desk.plan(doc, T.filing, registration_id=registration.id, **filing_at(WUGANG))
    assert plan == Plan(
        institution_code=WUGANG,
        commission_code="430581",
        province_code="430000",
        open_slot=f"registration:{registration.id}",
        registration_id=registration.id,
        details={"filed_as": "physician"},
    )


async def test_a_filing_cancellation_is_about_the_filings_registration(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    filing = await desk.filing(registration, WUGANG)
    plan = await desk.plan(doc, T.filing_cancellation, filing_id=filing.id)
    assert plan == Plan(
        institution_code=WUGANG,
        commission_code="430581",
        province_code="430000",
        open_slot=f"registration:{registration.id}",
        registration_id=registration.id,
        details={"filed_as": "physician"},
    )


async def test_a_legacy_cancellation_is_about_that_record(desk):
    doc = await desk.physician()
    site = await desk.legacy_site(doc)
    plan = await desk.plan(doc, T.legacy_multisite_cancellation, legacy_site_id=site.id)
    assert plan == Plan(
        institution_code=ANJI,
        commission_code="330523",
        province_code="330000",
        open_slot=f"legacy:{site.id}",
        details={"filed_as": "physician"},
    )


async def test_an_ended_filing_or_legacy_record_is_not_cancelled_again(desk):
    doc = await desk.physician()
    filing = await desk.filing(await desk.registration(doc, HUNAN), WUGANG)
    site = await desk.legacy_site(doc)
    filing.status, site.status = "cancelled", "cancelled"
    await desk.session.flush()
    refused = await desk.refused(doc, T.filing_cancellation, filing_id=filing.id)
    assert refused.code == "filing_not_found"
    refused = await desk.refused(doc, T.legacy_multisite_cancellation, legacy_site_id=site.id)
    assert refused.code == "legacy_site_not_found"


# --- a collective registration (Physicians Law 2021 art. 13) -----------------------------------


def _collective(doc: Account, account_id: int | None = None) -> applications.Subject:
    return applications.Subject(account_id, doc.name, doc.id_number)


async def test_a_collective_filing_names_the_location_by_a_digest_of_the_id_number(desk):
    """The open slot (one open application per person and location) is stored with the
    application: the same person and location must give the same slot in any later version,
    and the ID number never appears in it."""
    doc = await desk.physician()
    fields = RegistrationFields(**registering(WUGANG))
    plan = await applications.plan_collective(desk.session, _collective(doc), fields, TODAY)
    digest = hashlib.sha256(doc.id_number.encode()).hexdigest()[:12]
    assert plan.open_slot == f"location:p{digest}:430000"
    assert doc.id_number not in plan.open_slot and len(plan.open_slot) <= 40
    with_account = await applications.plan_collective(
        desk.session, _collective(doc, doc.id), fields, TODAY
    )
    assert with_account.open_slot == f"location:{doc.id}:430000"


async def test_a_collective_filing_keeps_the_registration_rules(desk):
    doc = await desk.physician()
    fields = RegistrationFields(**registering(WUGANG))
    await desk.bar(doc, RefusalGround.certificate_revoked, date(2026, 1, 1),
                   TODAY + timedelta(days=1))  # fmt: skip
    with pytest.raises(DomainError) as barred:
        await applications.plan_collective(desk.session, _collective(doc), fields, TODAY)
    assert barred.value.code == "registration_barred_until"
    plan = await applications.plan_collective(
        desk.session, _collective(doc), fields, TODAY + timedelta(days=1)
    )
    assert plan.details["location_code"] == "430000"

    other = await desk.physician(ASSISTANT_CLINICAL)
    await desk.registration(other, WUGANG_TCM, level="assistant")
    with pytest.raises(DomainError) as taken:
        await applications.plan_collective(desk.session, _collective(other), fields, TODAY)
    assert taken.value.code == "assistant_single_location"


# --- a change (Registration Measures 2017 art. 20) ---------------------------------------------


async def test_a_change_of_scope_keeps_the_rest_and_notifies_no_one(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    plan = await desk.plan(doc, T.change, registration_id=registration.id, scope="外科")
    assert plan == Plan(
        institution_code=HUNAN,
        commission_code="430000",
        province_code="430000",
        open_slot=f"registration:{registration.id}",
        registration_id=registration.id,
        details={
            "location_code": "430000",
            "category": "clinical",
            "scope": "外科",
            "filed_as": "physician",
        },
    )


async def test_a_change_of_institution_in_the_location_notifies_the_former_one(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    plan = await desk.plan(doc, T.change, registration_id=registration.id, institution_code=WUGANG)
    assert (plan.institution_code, plan.commission_code, plan.notify_institution_code) == (
        WUGANG,
        "430581",
        HUNAN,
    )
    assert plan.details == {
        "location_code": "430000",
        "category": "clinical",
        "scope": "内科",
        "filed_as": "physician",
    }


async def test_a_change_of_category_needs_a_scope_of_the_new_category(desk):
    doc = await desk.physician((("physician", "clinical"), ("physician", "tcm")))
    registration = await desk.registration(doc, HUNAN)
    refused = await desk.refused(doc, T.change, registration_id=registration.id, category="tcm")
    assert refused.code == "scope_required"
    plan = await desk.plan(
        doc, T.change, registration_id=registration.id, category="tcm", scope="中西医结合"
    )
    assert (plan.details["category"], plan.details["scope"]) == ("tcm", "中西医结合")


async def test_a_change_within_the_category_does_not_ask_for_the_qualification_again(desk):
    """The qualification was checked when the registration was granted; a registration kept
    from before the qualification records were loaded changes its scope, not its category."""
    doc = await desk.physician(qualifications=())
    registration = await desk.registration(doc, HUNAN)
    plan = await desk.plan(
        doc, T.change, registration_id=registration.id, category="clinical", scope="外科"
    )
    assert plan.details["scope"] == "外科"
    refused = await desk.refused(
        doc, T.change, registration_id=registration.id, category="dental", scope="口腔"
    )
    assert (refused.code, refused.params) == ("category_not_qualified", {"category": "dental"})


async def test_an_assistant_changes_category_with_an_assistant_qualification_in_it(desk):
    doc = await desk.physician((("assistant", "clinical"), ("assistant", "tcm")))
    registration = await desk.registration(doc, WUGANG, level="assistant")
    plan = await desk.plan(
        doc, T.change, registration_id=registration.id, category="tcm", scope="中医"
    )
    assert (plan.details["category"], plan.details["location_code"]) == ("tcm", "430581")
    refused = await desk.refused(
        doc, T.change, registration_id=registration.id, category="dental", scope="口腔"
    )
    assert (refused.code, refused.params) == ("category_not_qualified", {"category": "dental"})
    assert refused.message("en") == "Your qualification does not cover category dental."


async def test_a_physician_registration_changes_category_only_with_a_physician_qualification(
    desk,
):
    doc = await desk.physician((("physician", "clinical"), ("assistant", "tcm")))
    registration = await desk.registration(doc, HUNAN)
    refused = await desk.refused(
        doc, T.change, registration_id=registration.id, category="tcm", scope="中医"
    )
    assert (refused.code, refused.params) == ("category_not_qualified", {"category": "tcm"})


# --- a cancellation ----------------------------------------------------------------------------


async def test_a_physicians_own_request_is_never_late(desk):
    """The 30 days are the institution's duty; the physician may say when the wish arose."""
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    plan = await desk.plan(
        doc,
        T.cancellation,
        registration_id=registration.id,
        ground=10,
        ground_arose_on=TODAY - timedelta(days=400),
    )
    assert plan == Plan(
        institution_code=HUNAN,
        commission_code="430000",
        province_code="430000",
        open_slot=f"registration:{registration.id}",
        registration_id=registration.id,
        details={"reported_late": False, "filed_as": "physician"},
    )


def test_reported_late_counts_30_days_for_the_institution_only():
    """Physicians Law 2021 art. 17."""
    filed = date(2026, 12, 1)
    late = applications.reported_late
    F = applications.FiledAs
    assert late(F.institution, filed - timedelta(days=31), filed)
    assert not late(F.institution, filed - timedelta(days=30), filed)
    assert not late(F.institution, None, filed)
    assert not late(F.commission, filed - timedelta(days=31), filed)
    assert not late(F.physician, filed - timedelta(days=31), filed)


# --- a filing (Registration Measures 2017 art. 10) ---------------------------------------------


async def test_a_filing_may_last_one_day(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    one_day = filing_at(WUGANG, start="2027-01-04", end="2027-01-04")
    assert await desk.plan(doc, T.filing, registration_id=registration.id, **one_day)


async def test_only_an_active_filing_of_the_registration_there_makes_it_a_second_one(desk):
    """A filing ended before, a filing at another institution, or another physician's filing
    at the same institution do not stop a filing."""
    doc, other = await desk.physician(), await desk.physician()
    registration = await desk.registration(doc, HUNAN)
    ended = await desk.filing(registration, WUGANG)
    ended.status = "cancelled"
    await desk.filing(registration, WUGANG_TCM)
    await desk.filing(await desk.registration(other, HUNAN), WUGANG)
    plan = await desk.plan(doc, T.filing, registration_id=registration.id, **filing_at(WUGANG))
    assert plan.institution_code == WUGANG
    refused = await desk.refused(
        doc, T.filing, registration_id=registration.id, **filing_at(WUGANG_TCM)
    )
    assert refused.code == "filing_exists"


async def test_a_change_into_the_province_of_an_assistant_registration_is_the_upgrade(desk):
    """A physician registration moving into the province where the physician holds an
    assistant registration would put two primary institutions there."""
    doc = await desk.physician((("physician", "clinical"), ("assistant", "tcm")))
    registration = await desk.registration(doc, HUNAN)
    await desk.registration(doc, ANJI, level="assistant", category="tcm", scope="中医")
    refused = await desk.refused(
        doc, T.change, registration_id=registration.id, institution_code=HANGZHOU
    )
    assert (refused.code, refused.params) == (
        "assistant_upgrade_instead",
        {"province_code": "330000"},
    )
