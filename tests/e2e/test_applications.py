"""The nine business applications end to end: HTTP API → Temporal → worker → registry.

Each test makes its own physicians (``tests/e2e/people.py``): the stack is shared by every e2e
test. Happy paths use the real activation (SMS verification at WUGANG, which activates by
itself); tests about rules and decisions arrange the account and the registry in the database.
"""

import asyncio
from datetime import timedelta

import pytest

from infra.temporal import application_workflow_id
from registry.application_types import Actor, ApplicationStart, ApplicationType
from registry.refusals import add_years
from tests.dates import assert_dated_at_completion, china_today
from tests.e2e.people import (
    ANJI,
    EN,
    HANGZHOU,
    HUNAN,
    OFFICER,
    WUGANG,
    Physician,
    add_filing,
    add_legacy_site,
    add_qualification,
    add_registration,
    application,
    decide,
    decided,
    desk,
    file,
    filed,
    my_applications,
    new_physician,
    registration,
    registry_of,
    stored_applications,
    walk,
)
from workflows.application import ApplicationWorkflow

ONLINE = [
    "registration",
    "assistant_upgrade",
    "military_transfer_in",
    "transfer_to_military",
    "change",
    "cancellation",
    "filing",
    "filing_cancellation",
    "legacy_multisite_cancellation",
]
OFFLINE = [
    "legacy_qualification_backfill",
    "hmt_qualification_recognition",
    "hmt_short_term_practice",
    "foreign_short_term_practice",
]
WALKED = ["submitted", "institution_approved", "documents_accepted", "completed"]


async def register(stack, doc: Physician, institution_code: str, scope: str = "内科") -> str:
    """File a clinical registration at ``institution_code``; returns the application number."""
    return await filed(
        stack,
        doc.headers,
        "registration",
        institution_code=institution_code,
        category="clinical",
        scope=scope,
    )


def assert_has(seen: dict, expected: dict) -> None:
    """``seen`` has (at least) the ``expected`` keys and values."""
    assert {key: seen.get(key) for key in expected} == expected


def assert_walked(app: dict, filed_by: str = "physician") -> None:
    """The timeline of an application taken straight through to completion by ``walk``."""
    assert app["state"] == "completed"
    assert [e["action"] for e in app["timeline"]] == WALKED
    assert [e["actor_role"] for e in app["timeline"]] == [
        filed_by,
        "institution_staff",
        "commission_officer",
        "commission_officer",
    ]
    assert [e["comment"] for e in app["timeline"]] == [None, "信息属实", "材料齐全", "准予注册"]
    assert [e["state"] for e in app["timeline"]] == [
        "awaiting_institution",
        "awaiting_documents",
        "under_review",
        "completed",
    ]
    assert app["step_deadline"] is None


# --- the nine types, each to completion ------------------------------------------------------


async def test_registration_of_a_physician_is_at_the_province(stack, faker):
    doc = await new_physician(stack, faker, activate="http")
    no = await register(stack, doc, HUNAN)
    done = await walk(stack, no, HUNAN)
    assert done["state"] == "completed"
    certificate = done["certificate_no"]
    assert certificate.startswith("1143")  # physician, clinical, 湖南, then the year

    app = await application(stack, doc.headers, no)
    assert_walked(app)
    assert app["certificate_no"] == certificate
    assert app["applicant"] == doc.name
    assert (app["institution_code"], app["commission_code"]) == (HUNAN, "430000")

    seen = await registry_of(stack, doc)
    assert seen["legacy_sites"] == []
    [reg] = seen["registrations"]
    assert_has(
        reg,
        {
            "level": "physician",
            "category": "clinical",
            "scope": "内科",
            "location_code": "430000",
            "institution_code": HUNAN,
            "certificate_no": certificate,
            "status": "active",
            "filings": [],
        },
    )
    assert_dated_at_completion(reg["registered_on"], app)
    assert certificate[4:8] == reg["registered_on"][:4]

    # the physician was told at each step, by SMS and email, with the application number;
    # where to bring the documents: the commission by name and its address
    confirmed = await stack.message_about(doc.phone, no, "已经医疗机构确认")
    assert "in person" in confirmed["body"]
    assert "湖南省卫生健康委员会（湖南省长沙市开福区湘雅路30号" in confirmed["body"]
    assert "(Service counter, 30 Xiangya Road" in confirmed["body"]
    await stack.message_about(doc.phone, no, "纸质材料已受理")
    await stack.message_about(doc.phone, no, "已办结", certificate)
    await stack.message_about(doc.who["email"], no, certificate)


async def test_registration_of_an_assistant_is_at_the_county(stack, faker):
    doc = await new_physician(stack, faker, [("assistant", "clinical")], activate="http")
    no = await register(stack, doc, WUGANG, scope="全科医学")
    done = await walk(stack, no, WUGANG)
    assert done["certificate_no"].startswith("2143")  # assistant, clinical, 湖南

    [reg] = (await registry_of(stack, doc))["registrations"]
    assert (reg["level"], reg["location_code"], reg["institution_code"], reg["status"]) == (
        "assistant",
        "430581",
        WUGANG,
        "active",
    )
    app = await application(stack, doc.headers, no)
    assert_walked(app)
    assert app["commission_code"] == "430581"


async def test_assistant_upgrade_supersedes_the_assistant_registration(stack, faker):
    doc = await new_physician(stack, faker, [("assistant", "clinical")], activate="http")
    no = await register(stack, doc, WUGANG, scope="儿科")
    await walk(stack, no, WUGANG)
    [assistant] = (await registry_of(stack, doc))["registrations"]

    # the physician passes the practising physician exam later
    await add_qualification(stack, doc.name, doc.id_number, "physician", "clinical")
    no = await filed(stack, doc.headers, "assistant_upgrade", registration_id=assistant["id"])
    done = await walk(stack, no, WUGANG)
    assert_walked(await application(stack, doc.headers, no))

    seen = await registry_of(stack, doc)
    old = registration(seen, assistant["id"])
    assert (old["status"], old["level"], old["location_code"]) == (
        "superseded",
        "assistant",
        "430581",
    )
    [new] = [r for r in seen["registrations"] if r["status"] == "active"]
    assert new["id"] != assistant["id"]
    assert (new["level"], new["category"], new["scope"]) == ("physician", "clinical", "儿科")
    assert (new["location_code"], new["institution_code"]) == ("430000", WUGANG)
    assert new["certificate_no"] == done["certificate_no"] != assistant["certificate_no"]


