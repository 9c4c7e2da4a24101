"""Grounds on which registration is refused (不予注册), with their periods.

Physicians Law 2021 art. 16: registration is refused to a person
(1) without or with limited civil capacity;
(2) under 2 years since a criminal sentence was served, or while a ban on practising runs;
(3) under 2 years since the practice certificate was revoked;
(4) under 1 year since the registration was cancelled for failed periodic assessment.
Grounds (2)–(4) follow from a cancellation (art. 17 grounds 2, 3 and 4) and are recorded when it
completes; ground (1) is recorded by a commission officer, who also lifts it. While one runs, a
registration, an assistant upgrade, a change and a military transfer-in are refused, at
submission and again at completion, with the date the period ends.
"""

from datetime import date
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry import audit
from registry.errors import DomainError, Localized
from registry.models import Account, RegistrationBar


class RefusalGround(StrEnum):
    no_civil_capacity = "no_civil_capacity"  # art. 16 (1)
    limited_civil_capacity = "limited_civil_capacity"  # art. 16 (1)
    criminal_punishment = "criminal_punishment"  # art. 16 (2)
    certificate_revoked = "certificate_revoked"  # art. 16 (3)
    failed_assessment = "failed_assessment"  # art. 16 (4)


GROUND_NAMES: dict[RefusalGround, tuple[str, str]] = {
    RefusalGround.no_civil_capacity: ("无民事行为能力", "no civil capacity"),
    RefusalGround.limited_civil_capacity: ("限制民事行为能力", "limited civil capacity"),
    RefusalGround.criminal_punishment: (
        "受刑事处罚，刑罚执行完毕不满二年或者被依法禁止从事医师职业的期限未满",
        "criminal punishment: under 2 years since the sentence was served, or a ban on "
        "practising still running",
    ),
    RefusalGround.certificate_revoked: (
        "被吊销医师执业证书不满二年",
        "under 2 years since the practice certificate was revoked",
    ),
    RefusalGround.failed_assessment: (
        "因医师定期考核不合格被注销注册不满一年",
        "under 1 year since cancellation for failed periodic assessment",
    ),
}

# Grounds an officer records (the others follow from a cancellation).
RECORDED_BY_OFFICER = frozenset(
    {RefusalGround.no_civil_capacity, RefusalGround.limited_civil_capacity}
)

CRIMINAL_YEARS = 2
REVOKED_YEARS = 2
FAILED_ASSESSMENT_YEARS = 1


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_after_cancellation(
    ground: int,
    cancelled_on: date,
    arose_on: date | None,
    sentence_ends_on: date | None = None,
    ban_ends_on: date | None = None,
) -> tuple[RefusalGround, date, date] | None:
    """(refusal ground, start, end) that a cancellation on ``ground`` (1–10) starts, if any.

    Unknown dates (cancellations recorded before dates were) count from the cancellation.
    """
    if ground == 2:  # criminal punishment: from now until 2 years after the sentence ends,
        start = arose_on or cancelled_on  # (being served is no better than served)
        end = add_years(sentence_ends_on or start, CRIMINAL_YEARS)  # or the end of a ban
        if ban_ends_on and ban_ends_on > end:
            end = ban_ends_on
        return RefusalGround.criminal_punishment, start, end
    if ground == 3:  # certificate revoked: 2 years after the revocation
        start = arose_on or cancelled_on
        return RefusalGround.certificate_revoked, start, add_years(start, REVOKED_YEARS)
    if ground == 4:  # failed assessment: 1 year after the cancellation itself
        return (
            RefusalGround.failed_assessment,
            cancelled_on,
            add_years(cancelled_on, FAILED_ASSESSMENT_YEARS),
        )
    return None


def _running(today: date):
    return (
        RegistrationBar.lifted_on.is_(None)
        & (RegistrationBar.starts_on <= today)
        & or_(RegistrationBar.ends_on.is_(None), RegistrationBar.ends_on > today)
    )


