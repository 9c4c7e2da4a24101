"""Which paper documents each business needs, decided from an application's facts."""

from datetime import date

import pytest

from registry.application_types import ApplicationType as T
from registry.application_types import DocumentCheck
from registry.documents import (
    DocumentKind as K,
)
from registry.documents import (
    Facts,
    add_years,
    check_findings,
    findings_text,
    health_certificate_earliest,
    required,
)
from registry.errors import DomainError

ON = date(2026, 11, 26)


def kinds(facts: Facts, on: date = ON) -> list[K]:
    return [d.kind for d in required(facts, on)]


def test_a_first_registration_soon_after_the_qualification():
    facts = Facts(T.registration, ON, qualification_issued_on=date(2025, 8, 1))
    assert kinds(facts) == [
        K.application_form,
        K.photo,
        K.qualification_certificate,
        K.health_certificate,
        K.identity_document,
        K.employment_proof,
    ]


def test_a_first_registration_more_than_two_years_after_the_qualification_needs_training():
    facts = Facts(T.registration, ON, qualification_issued_on=date(2024, 11, 25))
    training = next(d for d in required(facts, ON) if d.kind == K.training_proof)
    assert "2024-11-25" in training.reason[0] and "2 years" in training.reason[1]
    assert "第十二条第二款" in training.basis[0]
    # Two years to the day is not more than two years.
    exactly = Facts(T.registration, ON, qualification_issued_on=date(2024, 11, 26))
    assert K.training_proof not in kinds(exactly)


def test_a_return_after_two_years_without_practice_needs_training_too():
    back = Facts(
        T.registration,
        ON,
        qualification_issued_on=date(2010, 1, 1),
        earlier_registrations=True,
        last_practice_ended_on=date(2024, 1, 10),
    )
    assert K.training_proof in kinds(back)
    # Not a first registration, recently practising: no training however old the qualification.
    recent = Facts(
        T.registration,
        ON,
        qualification_issued_on=date(2010, 1, 1),
        earlier_registrations=True,
        last_practice_ended_on=date(2026, 1, 10),
    )
    assert K.training_proof not in kinds(recent)


def test_the_health_certificate_says_how_recent_it_must_be():
    health = next(
        d for d in required(Facts(T.registration, ON), ON) if d.kind == K.health_certificate
    )
    assert "2026-05-26" in health.detail[0] and "2026-05-26" in health.detail[1]
    assert health_certificate_earliest(date(2026, 8, 31)) == date(2026, 2, 28)
    assert health_certificate_earliest(date(2026, 3, 15)) == date(2025, 9, 15)


def test_add_years_keeps_29_february_in_common_years():
    assert add_years(date(2024, 2, 29), 2) == date(2026, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_a_change_of_institution_or_category_asks_for_more():
    plain = kinds(Facts(T.change, ON))
    assert plain == [K.application_form, K.identity_document, K.practice_certificate]
    moved = required(Facts(T.change, ON, changes_institution=True), ON)
    assert [d.kind for d in moved][3:] == [K.photo, K.employment_proof]
    assert "新的主要执业机构" in moved[4].detail[0]
    assert K.qualification_certificate in kinds(Facts(T.change, ON, changes_category=True))


def test_military_types():
    into = kinds(Facts(T.military_transfer_in, ON))
    assert K.military_practice_certificate in into and K.military_release in into
    out = required(Facts(T.transfer_to_military, ON), ON)
    assert [d.kind for d in out] == [
        K.application_form,
        K.identity_document,
        K.practice_certificate,
        K.military_acceptance,
    ]
    assert "全部" in out[2].detail[0]


@pytest.mark.parametrize(
    ("by_institution", "ground", "expected"),
    [
        (False, 10, [K.application_form, K.practice_certificate, K.identity_document]),
        (True, 1, [K.application_form, K.practice_certificate, K.institution_report,
                   K.cancellation_evidence]),
        (True, 7, [K.application_form, K.practice_certificate, K.institution_report,
                   K.cancellation_evidence]),
    ],
)  # fmt: skip
def test_cancellation_depends_on_who_files_and_the_ground(by_institution, ground, expected):
    facts = Facts(
        T.cancellation, ON, filed_by_institution=by_institution, cancellation_ground=ground
    )
    found = required(facts, ON)
    assert [d.kind for d in found] == expected
    if ground == 1:
        assert "死亡证明" in found[-1].detail[0]


def test_every_type_starts_with_the_form_and_every_item_cites_its_article():
    for type_ in T:
        found = required(Facts(type_, ON), ON)
        assert found[0].kind == K.application_form
        for document in found:
            assert "条" in document.basis[0] and "art." in document.basis[1], document
            assert document.name[0] and document.name[1]


# --- the paper check at the counter ----------------------------------------------------------


def _found(kind: str, status: str = "present", note: str | None = None):
    return DocumentCheck(kind=kind, status=status, note=note)


REGISTRATION = Facts(T.registration, ON, qualification_issued_on=date(2025, 8, 1))


def test_the_findings_cover_each_required_document_once_and_nothing_else():
    needed = required(REGISTRATION, ON)
    every = [_found(d.kind.value) for d in needed]
    check_findings(needed, every)  # all present: fine
    cases = [
        (every[1:], "document_checklist_incomplete", "医师执业注册申请审核表", "Application and"),
        ([*every, every[2]], "document_checklist_incomplete", "《医师资格证书》", "Qualification"),
        ([*every, _found("filing_agreement")], "document_not_required", "备案机构同意执业证明",
         "Further institution's consent"),
        ([every[0], _found("photo", "not_acceptable", " "), *every[2:]], "document_note_required",
         "近期免冠照片", "Say why 'Recent photos' is not acceptable"),
    ]  # fmt: skip
    for findings, code, zh, en in cases:
        with pytest.raises(DomainError) as refused:
            check_findings(needed, findings)
        assert refused.value.code == code
        assert zh in refused.value.message("zh") and en in refused.value.message("en")


def test_the_findings_in_words_list_what_is_missing_then_what_is_not_acceptable():
    findings = [
        _found("application_form"),
        _found("photo", "missing"),
        _found("health_certificate", "not_acceptable", "超过6个月"),
        _found("employment_proof", "missing"),
    ]
    assert findings_text(findings, " 请补齐 ") == (
        "缺少：近期免冠照片、聘用证明；不符合要求：健康体检证明（超过6个月）；说明：请补齐",
        "missing: Recent photos, Proof of employment; not acceptable: Health certificate "
        "(超过6个月); note: 请补齐",
    )
    assert findings_text([_found("photo")]) == ("—", "—")
    assert findings_text([], "缺体检证明") == ("说明：缺体检证明", "note: 缺体检证明")
    # A kind this code does not know (a newer one, in a running workflow) is named by its code.
    assert findings_text([_found("new_kind", "missing")])[0] == "缺少：new_kind"