async def test_military_transfer_in(stack, faker):
    doc = await new_physician(stack, faker, activate="http")
    no = await filed(
        stack,
        doc.headers,
        "military_transfer_in",
        institution_code=HANGZHOU,
        category="clinical",
        scope="外科",
        military_certificate_no="军医字2019001",
    )
    done = await walk(stack, no, HANGZHOU)
    assert_walked(await application(stack, doc.headers, no))
    [reg] = (await registry_of(stack, doc))["registrations"]
    assert (reg["level"], reg["scope"], reg["location_code"], reg["institution_code"]) == (
        "physician",
        "外科",
        "330000",
        HANGZHOU,
    )
    assert reg["status"] == "active" and reg["certificate_no"] == done["certificate_no"]


async def test_transfer_to_military_ends_everything_local(stack, faker):
    """Registrations, filings and legacy multi-site records (the guide: 全部失效)."""
    doc = await new_physician(stack, faker, activate="http")
    hunan = await add_registration(stack, doc, HUNAN, "430000")
    zhejiang = await add_registration(stack, doc, HANGZHOU, "330000")
    await add_filing(stack, hunan, WUGANG)
    await add_legacy_site(stack, doc, ANJI)
    no = await filed(
        stack,
        doc.headers,
        "transfer_to_military",
        registration_id=hunan,
        military_unit="某部队医院",
    )
    done = await walk(stack, no, HUNAN)
    assert done["certificate_no"] is None
    app = await application(stack, doc.headers, no)
    assert_walked(app)

    seen = await registry_of(stack, doc)
    for reg in seen["registrations"]:
        assert reg["status"] == "invalid", reg
    assert {r["id"] for r in seen["registrations"]} == {hunan, zhejiang}
    [filing] = registration(seen, hunan)["filings"]
    assert filing["status"] == "ended"
    assert_dated_at_completion(filing["end_on"], app)
    assert [s["status"] for s in seen["legacy_sites"]] == ["invalid"]
    # no civilian institution is the physician's any more: none reviews their information
    change = await stack.api.post(
        "/api/v1/me/profile-changes", headers=doc.headers, json={"ethnicity": "汉族"}
    )
    assert (change.status_code, change.json()["code"]) == (409, "no_practice_institution")


async def test_change_of_scope(stack, faker):
    doc = await new_physician(stack, faker, activate="http")
    reg_id = await add_registration(stack, doc, HUNAN, "430000", scope="内科")
    before = registration(await registry_of(stack, doc), reg_id)
    no = await filed(stack, doc.headers, "change", registration_id=reg_id, scope="急救医学")
    done = await walk(stack, no, HUNAN)
    assert_walked(await application(stack, doc.headers, no))
    after = registration(await registry_of(stack, doc), reg_id)
    assert after == before | {"scope": "急救医学"}
    assert done["certificate_no"] == before["certificate_no"]


async def test_change_of_institution_to_another_province(stack, faker):
    """The new institution and its commission decide; the old institution watches."""
    doc = await new_physician(stack, faker, activate="http")
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    await add_filing(stack, reg_id, WUGANG)  # a Hunan filing cannot follow to Zhejiang
    no = await filed(
        stack, doc.headers, "change", registration_id=reg_id, institution_code=HANGZHOU
    )

    old_staff = await desk(stack, "staff_hunan")
    watched = await application(stack, old_staff, no)
    assert (watched["institution_code"], watched["state"]) == (HANGZHOU, "awaiting_institution")
    assert watched["applicant"] == doc.masked_name
    await stack.message_about("staff_hunan@ereg.example", no, "待医疗机构确认")
    refused = await decide(stack, old_staff, no, "institution-decision", decision="approve")
    assert (refused.status_code, refused.json()["code"]) == (403, "wrong_institution")
    inbox = (await stack.api.get("/api/v1/institution/inbox", headers=old_staff)).json()
    assert no not in [a["application_no"] for a in inbox["applications"]]

    await walk(stack, no, HANGZHOU)  # staff_hangzhou, officer_zhejiang
    app = await application(stack, doc.headers, no)
    assert_walked(app)
    assert app["commission_code"] == "330000"

    reg = registration(await registry_of(stack, doc), reg_id)
    assert (reg["institution_code"], reg["location_code"], reg["status"]) == (
        HANGZHOU,
        "330000",
        "active",
    )
    [filing] = reg["filings"]
    assert (filing["institution_code"], filing["status"]) == (WUGANG, "ended")
    assert_dated_at_completion(filing["end_on"], app)
    await stack.message_about("staff_hunan@ereg.example", no, "已办结")


async def test_cancellation_by_the_physician(stack, faker):
    doc = await new_physician(stack, faker, activate="http")
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    refused = await file(
        stack,
        doc.headers,
        "cancellation",
        registration_id=reg_id,
        ground=7,
        ground_arose_on=china_today().isoformat(),
    )
    assert (refused.status_code, refused.json()["code"]) == (
        422,
        "cancellation_ground_for_physician",
    )
    no = await filed(
        stack, doc.headers, "cancellation", registration_id=reg_id, ground=10, comment="退休"
    )
    await walk(stack, no, HUNAN)
    app = await application(stack, doc.headers, no)
    assert_walked(app)
    assert (app["fields"]["ground"], app["fields"]["comment"]) == (10, "退休")
    assert (app["filed_as"], app["reported_late"]) == ("physician", False)
    cancelled = registration(await registry_of(stack, doc), reg_id)
    assert (cancelled["status"], cancelled["cancellation_ground"]) == ("cancelled", 10)


