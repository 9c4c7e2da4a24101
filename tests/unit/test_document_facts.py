"""The paper documents of a stored application (registry/documents.py): the facts read from the
application and the registry (who filed it, the qualification's date, earlier registrations, a
new institution or category), the dates and words the lists carry, and what the counter is told
when the officer's findings do not fit the list. ``tests/unit/test_documents.py`` covers the
lists themselves from given facts; the registry here is a migrated, seeded database
(tests/unit/registry_db.py)."""

from datetime import UTC, date, datetime

import pytest

from registry import documents
from registry.application_types import ApplicationState as S
from registry.application_types import ApplicationType as T
from registry.application_types import DocumentCheck
from registry.documents import DocumentKind as K
from registry.documents import Facts, check_findings, health_certificate_earliest, required
from registry.errors import DomainError
from registry.models import Application, Qualification, Registration
from tests.unit.registry_db import session_fixture, template_fixture  # noqa: F401

HUNAN = "H4301020001"
ID = "430102198001010011"
NAME = "赵敏"
ON = date(2026, 11, 26)
MEASURES = "《医师执业注册管理办法》（2017）"


# --- from given facts: dates, words, articles ------------------------------------------------


@pytest.mark.parametrize(
    ("brought", "earliest"),
    [
        (date(2026, 6, 15), date(2025, 12, 15)),  # six months back is December of last year
        (date(2026, 7, 10), date(2026, 1, 10)),  # ... or January of this one
        (date(2026, 3, 1), date(2025, 9, 1)),  # the first of a month
        (date(2026, 12, 31), date(2026, 6, 30)),  # 31 June is no day: the 30th
    ],
)
def test_the_health_certificate_may_be_six_months_old_to_the_day(brought, earliest):
    assert health_certificate_earliest(brought) == earliest


def test_a_return_exactly_two_years_after_practice_ended_needs_no_training():
    def facts(ended: date) -> Facts:
        return Facts(
            T.registration, ON, qualification_issued_on=date(2010, 1, 1),
            earlier_registrations=True, last_practice_ended_on=ended,
        )  # fmt: skip

    assert documents.training_reason(facts(date(2024, 11, 26))) is None  # two years to the day
    zh, en = documents.training_reason(facts(date(2024, 11, 25)))
    assert zh == "中止执业活动（2024-11-25起）已满2年"
    assert en == "no practice for over 2 years (since 2024-11-25)"


def _practice_certificate(facts: Facts) -> documents.Document:
    return next(d for d in required(facts, ON) if d.kind == K.practice_certificate)


@pytest.mark.parametrize(
    ("type_", "basis"),
    [
        (T.assistant_upgrade, (f"{MEASURES}第十五条", "Registration Measures (2017), art. 15")),
        (T.transfer_to_military, (f"{MEASURES}第二十条", "Registration Measures (2017), art. 20")),
        (T.filing, (f"{MEASURES}第十条", "Registration Measures (2017), art. 10")),
        (T.filing_cancellation, (f"{MEASURES}第十条", "Registration Measures (2017), art. 10")),
        (T.cancellation, ("《医师法》（2021）第十七条", "Physicians Law (2021), art. 17")),
    ],
)  # fmt: skip
def test_the_practice_certificate_cites_the_article_of_each_business(type_, basis):
    assert _practice_certificate(Facts(type_, ON)).basis == basis


def test_a_cancellation_asks_for_the_certificate_or_a_statement_why_it_cannot_be_handed_in():
    certificate = _practice_certificate(Facts(T.cancellation, ON))
    assert certificate.detail == (
        "《医师执业证书》原件，注销后废止；无法交回的（如死亡、遗失）书面说明",
        "The original certificate, annulled on cancellation; if it cannot be handed in "
        "(death, loss), a written statement",
    )
    assert certificate.text("en") == {
        "kind": "practice_certificate",
        "name": "Original practice certificate",
        "detail": certificate.detail[1],
        "basis": "Physicians Law (2021), art. 17",
        "reason": None,
    }
    # On the physician's own request (no ground given: the tenth), no evidence of a ground.
    kinds = [d.kind for d in required(Facts(T.cancellation, ON, cancellation_ground=None), ON)]
    assert kinds == [K.application_form, K.practice_certificate, K.identity_document]


def test_a_document_in_each_language_says_why_this_application_needs_it():
    facts = Facts(T.change, ON, changes_institution=True)
    photo = next(d for d in required(facts, ON) if d.kind == K.photo)
    assert photo.text("zh") == {
        "kind": "photo",
        "name": "近期免冠照片",
        "detail": "近6个月内2寸白底免冠正面半身照片2张",
        "basis": "《医师执业注册管理办法》（2017）第十二条第（二）项",
        "reason": "变更主要执业机构",
    }
    assert photo.text("en")["reason"] == "a new primary institution"
    assert photo.text("fr")["name"] == "近期免冠照片"  # any other language reads Chinese


