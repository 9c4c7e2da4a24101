"""The refusal grounds of Physicians Law 2021 art. 16 (``registry/refusals.py``): how long the
period a cancellation starts runs, which running ground a refusal names, a period recorded once
per cancellation, and who records and lifts a lack of civil capacity. Built with the fixtures of
``tests/unit/test_application_rules.py``.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry import refusals
from registry.errors import DomainError
from registry.models import AuditEvent, RegistrationBar
from registry.refusals import RefusalGround
from tests.unit import test_application_rules as rules
from tests.unit.test_application_rules import TODAY, T, registering

template, desk = rules.template, rules.desk
G = RefusalGround
CANCELLED = date(2026, 12, 1)
AROSE = date(2026, 10, 15)


@pytest.mark.parametrize(
    ("ground", "arose_on", "sentence_ends_on", "ban_ends_on", "period"),
    [
        # (2) from the sentence until 2 years after it is served ...
        (2, AROSE, date(2027, 6, 30), None, (G.criminal_punishment, AROSE, date(2029, 6, 30))),
        # ... or until a ban on practising ends, if later
        (2, AROSE, date(2027, 6, 30), date(2029, 7, 1),
         (G.criminal_punishment, AROSE, date(2029, 7, 1))),
        # a ban ending earlier changes nothing
        (2, AROSE, date(2027, 6, 30), date(2029, 6, 29),
         (G.criminal_punishment, AROSE, date(2029, 6, 30))),
        # recorded before dates were asked: from the cancellation, 2 years
        (2, None, None, None, (G.criminal_punishment, CANCELLED, date(2028, 12, 1))),
        # a sentence's end unknown: 2 years from when the ground arose
        (2, AROSE, None, None, (G.criminal_punishment, AROSE, date(2028, 10, 15))),
        # (3) 2 years after the revocation, or after the cancellation when its date is unknown
        (3, AROSE, None, None, (G.certificate_revoked, AROSE, date(2028, 10, 15))),
        (3, None, None, None, (G.certificate_revoked, CANCELLED, date(2028, 12, 1))),
        # (4) 1 year after the cancellation itself, whenever the assessment failed
        (4, AROSE, None, None, (G.failed_assessment, CANCELLED, date(2027, 12, 1))),
        # the other grounds start no period
        (1, AROSE, None, None, None),
        (5, AROSE, None, None, None),
        (10, None, None, None, None),
    ],
)  # fmt: skip
def test_the_period_a_cancellation_starts(ground, arose_on, sentence_ends_on, ban_ends_on, period):
    assert (
        refusals.period_after_cancellation(
            ground, CANCELLED, arose_on, sentence_ends_on, ban_ends_on
        )
        == period
    )


def test_years_are_added_to_the_same_day():
    assert refusals.add_years(date(2026, 3, 1), 2) == date(2028, 3, 1)
    assert refusals.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert refusals.add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


# --- which running ground a refusal names ------------------------------------------------------


async def test_of_several_running_grounds_the_refusal_names_the_one_ending_last(desk):
    doc = await desk.physician()
    await desk.bar(doc, G.failed_assessment, date(2026, 6, 1), date(2027, 6, 1))
    await desk.bar(doc, G.certificate_revoked, date(2026, 1, 1), date(2028, 1, 1))
    await desk.bar(doc, G.criminal_punishment, date(2025, 1, 1), date(2027, 1, 1))
    refused = await desk.refused(doc, T.registration, **registering())
    assert (refused.code, refused.params["ends_on"]) == ("registration_barred_until", "2028-01-01")
    assert refused.message("en").startswith(
        "Registration is refused: under 2 years since the practice certificate was revoked"
    )
    assert refused.message("zh").startswith("不予注册：被吊销医师执业证书不满二年")


async def test_a_ground_without_end_is_named_before_any_that_ends(desk):
    doc = await desk.physician()
    await desk.bar(doc, G.certificate_revoked, date(2026, 1, 1), date(2028, 1, 1))
    await desk.bar(doc, G.limited_civil_capacity, date(2026, 1, 1), None)
    refused = await desk.refused(doc, T.registration, **registering())
    assert refused.code == "registration_barred"
    assert refused.message("zh").startswith("不予注册：限制民事行为能力")
    assert refused.message("en").startswith("Registration is refused: limited civil capacity")


async def test_only_the_physicians_own_grounds_refuse(desk):
    doc, other = await desk.physician(), await desk.physician()
    await desk.bar(other, G.certificate_revoked, date(2026, 1, 1), date(2028, 1, 1))
    assert await desk.plan(doc, T.registration, **registering())
    assert await refusals.running_bars(desk.session, doc.id_number, TODAY) == []


async def test_a_ground_runs_from_its_first_day_to_the_day_before_its_end(desk):
    doc = await desk.physician()
    await desk.bar(doc, G.failed_assessment, TODAY, TODAY + timedelta(days=1))
    [bar] = await refusals.running_bars(desk.session, doc.id_number, TODAY)
    assert bar.ground == "failed_assessment"
    assert await refusals.running_bars(desk.session, doc.id_number, TODAY - timedelta(1)) == []
    assert await refusals.running_bars(desk.session, doc.id_number, TODAY + timedelta(1)) == []


# --- recorded once per cancellation ------------------------------------------------------------


async def test_a_cancellation_records_its_period_once(desk):
    doc = await desk.physician()
    args = (desk.session, doc.id_number, "20261201000042", "430000", 3, TODAY, AROSE)
    first = await refusals.bar_after_cancellation(*args)
    await desk.session.flush()
    again = await refusals.bar_after_cancellation(*args)
    assert again is first
    assert (
        first.id_number, first.ground, first.starts_on, first.ends_on,
        first.source_application_no, first.commission_code,
    ) == (
        doc.id_number, "certificate_revoked", AROSE, date(2028, 10, 15),
        "20261201000042", "430000",
    )  # fmt: skip
    bars = await desk.session.scalars(
        select(RegistrationBar).where(RegistrationBar.id_number == doc.id_number)
    )
    assert len(bars.all()) == 1
    # another cancellation's period is recorded beside it
    other = await refusals.bar_after_cancellation(
        desk.session, doc.id_number, "20261201000043", "430000", 4, TODAY, AROSE
    )
    assert other is not first and other.ground == "failed_assessment"
    assert (
        await refusals.bar_after_cancellation(
            desk.session, doc.id_number, "20261201000044", "430000", 10, TODAY, None
        )
        is None
    )


# --- a lack of civil capacity, recorded and lifted by an officer --------------------------------


async def test_an_officer_records_a_lack_of_capacity_with_dates_and_comment(desk):
    officer = await desk.desk("officer_anji")
    doc = await desk.physician()
    bar = await refusals.record_by_officer(
        desk.session, officer, doc.id_number, G.limited_civil_capacity, TODAY,
        TODAY + timedelta(days=1), "  法院判决  ",
    )  # fmt: skip
    assert (
        bar.id_number, bar.ground, bar.starts_on, bar.ends_on, bar.commission_code,
        bar.recorded_by, bar.comment, bar.source_application_no,
    ) == (
        doc.id_number, "limited_civil_capacity", TODAY, TODAY + timedelta(days=1), "330523",
        officer.id, "法院判决", None,
    )  # fmt: skip
    refused = await desk.refused(doc, T.registration, **registering())
    assert refused.params["ends_on"] == "2026-12-02"
    blank = await refusals.record_by_officer(
        desk.session, officer, doc.id_number, G.no_civil_capacity, TODAY, None, "   "
    )
    assert blank.comment is None
    unsaid = await refusals.record_by_officer(
        desk.session, officer, doc.id_number, G.no_civil_capacity, TODAY, None, None
    )
    assert unsaid.comment is None


async def test_an_officer_records_neither_a_cancellations_ground_nor_an_end_before_start(desk):
    officer = await desk.desk("officer_hunan")
    doc = await desk.physician()
    for ground in (G.criminal_punishment, G.certificate_revoked, G.failed_assessment):
        with pytest.raises(DomainError) as info:
            await refusals.record_by_officer(
                desk.session, officer, doc.id_number, ground, TODAY, None, None
            )
        assert info.value.code == "refusal_ground_not_recordable"
    with pytest.raises(DomainError) as info:
        await refusals.record_by_officer(
            desk.session, officer, doc.id_number, G.no_civil_capacity, TODAY,
            TODAY - timedelta(days=1), None,
        )  # fmt: skip
    assert info.value.code == "refusal_ground_dates"


async def test_a_period_from_a_cancellation_is_not_lifted_by_an_officer(desk):
    """Only a ground an officer recorded is lifted: a period a cancellation started runs its
    time."""
    doc = await desk.physician()
    officer = await desk.desk("officer_hunan")
    bar = await refusals.bar_after_cancellation(
        desk.session, doc.id_number, "20261201000042", "430000", 3, TODAY, AROSE
    )
    await desk.session.flush()
    with pytest.raises(DomainError) as info:
        await refusals.lift(desk.session, officer, bar.id, TODAY)
    assert info.value.code == "refusal_ground_not_found"
    assert bar.lifted_on is None


async def test_lifting_a_ground_of_someone_without_an_account_is_audited_without_one(desk):
    officer = await desk.desk("officer_hunan")
    bar = await refusals.record_by_officer(
        desk.session, officer, "43058119800101002X", G.no_civil_capacity, TODAY, None, None
    )
    await refusals.lift(desk.session, officer, bar.id, TODAY)
    events = await desk.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("refusal_ground_%"))
    )
    assert [(e.action, e.physician_id, e.detail["bar_id"]) for e in events] == [
        ("refusal_ground_recorded", None, bar.id),
        ("refusal_ground_lifted", None, bar.id),
    ]