async def test_cancellation_reported_by_the_primary_institution(stack, faker):
    """Grounds 1–9 with the date the ground arose; a report more than 30 days after it is
    flagged late for the commission; the institution's own report goes straight to the paper
    documents (it is its confirmation), which the institution brings to the commission."""
    doc = await new_physician(stack, faker, activate="http")
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    arose = (china_today() - timedelta(days=45)).isoformat()

    other = await file(
        stack, await desk(stack, "staff_anji"), "cancellation", registration_id=reg_id, ground=6,
        ground_arose_on=arose,
    )  # fmt: skip
    assert (other.status_code, other.json()["code"]) == (403, "wrong_institution")
    staff = await desk(stack, "staff_hunan")
    undated = await file(stack, staff, "cancellation", registration_id=reg_id, ground=6)
    assert (undated.status_code, undated.json()["code"]) == (422, "ground_date_required")
    own_request = await file(
        stack, staff, "cancellation", registration_id=reg_id, ground=10, ground_arose_on=arose
    )
    assert own_request.json()["code"] == "cancellation_ground_for_reporter"

    no = await filed(
        stack, staff, "cancellation", entered="awaiting_documents", registration_id=reg_id,
        ground=6, ground_arose_on=arose,
    )  # fmt: skip
    [mine] = await my_applications(stack, doc.headers)  # the physician sees it, unmasked
    assert (mine["application_no"], mine["applicant"]) == (no, doc.name)
    told = await stack.message_about(doc.phone, no, "已由医疗机构报告")
    assert "湖南省卫生健康委员会" in told["body"]
    officer = await desk(stack, "officer_hunan")
    [listed] = [
        a
        for a in (await stack.api.get("/api/v1/commission/inbox", headers=officer)).json()
        if a["application_no"] == no
    ]
    assert (listed["state"], listed["filed_as"], listed["reported_late"]) == (
        "awaiting_documents",
        "institution",
        True,
    )
    confirm = await decide(stack, staff, no, "institution-decision", decision="approve")
    assert (confirm.status_code, confirm.json()["code"]) == (409, "wrong_state")

    await decided(stack, officer, no, "paper-check", "under_review", documents_complete=True)
    await decided(stack, officer, no, "commission-decision", "completed", decision="approve")
    app = await application(stack, doc.headers, no)
    assert [(e["action"], e["actor_role"]) for e in app["timeline"]] == [
        ("submitted", "institution_staff"),
        ("documents_accepted", "commission_officer"),
        ("completed", "commission_officer"),
    ]
    cancelled = registration(await registry_of(stack, doc), reg_id)
    assert (cancelled["status"], cancelled["cancellation_ground"]) == ("cancelled", 6)
    assert cancelled["ground_arose_on"] == arose
    await stack.message_about(doc.phone, no, "已办结")


async def test_a_commission_cancels_on_its_own_authority(stack, faker):
    """依职权注销 (Physicians Law art. 17): an officer opens it and an officer decides; the
    physician and the institution are told; the revocation starts its two years."""
    doc = await new_physician(stack, faker)
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    elsewhere = await file(
        stack, await desk(stack, "officer_zhejiang"), "cancellation", registration_id=reg_id,
        ground=3, ground_arose_on=china_today().isoformat(),
    )  # fmt: skip
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (403, "registered_elsewhere")
    officer = await desk(stack, "officer_hunan")
    revoked_on = china_today()
    no = await filed(
        stack, officer, "cancellation", entered="under_review", registration_id=reg_id,
        ground=3, ground_arose_on=revoked_on.isoformat(), comment="吊销医师执业证书",
    )  # fmt: skip
    await stack.message_about(doc.phone, no, "依职权启动注销注册程序", "湖南省卫生健康委员会")
    await stack.message_about("staff_hunan@ereg.example", no, "依职权")
    withdrawn = await decide(stack, doc.headers, no, "withdraw")
    assert (withdrawn.status_code, withdrawn.json()["code"]) == (403, "not_applicant")

    await decided(stack, officer, no, "commission-decision", "completed", decision="approve")
    app = await application(stack, doc.headers, no)
    assert app["filed_as"] == "commission"
    assert [(e["action"], e["actor_role"]) for e in app["timeline"]] == [
        ("submitted", "commission_officer"),
        ("completed", "commission_officer"),
    ]
    assert registration(await registry_of(stack, doc), reg_id)["status"] == "cancelled"
    await stack.message_about(doc.phone, no, "已办结")
    await stack.message_about("staff_hunan@ereg.example", no, "已办结")

    again = await file(stack, doc.headers, "registration", institution_code=HANGZHOU,
                       category="clinical", scope="内科")  # fmt: skip
    assert (again.status_code, again.json()["code"]) == (409, "registration_barred_until")
    two_years = add_years(revoked_on, 2).isoformat()
    assert two_years in again.json()["message"]


async def test_filing_at_a_further_institution(stack, faker):
    doc = await new_physician(stack, faker, activate="http")
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    start = china_today() + timedelta(days=7)
    no = await filed(
        stack,
        doc.headers,
        "filing",
        registration_id=reg_id,
        institution_code=WUGANG,
        start_on=start.isoformat(),
    )
    app = await application(stack, doc.headers, no)
    assert (app["institution_code"], app["commission_code"]) == (WUGANG, "430581")
    await walk(stack, no, WUGANG)
    assert_walked(await application(stack, doc.headers, no))
    [filing] = registration(await registry_of(stack, doc), reg_id)["filings"]
    assert_has(
        filing,
        {
            "institution_code": WUGANG,
            "start_on": start.isoformat(),
            "end_on": None,
            "status": "active",
        },
    )


async def test_filing_cancellation(stack, faker):
    doc = await new_physician(stack, faker, activate="http")
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    filing_id = await add_filing(stack, reg_id, WUGANG)
    no = await filed(stack, doc.headers, "filing_cancellation", filing_id=filing_id)
    await walk(stack, no, WUGANG)  # the filed institution and its commission decide
    app = await application(stack, doc.headers, no)
    assert_walked(app)
    [filing] = registration(await registry_of(stack, doc), reg_id)["filings"]
    assert (filing["id"], filing["status"]) == (filing_id, "cancelled")
    assert_dated_at_completion(filing["end_on"], app)
    assert registration(await registry_of(stack, doc), reg_id)["status"] == "active"


async def test_legacy_multisite_cancellation(stack, faker):
    doc = await new_physician(stack, faker, activate="http")
    site_id = await add_legacy_site(stack, doc, ANJI)
    assert (await registry_of(stack, doc))["legacy_sites"][0]["status"] == "active"
    no = await filed(stack, doc.headers, "legacy_multisite_cancellation", legacy_site_id=site_id)
    await walk(stack, no, ANJI)
    assert_walked(await application(stack, doc.headers, no))
    [site] = (await registry_of(stack, doc))["legacy_sites"]
    assert_has(
        site,
        {
            "id": site_id,
            "institution_code": ANJI,
            "registered_on": "2016-05-01",
            "status": "cancelled",
        },
    )


# --- rule violations at submission -----------------------------------------------------------

# Arrangements: each takes the stack, the physician and a faker, returns values for the body.