async def running_bars(session: AsyncSession, id_number: str, today: date) -> list[RegistrationBar]:
    """The refusal grounds running for a person on ``today``; one without end first, then the
    one that ends last."""
    rows = await session.scalars(
        select(RegistrationBar)
        .where(RegistrationBar.id_number == id_number, _running(today))
        .order_by(RegistrationBar.ends_on.is_not(None), RegistrationBar.ends_on.desc())
    )
    return list(rows)


async def check_not_barred(session: AsyncSession, id_number: str, today: date) -> None:
    """Refuse (``registration_barred``) while a refusal ground runs, naming it and its end."""
    bars = await running_bars(session, id_number, today)
    if not bars:
        return
    bar = bars[0]
    ground = Localized(*GROUND_NAMES[RefusalGround(bar.ground)])
    if bar.ends_on is None:
        raise DomainError("registration_barred", {"ground": ground})
    raise DomainError(
        "registration_barred_until", {"ground": ground, "ends_on": bar.ends_on.isoformat()}
    )


async def bar_after_cancellation(
    session: AsyncSession,
    id_number: str,
    application_no: str,
    commission_code: str,
    ground: int,
    cancelled_on: date,
    arose_on: date | None,
    sentence_ends_on: date | None = None,
    ban_ends_on: date | None = None,
) -> RegistrationBar | None:
    """Record the refusal period a completed cancellation starts (once per application)."""
    period = period_after_cancellation(
        ground, cancelled_on, arose_on, sentence_ends_on, ban_ends_on
    )
    if period is None:
        return None
    existing = await session.scalar(
        select(RegistrationBar).where(RegistrationBar.source_application_no == application_no)
    )
    if existing is not None:
        return existing
    refusal, starts_on, ends_on = period
    bar = RegistrationBar(
        id_number=id_number,
        ground=refusal.value,
        starts_on=starts_on,
        ends_on=ends_on,
        source_application_no=application_no,
        commission_code=commission_code,
    )
    session.add(bar)
    return bar


# --- recorded by an officer: a lack of civil capacity -------------------------------------------


async def record_by_officer(
    session: AsyncSession,
    officer: Account,
    id_number: str,
    ground: RefusalGround,
    starts_on: date,
    ends_on: date | None,
    comment: str | None,
) -> RegistrationBar:
    """An officer records a ground they establish themselves (a court's finding of no or
    limited civil capacity); it runs until ``ends_on`` or until lifted."""
    if ground not in RECORDED_BY_OFFICER:
        raise DomainError("refusal_ground_not_recordable")
    if ends_on is not None and ends_on <= starts_on:
        raise DomainError("refusal_ground_dates")
    bar = RegistrationBar(
        id_number=id_number,
        ground=ground.value,
        starts_on=starts_on,
        ends_on=ends_on,
        commission_code=officer.commission_code,
        recorded_by=officer.id,
        comment=(comment or "").strip() or None,
    )
    session.add(bar)
    await session.flush()
    await _audit(session, "refusal_ground_recorded", officer, bar)
    return bar


async def lift(
    session: AsyncSession, officer: Account, bar_id: int, today: date
) -> RegistrationBar:
    """The ground recorded by this officer's commission no longer holds (capacity restored)."""
    bar = await session.get(RegistrationBar, bar_id)
    if bar is None or bar.recorded_by is None:
        raise DomainError("refusal_ground_not_found")
    if bar.commission_code != officer.commission_code:
        raise DomainError("wrong_commission")
    if bar.lifted_on is not None:
        raise DomainError("wrong_state", {"state": "lifted"})
    bar.lifted_on, bar.lifted_by = today, officer.id
    await _audit(session, "refusal_ground_lifted", officer, bar)
    return bar


async def _audit(session: AsyncSession, action: str, officer: Account, bar: RegistrationBar):
    physician_id = await session.scalar(
        select(Account.id).where(Account.id_number == bar.id_number)
    )
    await audit.record(
        session,
        action,
        actor_id=officer.id,
        actor_role=officer.role,
        physician_id=physician_id,
        detail={"bar_id": bar.id, "ground": bar.ground, "commission_code": bar.commission_code},
    )