PRACTICE = K.practice_certificate


@pytest.mark.parametrize(
    ("facts", "kind", "zh", "en"),
    [
        (
            Facts(T.assistant_upgrade, ON), PRACTICE,
            {"detail": "原《医师执业证书》（执业助理医师）原件，交回", "reason": None},
            {"detail": "Your assistant physician's certificate, to be handed in", "reason": None},
        ),
        (
            Facts(T.transfer_to_military, ON), PRACTICE,
            {"detail": "在地方注册的全部《医师执业证书》原件，办结后失效", "reason": None},
            {"detail": "Every civilian practice certificate you hold; all lose their validity "
                       "on completion", "reason": None},
        ),
        (
            Facts(T.change, ON, changes_institution=True), K.photo,
            {"detail": "近6个月内2寸白底免冠正面半身照片2张", "reason": "变更主要执业机构"},
            {"detail": "Two 2-inch bareheaded, front-facing half-length photos on white, taken "
                       "in the last 6 months", "reason": "a new primary institution"},
        ),
        (
            Facts(T.change, ON, changes_institution=True), K.employment_proof,
            {"detail": "新的主要执业机构出具并盖章的聘用证明", "reason": "变更主要执业机构"},
            {"detail": "Issued and stamped by your new primary institution",
             "reason": "a new primary institution"},
        ),
        (
            Facts(T.change, ON, changes_category=True), K.qualification_certificate,
            {"detail": "原件及复印件（原件核验后退还）",
             "reason": "变更执业类别，须持有该类别的医师资格"},
            {"detail": "The original and a copy (the original is returned)",
             "reason": "a new category needs a qualification in it"},
        ),
        (
            Facts(T.filing, ON), PRACTICE,
            {"detail": "《医师执业证书》原件，备案后加注", "reason": None},
            {"detail": "Your practice certificate, to be annotated", "reason": None},
        ),
        (
            Facts(T.legacy_multisite_cancellation, ON), PRACTICE,
            {"detail": "《医师执业证书》原件，取消后加注", "reason": None},
            {"detail": "Your practice certificate, to be annotated", "reason": None},
        ),
        (
            Facts(T.registration, ON, qualification_issued_on=date(2024, 1, 5)), K.training_proof,
            {"detail": "在省级以上卫生健康行政部门指定机构接受培训并经考核合格的证明",
             "reason": "首次注册距取得医师资格（2024-01-05）已超过2年"},
            {"detail": "Training at a body designated by a provincial health commission, and a "
                       "passed assessment",
             "reason": "first registration more than 2 years after the qualification "
                       "(2024-01-05)"},
        ),
        (
            Facts(T.cancellation, ON, filed_by_institution=True, cancellation_ground=3),
            K.cancellation_evidence,
            {"detail": "吊销《医师执业证书》的行政处罚决定书", "reason": None},
            {"detail": "The penalty decision revoking the certificate", "reason": None},
        ),
    ],
)  # fmt: skip
def test_what_each_business_asks_to_bring_in_the_physicians_words(facts, kind, zh, en):
    [document] = [d for d in required(facts, ON) if d.kind == kind]
    assert {key: document.text("zh")[key] for key in zh} == zh
    assert {key: document.text("en")[key] for key in en} == en


def test_the_health_certificate_says_when_it_is_brought_and_how_old_it_may_be():
    [health] = [
        d for d in required(Facts(T.registration, ON), ON) if d.kind == K.health_certificate
    ]
    assert health.detail == (
        "医疗机构出具的健康体检表，出具不超过6个月（2026-11-26提交的，出具日期不早于2026-05-26）",
        "A medical examination report by a hospital, issued no more than 6 months ago "
        "(brought on 2026-11-26: issued on or after 2026-05-26)",
    )


# --- the counter's findings --------------------------------------------------------------------


def _found(kind: str, status: str = "present", note: str | None = None) -> DocumentCheck:
    return DocumentCheck(kind=kind, status=status, note=note)


NEEDED = required(Facts(T.change, ON), ON)  # the form, the identity card, the certificate


def _refused(items) -> DomainError:
    with pytest.raises(DomainError) as refused:
        check_findings(NEEDED, items)
    return refused.value