async def hunan_registration(stack, doc, faker) -> dict:
    return {"reg": await add_registration(stack, doc, HUNAN, "430000")}


async def wugang_assistant_registration(stack, doc, faker) -> dict:
    reg = await add_registration(stack, doc, WUGANG, "430581", level="assistant", scope="全科医学")
    return {"reg": reg}


async def hunan_registration_filed_at_wugang(stack, doc, faker) -> dict:
    reg = await add_registration(stack, doc, HUNAN, "430000")
    return {"reg": reg, "filing": await add_filing(stack, reg, WUGANG)}


async def someone_elses_registration(stack, doc, faker) -> dict:
    other = await new_physician(stack, faker)
    reg = await add_registration(stack, other, HUNAN, "430000")
    return {"reg": reg, "filing": await add_filing(stack, reg, WUGANG)}


async def someone_elses_legacy_site(stack, doc, faker) -> dict:
    other = await new_physician(stack, faker)
    return {"site": await add_legacy_site(stack, other, ANJI)}


async def nothing(stack, doc, faker) -> dict:
    return {}


def registering(**fields):
    body = {"institution_code": HUNAN, "category": "clinical", "scope": "内科"} | fields
    return lambda _: {"type": "registration", **body}


PHYSICIAN = [("physician", "clinical")]
ASSISTANT = [("assistant", "clinical")]

VIOLATIONS = [
    # (id, qualifications, arrange, body(values), status, code)
    ("qualification_missing", PHYSICIAN, nothing,
     registering(category="dental", scope="口腔"), 422, "qualification_missing"),
    ("scope_not_in_category", PHYSICIAN, nothing,
     registering(scope="口腔"), 422, "scope_not_in_category"),
    ("category_invalid", PHYSICIAN, nothing,
     registering(category="surgery"), 422, "category_invalid"),
    ("institution_not_found", PHYSICIAN, nothing,
     registering(institution_code="H0000000000"), 404, "institution_not_found"),
    ("second_registration_in_the_province", PHYSICIAN, hunan_registration,
     registering(institution_code=WUGANG), 409, "already_registered_in_location"),
    ("assistant_second_county", ASSISTANT, wugang_assistant_registration,
     registering(institution_code=HUNAN), 409, "assistant_single_location"),
    ("upgrade_of_a_physician_registration", PHYSICIAN, hunan_registration,
     lambda v: {"type": "assistant_upgrade", "registration_id": v["reg"]},
     422, "not_assistant_registration"),
    ("upgrade_without_physician_qualification", ASSISTANT, wugang_assistant_registration,
     lambda v: {"type": "assistant_upgrade", "registration_id": v["reg"]},
     422, "upgrade_needs_physician_qualification"),
    ("military_certificate_blank", PHYSICIAN, nothing,
     lambda v: {"type": "military_transfer_in", "institution_code": HANGZHOU,
                "category": "clinical", "scope": "外科", "military_certificate_no": "  "},
     422, "military_certificate_required"),
    ("change_of_nothing", PHYSICIAN, hunan_registration,
     lambda v: {"type": "change", "registration_id": v["reg"], "scope": "内科",
                "institution_code": HUNAN},
     422, "no_change_requested"),
    ("change_to_an_unqualified_category", PHYSICIAN, hunan_registration,
     lambda v: {"type": "change", "registration_id": v["reg"], "category": "tcm",
                "scope": "中医"},
     422, "category_not_qualified"),
    ("cancellation_ground_11", PHYSICIAN, hunan_registration,
     lambda v: {"type": "cancellation", "registration_id": v["reg"], "ground": 11},
     422, "cancellation_ground_invalid"),
    ("filing_in_another_province", PHYSICIAN, hunan_registration,
     lambda v: {"type": "filing", "registration_id": v["reg"], "institution_code": HANGZHOU,
                "start_on": "2027-01-01"},
     422, "filing_other_province"),
    ("filing_at_the_primary_institution", PHYSICIAN, hunan_registration,
     lambda v: {"type": "filing", "registration_id": v["reg"], "institution_code": HUNAN,
                "start_on": "2027-01-01"},
     422, "filing_at_primary"),
    ("filing_twice", PHYSICIAN, hunan_registration_filed_at_wugang,
     lambda v: {"type": "filing", "registration_id": v["reg"], "institution_code": WUGANG,
                "start_on": "2027-01-01"},
     409, "filing_exists"),
    ("filing_ending_before_it_starts", PHYSICIAN, hunan_registration,
     lambda v: {"type": "filing", "registration_id": v["reg"], "institution_code": WUGANG,
                "start_on": "2027-01-01", "end_on": "2026-12-31"},
     422, "filing_dates"),
    ("filing_cancellation_of_no_filing", PHYSICIAN, hunan_registration,
     lambda v: {"type": "filing_cancellation", "filing_id": 987654321},
     404, "filing_not_found"),
    ("filing_cancellation_of_someone_elses_filing", PHYSICIAN, someone_elses_registration,
     lambda v: {"type": "filing_cancellation", "filing_id": v["filing"]},
     404, "filing_not_found"),
    ("legacy_site_that_does_not_exist", PHYSICIAN, nothing,
     lambda v: {"type": "legacy_multisite_cancellation", "legacy_site_id": 987654321},
     404, "legacy_site_not_found"),
    ("someone_elses_legacy_site", PHYSICIAN, someone_elses_legacy_site,
     lambda v: {"type": "legacy_multisite_cancellation", "legacy_site_id": v["site"]},
     404, "legacy_site_not_found"),
    ("change_of_someone_elses_registration", PHYSICIAN, someone_elses_registration,
     lambda v: {"type": "change", "registration_id": v["reg"], "scope": "外科"},
     404, "registration_not_found"),
    ("cancellation_of_someone_elses_registration", PHYSICIAN, someone_elses_registration,
     lambda v: {"type": "cancellation", "registration_id": v["reg"], "ground": 10},
     404, "registration_not_found"),
    ("unknown_type", PHYSICIAN, nothing,
     lambda v: {"type": "promotion"}, 422, "application_type_unknown"),
    ("missing_type", PHYSICIAN, nothing,
     lambda v: {"institution_code": HUNAN}, 422, "application_type_unknown"),
    ("missing_fields", PHYSICIAN, nothing,
     lambda v: {"type": "registration", "institution_code": HUNAN}, 422, "invalid_request"),
    ("wrong_field_type", PHYSICIAN, hunan_registration,
     lambda v: {"type": "cancellation", "registration_id": v["reg"], "ground": "many"},
     422, "invalid_request"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("qualifications", "arrange", "body", "status", "code"),
    [pytest.param(*case[1:], id=case[0]) for case in VIOLATIONS],
)
async def test_a_rule_violation_is_refused_and_nothing_is_stored(
    stack, faker, qualifications, arrange, body, status, code
):
    doc = await new_physician(stack, faker, qualifications)
    values = await arrange(stack, doc, faker)
    seen = await registry_of(stack, doc)
    response = await stack.api.post("/api/v1/applications", headers=doc.headers, json=body(values))
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["message"]
    assert await my_applications(stack, doc.headers) == []
    assert await stored_applications(stack, doc) == []
    assert await registry_of(stack, doc) == seen


async def test_missing_fields_are_named(stack, faker):
    doc = await new_physician(stack, faker)
    response = await file(stack, doc.headers | EN, "registration", institution_code=HUNAN)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert response.json()["detail"] == "category, scope"
    assert "category, scope" in response.json()["message"]


async def test_an_account_not_yet_active_cannot_file(stack, faker):
    doc = await new_physician(stack, faker, activate=None)
    response = await file(
        stack,
        doc.headers,
        "registration",
        institution_code=HUNAN,
        category="clinical",
        scope="内科",
    )
    assert (response.status_code, response.json()["code"]) == (403, "account_not_active")
    assert await my_applications(stack, doc.headers) == []


async def test_offline_only_business_says_where_to_go(stack, faker):
    doc = await new_physician(stack, faker)
    zh = await file(stack, doc.headers, "foreign_short_term_practice")
    assert (zh.status_code, zh.json()["code"]) == (422, "offline_only")
    assert "外国医师内地短期行医" in zh.json()["message"]
    assert "卫生健康行政部门" in zh.json()["message"] and "现场" in zh.json()["message"]
    en = await file(stack, doc.headers | EN, "foreign_short_term_practice")
    assert en.json()["code"] == "offline_only"
    assert "Short-term practice of foreign physicians" in en.json()["message"]
    assert "in person" in en.json()["message"]
    assert await my_applications(stack, doc.headers) == []


async def test_staff_and_officers_may_file_only_cancellations(stack, faker):
    doc = await new_physician(stack, faker)
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    for username in ("staff_hunan", "officer_hunan"):
        filer = await desk(stack, username)
        change = await file(stack, filer, "change", registration_id=reg_id, scope="外科")
        assert (change.status_code, change.json()["code"]) == (403, "forbidden")
    assert await stored_applications(stack, doc) == []


# --- open applications -----------------------------------------------------------------------


async def test_a_second_open_application_on_the_same_registration_is_refused(stack, faker):
    doc = await new_physician(stack, faker)
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    first = await filed(stack, doc.headers, "cancellation", registration_id=reg_id, ground=10)

    for body in (
        {"type": "change", "registration_id": reg_id, "scope": "外科"},
        {
            "type": "filing",
            "registration_id": reg_id,
            "institution_code": WUGANG,
            "start_on": "2027-01-01",
        },
    ):
        response = await stack.api.post("/api/v1/applications", headers=doc.headers, json=body)
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "application_open"
        assert response.json()["application_no"] == first
        assert first in response.json()["message"]
    assert [a["application_no"] for a in await my_applications(stack, doc.headers)] == [first]

    # once the first is withdrawn, the registration is free again
    await decided(stack, doc.headers, first, "withdraw", "withdrawn")
    second = await filed(stack, doc.headers, "change", registration_id=reg_id, scope="外科")
    assert second != first


async def test_concurrent_identical_submissions_store_exactly_one(stack, faker):
    doc = await new_physician(stack, faker)
    body = {
        "type": "registration",
        "institution_code": HUNAN,
        "category": "clinical",
        "scope": "内科",
    }
    responses = await asyncio.gather(
        *(stack.api.post("/api/v1/applications", headers=doc.headers, json=body) for _ in range(5))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409, 409, 409], [r.text for r in responses]
    [created] = [r.json() for r in responses if r.status_code == 201]
    for refused in (r.json() for r in responses if r.status_code == 409):
        assert refused["code"] == "application_open"
        assert refused["application_no"] == created["application_no"]
    stored = await stored_applications(stack, doc)
    assert [a.application_no for a in stored] == [created["application_no"]]
    assert [a["application_no"] for a in await my_applications(stack, doc.headers)] == [
        created["application_no"]
    ]


async def test_registrations_in_two_provinces_may_be_open_at_once(stack, faker):
    doc = await new_physician(stack, faker)
    hunan = await register(stack, doc, HUNAN)
    zhejiang = await register(stack, doc, HANGZHOU)
    wugang = await file(
        stack,
        doc.headers,
        "registration",
        institution_code=WUGANG,
        category="clinical",
        scope="外科",
    )
    assert (wugang.status_code, wugang.json()["code"]) == (409, "application_open")
    assert wugang.json()["application_no"] == hunan  # same location: the province 430000
    assert {a["application_no"] for a in await my_applications(stack, doc.headers)} == {
        hunan,
        zhejiang,
    }


# --- decisions -------------------------------------------------------------------------------


async def test_only_the_right_institution_and_commission_decide(stack, faker):
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)

    anji = await decide(
        stack, await desk(stack, "staff_anji"), no, "institution-decision", decision="approve"
    )
    # staff of an unrelated institution do not even see it
    assert (anji.status_code, anji.json()["code"]) == (404, "application_not_found")
    own = await decide(stack, doc.headers, no, "institution-decision", decision="approve")
    assert (own.status_code, own.json()["code"]) == (403, "forbidden")
    officer = await decide(
        stack, await desk(stack, "officer_hunan"), no, "institution-decision", decision="approve"
    )
    assert (officer.status_code, officer.json()["code"]) == (403, "forbidden")

    await decided(
        stack,
        await desk(stack, "staff_hunan"),
        no,
        "institution-decision",
        "awaiting_documents",
        decision="approve",
    )
    for wrong in ("officer_zhejiang", "officer_wugang"):
        headers = await desk(stack, wrong)
        check = await decide(stack, headers, no, "paper-check", documents_complete=True)
        assert (check.status_code, check.json()["code"]) == (404, "application_not_found")
        looked = await stack.api.get(f"/api/v1/applications/{no}", headers=headers)
        assert (looked.status_code, looked.json()["code"]) == (404, "application_not_found")

    app = await application(stack, doc.headers, no)
    assert app["state"] == "awaiting_documents"
    assert [e["action"] for e in app["timeline"]] == ["submitted", "institution_approved"]