def test_the_counter_is_told_which_items_to_mark():
    form, card, certificate = (_found(d.kind.value) for d in NEEDED)
    missing_two = _refused([card])
    assert missing_two.code == "document_checklist_incomplete"
    assert missing_two.params["kinds"] == ["application_form", "practice_certificate"]
    assert missing_two.message("zh").count("医师执业注册申请审核表、《医师执业证书》原件") == 1
    assert "Application and review form, Original practice certificate" in missing_two.message("en")
    extra = _refused([form, card, certificate, _found("photo")])
    assert (extra.code, extra.params["kinds"]) == ("document_not_required", ["photo"])
    no_reason = _refused([form, _found("identity_document", "not_acceptable"), certificate])
    assert no_reason.code == "document_note_required"
    assert no_reason.params["kinds"] == ["identity_document"]


def test_several_documents_refused_are_listed_each_with_its_reason():
    items = [
        _found("application_form"),
        _found("identity_document", "not_acceptable", "已过有效期"),
        _found("practice_certificate", "not_acceptable", " 非原件 "),
    ]
    assert documents.findings_text(items) == (
        "不符合要求：居民身份证（已过有效期）、《医师执业证书》原件（非原件）",
        "not acceptable: Resident identity card (已过有效期), "
        "Original practice certificate (非原件)",
    )


def test_a_document_refused_with_a_reason_is_a_complete_finding():
    check_findings(
        NEEDED,
        [
            _found("application_form"),
            _found("identity_document", "not_acceptable", "已过有效期"),
            _found("practice_certificate", "missing"),
        ],
    )


# --- the facts of a stored application ---------------------------------------------------------


def application(type_: T, *, account_id=1, filed_by=1, **changes) -> Application:
    values = dict(
        application_no="A2026112600099",
        type=type_.value,
        account_id=account_id,
        filed_by=filed_by,
        institution_code=HUNAN,
        commission_code="430000",
        province_code="430000",
        details={"subject": {"id_number": ID, "name": NAME}, "fields": {}, "level": "physician"},
        state=S.awaiting_institution.value,
        # 17:30 UTC is 01:30 the next day in China: the day it was filed there.
        created_at=datetime(2026, 11, 25, 17, 30, tzinfo=UTC),
    )
    values.update(changes)
    return Application(**values)


async def qualified(session, issued_on: date, *, category="clinical", level="physician",
                    name=NAME, id_number=ID) -> None:  # fmt: skip
    session.add(
        Qualification(
            certificate_no=f"Q{issued_on:%Y%m%d}{category[:3]}{level[:3]}{len(name)}",
            name=name, id_number=id_number, level=level, category=category, issued_on=issued_on,
        )
    )  # fmt: skip
    await session.flush()


async def registered(session, *, status="active", ended_on=None, source=None, category="clinical"):
    registration = Registration(
        id_number=ID, name=NAME, level="physician", category=category, scope="内科",
        location_code="430000", institution_code=HUNAN, status=status, ended_on=ended_on,
        registered_on=date(2015, 1, 1), source_application_no=source,
    )  # fmt: skip
    session.add(registration)
    await session.flush()
    return registration


def registering(**fields) -> dict:
    return {
        "subject": {"id_number": ID, "name": NAME},
        "fields": {"category": "clinical", **fields},
        "level": "physician",
    }


async def test_the_facts_say_who_filed_and_the_day_in_china(session):
    own = await documents.facts_of(session, application(T.filing))
    assert own == Facts(T.filing, date(2026, 11, 26), filed_by_institution=False)
    by_staff = await documents.facts_of(session, application(T.filing, filed_by=5))
    assert by_staff.filed_by_institution
    report = application(T.cancellation, account_id=None, filed_by=5,
                         details={"fields": {"ground": 7}})  # fmt: skip
    facts = await documents.facts_of(session, report)
    assert (facts.filed_by_institution, facts.cancellation_ground) == (True, 7)
    assert await documents.facts_of(session, application(T.filing, details=None)) == own


async def test_a_registration_rests_on_its_earliest_matching_qualification(session):
    await qualified(session, date(2018, 7, 1))
    await qualified(session, date(2016, 7, 1), category="tcm")  # another category
    await qualified(session, date(2015, 7, 1), level="assistant")  # another level
    await qualified(session, date(2014, 7, 1), name="赵敏华")  # another name, same ID number
    await qualified(session, date(2013, 7, 1), id_number="430102199001010022")  # a namesake
    await qualified(session, date(2019, 7, 1))
    facts = await documents.facts_of(session, application(T.registration, details=registering()))
    assert facts.qualification_issued_on == date(2018, 7, 1)
    assert (facts.earlier_registrations, facts.last_practice_ended_on) == (False, None)
    # More than two years later and never registered: the training proof is asked for.
    assert K.training_proof in [d.kind for d in required(facts, ON)]