async def test_a_decision_in_the_wrong_state_is_refused(stack, faker):
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)
    officer = await desk(stack, "officer_hunan")
    staff = await desk(stack, "staff_hunan")

    early = await decide(stack, officer, no, "paper-check", documents_complete=True)
    assert early.status_code == 409
    assert early.json() | {"message": None} == {
        "code": "wrong_state",
        "state": "awaiting_institution",
        "message": None,
    }
    early = await decide(stack, officer, no, "commission-decision", decision="approve")
    assert (early.status_code, early.json()["code"]) == (409, "wrong_state")
    resubmit = await decide(stack, doc.headers, no, "resubmit")
    assert (resubmit.status_code, resubmit.json()["code"]) == (409, "wrong_state")

    await decided(
        stack, staff, no, "institution-decision", "awaiting_documents", decision="approve"
    )
    again = await decide(stack, staff, no, "institution-decision", decision="approve")
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["state"]) == ("wrong_state", "awaiting_documents")
    app = await application(stack, doc.headers, no)
    assert [e["action"] for e in app["timeline"]] == ["submitted", "institution_approved"]


@pytest.mark.parametrize("comment", [None, "", "   "])
async def test_rejecting_or_returning_needs_a_reason(stack, faker, comment):
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)
    staff = await desk(stack, "staff_hunan")
    for decision in ("reject", "return"):
        response = await decide(
            stack, staff, no, "institution-decision", decision=decision, comment=comment
        )
        assert (response.status_code, response.json()["code"]) == (422, "comment_required")

    await decided(
        stack, staff, no, "institution-decision", "awaiting_documents", decision="approve"
    )
    officer = await desk(stack, "officer_hunan")
    incomplete = await decide(
        stack, officer, no, "paper-check", documents_complete=False, comment=comment
    )
    assert (incomplete.status_code, incomplete.json()["code"]) == (422, "comment_required")
    await decided(stack, officer, no, "paper-check", "under_review", documents_complete=True)
    for decision in ("reject", "return"):
        response = await decide(
            stack, officer, no, "commission-decision", decision=decision, comment=comment
        )
        assert (response.status_code, response.json()["code"]) == (422, "comment_required")
    assert (await application(stack, doc.headers, no))["state"] == "under_review"


async def test_an_unknown_decision_is_an_invalid_request(stack, faker):
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)
    response = await decide(
        stack, await desk(stack, "staff_hunan"), no, "institution-decision", decision="maybe"
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")


async def test_commission_rejection_with_reasons_leaves_the_registry_alone(stack, faker):
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)
    officer = await desk(stack, "officer_hunan")
    await decided(
        stack,
        await desk(stack, "staff_hunan"),
        no,
        "institution-decision",
        "awaiting_documents",
        decision="approve",
    )
    # Item by item: the health certificate is too old, so the application is returned with it
    # named; resubmitted, it comes straight back to the counter.
    kinds = [d["kind"] for d in (await stack.api.get(
        f"/api/v1/applications/{no}/documents", headers=officer)).json()["documents"]]  # fmt: skip
    found = [{"kind": kind, "status": "present"} for kind in kinds]
    health = kinds.index("health_certificate")
    stale = {"kind": "health_certificate", "status": "not_acceptable", "note": "超过6个月"}
    await decided(
        stack,
        officer,
        no,
        "paper-check",
        "returned",
        items=[*found[:health], stale, *found[health + 1 :]],
    )
    await stack.message_about(doc.phone, no, "退回补正", "健康体检证明（超过6个月）")
    await decided(stack, doc.headers, no, "resubmit", "awaiting_documents")
    await decided(stack, officer, no, "paper-check", "under_review", items=found)
    rejected = await decided(
        stack,
        officer,
        no,
        "commission-decision",
        "rejected",
        decision="reject",
        comment="刑事处罚执行完毕未满二年",
    )
    assert rejected["certificate_no"] is None

    app = await application(stack, doc.headers, no)
    assert [(e["action"], e["actor_role"]) for e in app["timeline"]] == [
        ("submitted", "physician"),
        ("institution_approved", "institution_staff"),
        ("documents_returned", "commission_officer"),
        ("resubmitted", "physician"),
        ("documents_accepted", "commission_officer"),
        ("commission_rejected", "commission_officer"),
    ]
    assert app["timeline"][2]["comment"] == "不符合要求：健康体检证明（超过6个月）"
    assert app["timeline"][-1]["comment"] == "刑事处罚执行完毕未满二年"
    assert (app["state"], app["certificate_no"]) == ("rejected", None)
    assert (await registry_of(stack, doc))["registrations"] == []
    await stack.message_about(doc.phone, no, "不予通过", "刑事处罚执行完毕未满二年")
    await stack.message_about("staff_hunan@ereg.example", no, "不予通过")

    # rejected is final; the location is free for a new application
    late = await decide(stack, officer, no, "commission-decision", decision="approve")
    assert (late.status_code, late.json()["code"]) == (409, "wrong_state")
    await register(stack, doc, HUNAN)


async def test_returned_application_is_resubmitted(stack, faker):
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)
    staff = await desk(stack, "staff_hunan")
    officer = await desk(stack, "officer_hunan")
    await decided(
        stack,
        staff,
        no,
        "institution-decision",
        "returned",
        decision="return",
        comment="科室填写有误",
    )
    await stack.message_about(doc.phone, no, "退回补正", "科室填写有误")
    assert no not in [
        a["application_no"]
        for a in (await stack.api.get("/api/v1/institution/inbox", headers=staff)).json()[
            "applications"
        ]
    ]
    other = await new_physician(stack, faker)
    foreign = await decide(stack, other.headers, no, "resubmit", comment="冒名")
    assert (foreign.status_code, foreign.json()["code"]) == (404, "application_not_found")

    await decided(stack, doc.headers, no, "resubmit", "awaiting_institution", comment="已更正")
    await decided(
        stack, staff, no, "institution-decision", "awaiting_documents", decision="approve"
    )
    await decided(stack, officer, no, "paper-check", "under_review", documents_complete=True)
    await decided(
        stack,
        officer,
        no,
        "commission-decision",
        "returned",
        decision="return",
        comment="请补充执业范围证明",
    )
    await decided(stack, doc.headers, no, "resubmit", "awaiting_institution")

    app = await application(stack, doc.headers, no)
    assert [(e["action"], e["state"], e["comment"]) for e in app["timeline"]] == [
        ("submitted", "awaiting_institution", None),
        ("institution_returned", "returned", "科室填写有误"),
        ("resubmitted", "awaiting_institution", "已更正"),
        ("institution_approved", "awaiting_documents", None),
        ("documents_accepted", "under_review", None),
        ("commission_returned", "returned", "请补充执业范围证明"),
        ("resubmitted", "awaiting_institution", None),
    ]


async def test_withdrawal_before_completion(stack, faker):
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)
    staff = await desk(stack, "staff_hunan")
    officer = await desk(stack, "officer_hunan")
    await decided(
        stack, staff, no, "institution-decision", "awaiting_documents", decision="approve"
    )
    by_staff = await decide(stack, staff, no, "withdraw")
    assert (by_staff.status_code, by_staff.json()["code"]) == (403, "not_applicant")

    await decided(stack, doc.headers, no, "withdraw", "withdrawn")
    app = await application(stack, doc.headers, no)
    assert app["state"] == "withdrawn"
    assert [(e["action"], e["actor_role"]) for e in app["timeline"]][-1] == (
        "withdrawn",
        "physician",
    )
    assert (await registry_of(stack, doc))["registrations"] == []
    await stack.message_about("staff_hunan@ereg.example", no, "已由申请人撤回")

    for headers, step, body in (
        (officer, "paper-check", {"documents_complete": True}),
        (officer, "commission-decision", {"decision": "approve"}),
        (staff, "institution-decision", {"decision": "approve"}),
        (doc.headers, "withdraw", {}),
        (doc.headers, "resubmit", {}),
    ):
        late = await decide(stack, headers, no, step, **body)
        assert late.status_code == 409, (step, late.text)
        assert (late.json()["code"], late.json()["state"]) == ("wrong_state", "withdrawn")
    assert (await application(stack, doc.headers, no))["state"] == "withdrawn"
    assert (await registry_of(stack, doc))["registrations"] == []


async def test_the_rules_are_checked_again_at_completion(stack, faker):
    """Two registrations in two provinces are fine, until Hunan is taken meanwhile."""
    doc = await new_physician(stack, faker)
    hunan = await register(stack, doc, HUNAN)
    zhejiang = await register(stack, doc, HANGZHOU)
    # meanwhile, e.g. by an older paper process, the physician got registered in Hunan
    taken = await add_registration(stack, doc, WUGANG, "430000")

    refused = await walk(stack, hunan, HUNAN)
    assert (refused["state"], refused["certificate_no"]) == ("rejected", None)
    app = await application(stack, doc.headers, hunan)
    last = app["timeline"][-1]
    assert (last["action"], last["actor_role"], last["reason_code"]) == (
        "refused_at_completion",
        "commission_officer",
        "already_registered_in_location",
    )
    # written reasons, in words, to the physician and the institution (Physicians Law art. 16)
    assert last["comment"].startswith("您在该执业地点（430000）已有有效注册")
    in_english = await application(stack, doc.headers | EN, hunan)
    assert in_english["timeline"][-1]["comment"].startswith("You already hold a registration")
    told = await stack.message_about(doc.phone, hunan, "不予通过", "已有有效注册")
    assert "rule:" not in told["body"] and "You already hold a registration" in told["body"]
    await stack.message_about("staff_hunan@ereg.example", hunan, "不予通过", "已有有效注册")

    assert (await walk(stack, zhejiang, HANGZHOU))["state"] == "completed"
    seen = await registry_of(stack, doc)
    assert sorted((r["location_code"], r["id"] == taken) for r in seen["registrations"]) == [
        ("330000", False),
        ("430000", True),
    ]


async def test_a_decision_reaching_the_workflow_before_its_first_task(stack, faker):
    """A staff member confirms before the worker has picked up the new workflow.

    Arranged deterministically: the application's workflow is replaced by one whose first task
    is delayed, so the institution's decision arrives together with the start.
    """
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)
    handle = stack.client.get_workflow_handle(application_workflow_id(no))
    await handle.terminate("replaced by a delayed start")
    await stack.client.start_workflow(
        ApplicationWorkflow.run,
        ApplicationStart(
            application_no=no,
            type=ApplicationType.registration,
            filed_by=Actor(account_id=doc.account_id, role="physician"),
            account_id=doc.account_id,
            institution_code=HUNAN,
            commission_code="430000",
            province_code="430000",
        ),
        id=application_workflow_id(no),
        task_queue=stack.settings.task_queue,
        start_delay=timedelta(seconds=1),
    )
    response = await decide(
        stack, await desk(stack, "staff_hunan"), no, "institution-decision", decision="approve"
    )
    assert response.status_code in (200, 409), response.text
    if response.status_code == 200:
        app = await application(stack, doc.headers, no)
        assert app["state"] == "awaiting_documents"
        assert [e["action"] for e in app["timeline"]] == ["submitted", "institution_approved"]


# --- what each side sees ---------------------------------------------------------------------


async def test_application_types(stack):
    response = await stack.api.get("/api/v1/application-types")
    assert response.status_code == 200
    body = response.json()
    assert [t["code"] for t in body["online"]] == ONLINE
    by_code = {t["code"]: t for t in body["online"]}
    assert by_code["registration"]["name_zh"] == "注册"
    assert set(by_code["registration"]["fields"]["required"]) == {
        "institution_code",
        "category",
        "scope",
    }
    assert set(by_code["filing"]["fields"]["properties"]) == {
        "registration_id",
        "institution_code",
        "start_on",
        "end_on",
    }
    assert "military_certificate_no" in by_code["military_transfer_in"]["fields"]["properties"]
    assert [t["code"] for t in body["online"] if t["staff_may_file"]] == ["cancellation"]
    assert all(t["fields"]["properties"] for t in body["online"])
    assert [t["code"] for t in body["offline_only"]] == OFFLINE
    assert {t["name_zh"] for t in body["offline_only"]} == {
        "补录老人资格",
        "港澳台医师内地资格认定",
        "港澳台医师内地短期行医",
        "外国医师内地短期行医",
    }
    assert all("现场" in t["where_zh"] for t in body["offline_only"])
    assert sorted(int(k) for k in body["cancellation_grounds"]) == list(range(1, 11))
    assert body["cancellation_grounds"]["10"][0] == "本人主动申请"
    assert body["cancellation_grounds_by_filer"] == {
        "physician": [10],
        "institution": list(range(1, 10)),
        "commission": list(range(1, 10)),
    }
    assert [t["code"] for t in body["online"] if t["officer_may_file"]] == ["cancellation"]