async def test_earlier_registrations_all_ended_date_the_last_practice(session):
    await registered(session, status="cancelled", ended_on=date(2020, 5, 1))
    await registered(session, status="cancelled", ended_on=date(2023, 9, 30))
    await registered(session, status="superseded", ended_on=None)
    facts = await documents.facts_of(session, application(T.registration, details=registering()))
    assert (facts.earlier_registrations, facts.last_practice_ended_on) == (True, date(2023, 9, 30))
    # One still active: practice has not ended.
    await registered(session)
    facts = await documents.facts_of(session, application(T.registration, details=registering()))
    assert (facts.earlier_registrations, facts.last_practice_ended_on) == (True, None)


async def test_registrations_that_ended_without_a_date_leave_the_end_of_practice_unknown(session):
    await registered(session, status="superseded", ended_on=None)
    facts = await documents.facts_of(session, application(T.registration, details=registering()))
    assert (facts.earlier_registrations, facts.last_practice_ended_on) == (True, None)
    assert K.training_proof not in [d.kind for d in required(facts, ON)]


async def test_an_application_stored_without_its_subject_reads_as_no_qualification(session):
    await qualified(session, date(2018, 7, 1))
    bare = application(T.registration, details={"fields": {"category": "clinical"}})
    facts = await documents.facts_of(session, bare)
    assert (facts.qualification_issued_on, facts.earlier_registrations) == (None, False)


async def test_the_registration_an_application_made_is_not_an_earlier_one(session):
    await registered(session, source="A2026112600099")  # made by this application itself
    completed = application(T.registration, details=registering(), state=S.completed.value)
    facts = await documents.facts_of(session, completed)
    assert (facts.earlier_registrations, facts.last_practice_ended_on) == (False, None)
    # Its own active registration does not hide that practice had ended before it.
    await registered(session, status="cancelled", ended_on=date(2021, 1, 1), source="A2019")
    facts = await documents.facts_of(session, completed)
    assert (facts.earlier_registrations, facts.last_practice_ended_on) == (True, date(2021, 1, 1))


async def test_a_change_names_a_new_institution_or_category(session):
    held = await registered(session)

    async def change(fields: dict, **changes) -> Facts:
        details = {"subject": {"id_number": ID, "name": NAME}, "fields": fields}
        stored = application(T.change, registration_id=held.id, details=details, **changes)
        return await documents.facts_of(session, stored)

    plain = await change({"scope": "外科"})
    assert (plain.changes_institution, plain.changes_category) == (False, False)
    moved = await change({}, notify_institution_code="H4305810001")
    assert (moved.changes_institution, moved.changes_category) == (True, False)
    assert (await change({"category": "clinical"})).changes_category is False  # the one it has
    assert (await change({"category": "tcm"})).changes_category is True
    # Completed: the registration holds the new category already; naming one was a change.
    done = await change({"category": "clinical"}, state=S.completed.value)
    assert done.changes_category is True
    gone = application(
        T.change, registration_id=999999,
        details={"subject": {}, "fields": {"category": "clinical"}},
    )  # fmt: skip
    assert (await documents.facts_of(session, gone)).changes_category is True


async def test_the_documents_of_a_stored_application_are_dated_the_day_they_are_brought(
    session, monkeypatch
):
    stored = application(T.change, notify_institution_code="H4305810001")
    brought = await documents.for_application(session, stored, date(2026, 12, 7))
    assert [d.kind for d in brought] == [
        K.application_form, K.identity_document, K.practice_certificate, K.photo,
        K.employment_proof,
    ]  # fmt: skip
    registration = application(T.registration, details=registering())
    health = next(
        d
        for d in await documents.for_application(session, registration, date(2026, 12, 7))
        if d.kind == K.health_certificate
    )
    assert "2026-12-07提交的，出具日期不早于2026-06-07" in health.detail[0]
    # Today by default, in China: 18:00 UTC on 7 December is already the 8th there.
    monkeypatch.setattr(documents, "utcnow", lambda: datetime(2026, 12, 7, 18, 0, tzinfo=UTC))
    health = next(
        d
        for d in await documents.for_application(session, registration)
        if d.kind == K.health_certificate
    )
    assert "2026-12-08提交的，出具日期不早于2026-06-08" in health.detail[0]


def test_an_unknown_kind_is_named_by_its_code():
    assert documents.name_of("photo") == ("近期免冠照片", "Recent photos")
    assert documents.name_of("sealed_letter") == ("sealed_letter", "sealed_letter")