async def test_inboxes_show_the_application_to_the_right_desk_only(stack, faker):
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)

    async def institution_inbox(username):
        headers = await desk(stack, username)
        response = await stack.api.get("/api/v1/institution/inbox", headers=headers)
        assert response.status_code == 200, response.text
        return {a["application_no"]: a for a in response.json()["applications"]}

    async def commission_inbox(username):
        headers = await desk(stack, username)
        response = await stack.api.get("/api/v1/commission/inbox", headers=headers)
        assert response.status_code == 200, response.text
        return {a["application_no"]: a for a in response.json()}

    waiting = (await institution_inbox("staff_hunan"))[no]
    assert waiting["applicant"] == doc.masked_name != doc.name
    assert doc.id_number not in str(waiting)
    assert (waiting["state"], waiting["type"]) == ("awaiting_institution", "registration")
    assert waiting["step_deadline"]
    for other in ("staff_wugang", "staff_hangzhou", "staff_anji"):
        assert no not in await institution_inbox(other)
    for officer in OFFICER.values():
        assert no not in await commission_inbox(officer)

    await decided(
        stack,
        await desk(stack, "staff_hunan"),
        no,
        "institution-decision",
        "awaiting_documents",
        decision="approve",
    )
    assert no not in await institution_inbox("staff_hunan")
    listed = (await commission_inbox("officer_hunan"))[no]
    assert (listed["state"], listed["applicant"]) == ("awaiting_documents", doc.masked_name)
    for officer in ("officer_wugang", "officer_zhejiang", "officer_anji"):
        assert no not in await commission_inbox(officer)

    staff_view = await application(stack, await desk(stack, "staff_hunan"), no)
    assert staff_view["applicant"] == doc.masked_name
    assert (await application(stack, doc.headers, no))["applicant"] == doc.name
    physician_inbox = await stack.api.get("/api/v1/commission/inbox", headers=doc.headers)
    assert (physician_inbox.status_code, physician_inbox.json()["code"]) == (403, "forbidden")

    listed = await stack.api.get(
        "/api/v1/applications",
        headers=await desk(stack, "officer_hunan"),
        params={"state": "awaiting_documents", "type": "registration"},
    )
    assert no in [a["application_no"] for a in listed.json()]


async def test_another_physician_cannot_see_or_withdraw(stack, faker):
    doc = await new_physician(stack, faker)
    no = await register(stack, doc, HUNAN)
    other = await new_physician(stack, faker)
    looked = await stack.api.get(f"/api/v1/applications/{no}", headers=other.headers)
    assert (looked.status_code, looked.json()["code"]) == (404, "application_not_found")
    withdrawn = await decide(stack, other.headers, no, "withdraw")
    assert (withdrawn.status_code, withdrawn.json()["code"]) == (404, "application_not_found")
    assert await my_applications(stack, other.headers) == []
    assert (await application(stack, doc.headers, no))["state"] == "awaiting_institution"


async def test_the_physician_cannot_withdraw_a_cancellation_the_institution_filed(stack, faker):
    """The institution reports grounds 1–9; only its staff may withdraw what it filed."""
    doc = await new_physician(stack, faker)
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    staff = await desk(stack, "staff_hunan")
    no = await filed(
        stack, staff, "cancellation", entered="awaiting_documents", registration_id=reg_id,
        ground=2, ground_arose_on=china_today().isoformat(), sentence_ends_on="2027-06-30",
    )  # fmt: skip
    refused = await stack.api.post(f"/api/v1/applications/{no}/withdraw", headers=doc.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_applicant")
    withdrawn = await stack.api.post(f"/api/v1/applications/{no}/withdraw", headers=staff)
    assert withdrawn.json()["state"] == "withdrawn"


# --- the physician's institution follows the registry ----------------------------------------


async def test_the_physicians_institution_follows_the_registry(stack, faker):
    """Issue 13 item 1: after a change of primary institution, reviews still went to the
    sign-up hospital. Now the institution is the registration's: a review waiting at the old
    one ends when the change completes (both told), the next goes to the new one, and the
    departments offered are the new institution's."""
    doc = await new_physician(stack, faker, institution_code=WUGANG)  # signed up at 武冈
    reg_id = await add_registration(stack, doc, HUNAN, "430000")
    seen = (await stack.api.get("/api/v1/me", headers=doc.headers)).json()
    assert seen["institution"]["code"] == HUNAN
    waiting = await stack.api.post(
        "/api/v1/me/profile-changes", headers=doc.headers, json={"ethnicity": "汉族"}
    )
    assert (waiting.status_code, waiting.json()["institution_code"]) == (201, HUNAN)
    tag = faker.pyint()
    await stack.api.put(
        "/api/v1/institution/departments",
        headers=await desk(stack, "staff_hangzhou"),
        json={"departments": [f"急诊科{tag}"]},
    )

    no = await filed(
        stack, doc.headers, "change", registration_id=reg_id, institution_code=HANGZHOU
    )
    await walk(stack, no, HANGZHOU)

    review_id = waiting.json()["id"]
    for _ in range(200):
        reviews = (await stack.api.get("/api/v1/me/profile-changes", headers=doc.headers)).json()
        if next(r for r in reviews if r["id"] == review_id)["state"] == "ended":
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the review at the former institution never ended")
    await stack.message_about(doc.phone, "已终止", no)
    await stack.message_about("staff_hunan@ereg.example", "已终止", no)

    again = await stack.api.post(
        "/api/v1/me/profile-changes", headers=doc.headers, json={"ethnicity": "汉族"}
    )
    assert (again.status_code, again.json()["institution_code"]) == (201, HANGZHOU)
    seen = (await stack.api.get("/api/v1/me", headers=doc.headers)).json()
    assert seen["institution"]["code"] == HANGZHOU
    choices = (await stack.api.get("/api/v1/me/department", headers=doc.headers)).json()
    assert [d["name"] for d in choices["choices"]] == [f"急诊科{tag}"]
