"""Rules of the nine business applications, checked at submission and again at completion.

``plan`` checks a submission and says who decides it and what it is about; ``complete`` checks
the same rules again (the world may have changed since) and changes the registry, once: a
retried completion finds the application already completed and returns the same certificate.
"""

from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from registry.accounts import get_institution
from registry.application_types import (
    CANCELLATION_GROUNDS,
    FIELDS,
    Actor,
    ApplicationState,
    ApplicationType,
    AssistantUpgradeFields,
    CancellationFields,
    ChangeFields,
    Completion,
    FilingCancellationFields,
    FilingFields,
    LegacyCancellationFields,
    MilitaryTransferInFields,
    RegistrationFields,
    TransferToMilitaryFields,
)
from registry.errors import DomainError
from registry.models import (
    Account,
    Application,
    Filing,
    Institution,
    LegacySite,
    Qualification,
    Registration,
)
from registry.reference import SCOPES, Category, Level, province_of

_CATEGORY_DIGIT = {Category.clinical: "1", Category.tcm: "2", Category.dental: "3",
                   Category.public_health: "4"}  # fmt: skip


@dataclass(frozen=True)
class Subject:
    """The physician an application is about (filed by them, or by their institution)."""

    account_id: int | None
    name: str
    id_number: str


@dataclass
class Plan:
    """A valid submission: who decides it, what it is about, what it will change."""

    institution_code: str
    commission_code: str
    province_code: str
    open_slot: str
    registration_id: int | None = None
    notify_institution_code: str | None = None
    details: dict = field(default_factory=dict)


# --- submission ------------------------------------------------------------------------------


def acts_for_applicant(filed_by: Actor, actor: Actor) -> bool:
    """Who may withdraw or resubmit: the filer; for a cancellation an institution filed (its
    duty to report grounds), any staff of that institution, not the physician."""
    if filed_by.role == "institution_staff":
        return (
            actor.role == "institution_staff"
            and actor.institution_code == filed_by.institution_code
        )
    return actor.account_id == filed_by.account_id


async def plan(
    session: AsyncSession, type_: ApplicationType, fields: BaseModel, filer: Account
) -> tuple[Subject, Plan]:
    """Check a submission by ``filer``; raises ``DomainError`` for the first rule it breaks."""
    if filer.role == "physician":
        if filer.activation_state != "active":
            raise DomainError("account_not_active")
        subject = Subject(filer.id, filer.name or "", filer.id_number or "")
    elif filer.role == "institution_staff" and type_ == ApplicationType.cancellation:
        subject = await _subject_of_staff_cancellation(session, fields, filer)
    else:
        raise DomainError("forbidden")
    return subject, await _PLANNERS[type_](session, subject, fields)


async def _subject_of_staff_cancellation(
    session: AsyncSession, fields: CancellationFields, staff: Account
) -> Subject:
    registration = await session.get(Registration, fields.registration_id)
    if registration is None or registration.status != "active":
        raise DomainError("registration_not_found")
    if registration.institution_code != staff.institution_code:
        raise DomainError("wrong_institution")
    account_id = await session.scalar(
        select(Account.id).where(Account.id_number == registration.id_number)
    )
    return Subject(account_id, registration.name, registration.id_number)


# --- shared checks ---------------------------------------------------------------------------


def _category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise DomainError("category_invalid", {"category": value}) from None


def _check_scope(category: Category, scope: str | None) -> str:
    if not scope:
        raise DomainError("scope_required")
    if scope not in SCOPES[category]:
        raise DomainError("scope_not_in_category", {"scope": scope, "category": category.value})
    return scope


async def _qualified_level(session: AsyncSession, subject: Subject, category: Category) -> Level:
    """The highest level the physician is qualified for in ``category``."""
    levels = set(
        await session.scalars(
            select(Qualification.level).where(
                Qualification.id_number == subject.id_number,
                Qualification.name == subject.name,
                Qualification.category == category,
            )
        )
    )
    if Level.physician in levels:
        return Level.physician
    if Level.assistant in levels:
        return Level.assistant
    raise DomainError("qualification_missing", {"category": category.value})


async def _check_category_held(
    session: AsyncSession, subject: Subject, category: Category, level: Level
) -> None:
    """A physician-level registration needs a physician-level qualification in the category."""
    try:
        held = await _qualified_level(session, subject, category)
    except DomainError:
        held = None
    if held is None or (level == Level.physician and held != Level.physician):
        raise DomainError("category_not_qualified", {"category": category.value})


def location_of(level: str, institution: Institution) -> str:
    """执业地点: the province for a practising physician, the county for an assistant."""
    return institution.province_code if level == Level.physician else institution.division_code


async def _active_registrations(session: AsyncSession, subject: Subject) -> list[Registration]:
    rows = await session.scalars(
        select(Registration).where(
            Registration.id_number == subject.id_number, Registration.status == "active"
        )
    )
    return list(rows)


async def _check_location_free(
    session: AsyncSession, subject: Subject, level: str, location: str, ignoring: int | None = None
) -> None:
    for other in await _active_registrations(session, subject):
        if other.id == ignoring:
            continue
        if level == Level.assistant and other.level == Level.assistant:
            raise DomainError("assistant_single_location")
        if other.location_code == location:
            raise DomainError("already_registered_in_location", {"location_code": location})


async def _own_registration(session: AsyncSession, subject: Subject, reg_id: int) -> Registration:
    registration = await session.get(Registration, reg_id)
    if (
        registration is None
        or registration.id_number != subject.id_number
        or registration.status != "active"
    ):
        raise DomainError("registration_not_found")
    return registration


def _location_slot(subject: Subject, location: str) -> str:
    """A new registration is about the physician's location; every other slot names a record."""
    return f"location:{subject.account_id}:{location}"


def _decided_by(institution: Institution, slot: str, **extra) -> Plan:
    return Plan(
        institution_code=institution.code,
        commission_code=institution.commission_code,
        province_code=institution.province_code,
        open_slot=slot,
        **extra,
    )


# --- one planner per type --------------------------------------------------------------------


async def _plan_registration(session, subject, f: RegistrationFields) -> Plan:
    institution = await get_institution(session, f.institution_code)
    category = _category(f.category)
    _check_scope(category, f.scope)
    level = await _qualified_level(session, subject, category)
    location = location_of(level, institution)
    await _check_location_free(session, subject, level, location)
    return _decided_by(
        institution,
        _location_slot(subject, location),
        details={"level": level.value, "location_code": location},
    )


async def _plan_assistant_upgrade(session, subject, f: AssistantUpgradeFields) -> Plan:
    registration = await _own_registration(session, subject, f.registration_id)
    if registration.level != Level.assistant:
        raise DomainError("not_assistant_registration")
    if await _qualified_level(session, subject, Category(registration.category)) != Level.physician:
        raise DomainError("upgrade_needs_physician_qualification")
    institution = await get_institution(session, registration.institution_code)
    location = location_of(Level.physician, institution)
    await _check_location_free(
        session, subject, Level.physician, location, ignoring=registration.id
    )
    return _decided_by(
        institution,
        f"registration:{registration.id}",
        registration_id=registration.id,
        details={"location_code": location},
    )


async def _plan_military_transfer_in(session, subject, f: MilitaryTransferInFields) -> Plan:
    if not f.military_certificate_no.strip():
        raise DomainError("military_certificate_required")
    try:
        level = Level(f.level)
    except ValueError:
        raise DomainError("level_invalid") from None
    institution = await get_institution(session, f.institution_code)
    _check_scope(_category(f.category), f.scope)
    location = location_of(level, institution)
    await _check_location_free(session, subject, level, location)
    return _decided_by(
        institution, _location_slot(subject, location), details={"location_code": location}
    )


async def _plan_transfer_to_military(session, subject, f: TransferToMilitaryFields) -> Plan:
    registration = await _own_registration(session, subject, f.registration_id)
    if not f.military_unit.strip():
        raise DomainError("military_unit_required")
    institution = await get_institution(session, registration.institution_code)
    return _decided_by(
        institution, f"registration:{registration.id}", registration_id=registration.id
    )


async def _plan_change(session, subject, f: ChangeFields) -> Plan:
    registration = await _own_registration(session, subject, f.registration_id)
    category = _category(f.category or registration.category)
    changes_category = category != registration.category
    if changes_category:
        await _check_category_held(session, subject, category, Level(registration.level))
    scope = _check_scope(category, f.scope or (None if changes_category else registration.scope))
    institution = await get_institution(
        session, f.institution_code or registration.institution_code
    )
    if (category, scope, institution.code) == (
        registration.category,
        registration.scope,
        registration.institution_code,
    ):
        raise DomainError("no_change_requested")
    location = location_of(registration.level, institution)
    if location != registration.location_code:
        await _check_location_free(
            session, subject, registration.level, location, ignoring=registration.id
        )
    moved = institution.code != registration.institution_code
    return _decided_by(
        institution,
        f"registration:{registration.id}",
        registration_id=registration.id,
        notify_institution_code=registration.institution_code if moved else None,
        details={"location_code": location, "category": category.value, "scope": scope},
    )


async def _plan_cancellation(session, subject, f: CancellationFields) -> Plan:
    registration = await _own_registration(session, subject, f.registration_id)
    if f.ground not in CANCELLATION_GROUNDS:
        raise DomainError("cancellation_ground_invalid")
    institution = await get_institution(session, registration.institution_code)
    return _decided_by(
        institution, f"registration:{registration.id}", registration_id=registration.id
    )


async def _plan_filing(session, subject, f: FilingFields) -> Plan:
    registration = await _own_registration(session, subject, f.registration_id)
    institution = await get_institution(session, f.institution_code)
    if institution.province_code != province_of(registration.location_code):
        raise DomainError("filing_other_province")
    if institution.code == registration.institution_code:
        raise DomainError("filing_at_primary")
    if f.end_on is not None and f.end_on < f.start_on:
        raise DomainError("filing_dates")
    existing = await session.scalar(
        select(Filing.id).where(
            Filing.registration_id == registration.id,
            Filing.institution_code == institution.code,
            Filing.status == "active",
        )
    )
    if existing:
        raise DomainError("filing_exists")
    return _decided_by(
        institution, f"registration:{registration.id}", registration_id=registration.id
    )


async def _plan_filing_cancellation(session, subject, f: FilingCancellationFields) -> Plan:
    filing = await session.get(Filing, f.filing_id)
    registration = filing and await session.get(Registration, filing.registration_id)
    if (
        filing is None
        or filing.status != "active"
        or registration is None
        or registration.id_number != subject.id_number
    ):
        raise DomainError("filing_not_found")
    institution = await get_institution(session, filing.institution_code)
    return _decided_by(
        institution, f"registration:{registration.id}", registration_id=registration.id
    )


async def _plan_legacy_cancellation(session, subject, f: LegacyCancellationFields) -> Plan:
    site = await session.get(LegacySite, f.legacy_site_id)
    if site is None or site.id_number != subject.id_number or site.status != "active":
        raise DomainError("legacy_site_not_found")
    institution = await get_institution(session, site.institution_code)
    return _decided_by(institution, f"legacy:{site.id}")


_PLANNERS = {
    ApplicationType.registration: _plan_registration,
    ApplicationType.assistant_upgrade: _plan_assistant_upgrade,
    ApplicationType.military_transfer_in: _plan_military_transfer_in,
    ApplicationType.transfer_to_military: _plan_transfer_to_military,
    ApplicationType.change: _plan_change,
    ApplicationType.cancellation: _plan_cancellation,
    ApplicationType.filing: _plan_filing,
    ApplicationType.filing_cancellation: _plan_filing_cancellation,
    ApplicationType.legacy_multisite_cancellation: _plan_legacy_cancellation,
}


# --- completion ------------------------------------------------------------------------------


async def complete(session: AsyncSession, application_no: str, today: date) -> Completion:
    """Check the rules again and change the registry; idempotent per application."""
    application = await session.scalar(
        select(Application).where(Application.application_no == application_no).with_for_update()
    )
    if application.state == ApplicationState.completed:
        return Completion(completed=True, certificate_no=application.certificate_no)
    type_ = ApplicationType(application.type)
    fields = FIELDS[type_].model_validate(application.details["fields"])
    subject = Subject(
        application.account_id,
        application.details["subject"]["name"],
        application.details["subject"]["id_number"],
    )
    try:
        checked = await _PLANNERS[type_](session, subject, fields)
    except DomainError as refusal:
        return Completion(completed=False, refusal_code=refusal.code)
    certificate_no = await _APPLY[type_](session, application, subject, fields, checked, today)
    application.state = ApplicationState.completed
    application.certificate_no = certificate_no
    application.open_slot = None
    return Completion(completed=True, certificate_no=certificate_no)


async def _new_registration(
    session, application, subject, level, category, scope, institution, location, today, **extra
) -> str:
    registration = Registration(
        id_number=subject.id_number,
        name=subject.name,
        level=level,
        category=category,
        scope=scope,
        location_code=location,
        institution_code=institution,
        registered_on=today,
        source_application_no=application.application_no,
        **extra,
    )
    session.add(registration)
    await session.flush()
    registration.certificate_no = certificate_number(registration)
    return registration.certificate_no


def certificate_number(registration: Registration) -> str:
    """执业证书编码: level, category, province, year and a serial, stable per registration."""
    level_digit = "1" if registration.level == Level.physician else "2"
    return (
        f"{level_digit}{_CATEGORY_DIGIT[Category(registration.category)]}"
        f"{registration.location_code[:2]}{registration.registered_on.year}"
        f"{registration.id:07d}"
    )


async def _end_registrations(session, registration_ids: list[int], status: str, today) -> None:
    await session.execute(
        update(Registration)
        .where(Registration.id.in_(registration_ids))
        .values(status=status, ended_on=today)
    )
    await session.execute(
        update(Filing)
        .where(Filing.registration_id.in_(registration_ids), Filing.status == "active")
        .values(status="ended", end_on=today)
    )


async def _apply_registration(session, application, subject, f, plan, today) -> str:
    return await _new_registration(
        session,
        application,
        subject,
        plan.details["level"],
        f.category,
        f.scope,
        f.institution_code,
        plan.details["location_code"],
        today,
    )


async def _apply_assistant_upgrade(session, application, subject, f, plan, today) -> str:
    old = await session.get(Registration, f.registration_id)
    await _end_registrations(session, [old.id], "superseded", today)
    return await _new_registration(
        session,
        application,
        subject,
        Level.physician,
        old.category,
        old.scope,
        old.institution_code,
        plan.details["location_code"],
        today,
    )


async def _apply_military_transfer_in(session, application, subject, f, plan, today) -> str:
    return await _new_registration(
        session,
        application,
        subject,
        f.level,
        f.category,
        f.scope,
        f.institution_code,
        plan.details["location_code"],
        today,
        military_certificate_no=f.military_certificate_no.strip(),
    )


async def _apply_transfer_to_military(session, application, subject, f, plan, today) -> None:
    every = [r.id for r in await _active_registrations(session, subject)]
    await _end_registrations(session, every, "invalid", today)


async def _apply_change(session, application, subject, f, plan, today) -> str | None:
    registration = await session.get(Registration, f.registration_id)
    registration.institution_code = plan.institution_code
    registration.location_code = plan.details["location_code"]
    registration.category = plan.details["category"]
    registration.scope = plan.details["scope"]
    # Filings are tied to the province of the location: those elsewhere end.
    province = province_of(registration.location_code)
    for filing in await session.scalars(
        select(Filing).where(Filing.registration_id == registration.id, Filing.status == "active")
    ):
        institution = await session.get(Institution, filing.institution_code)
        if institution.province_code != province:
            filing.status, filing.end_on = "ended", today
    return registration.certificate_no


async def _apply_cancellation(session, application, subject, f, plan, today) -> None:
    await _end_registrations(session, [f.registration_id], "cancelled", today)


async def _apply_filing(session, application, subject, f, plan, today) -> None:
    session.add(
        Filing(
            registration_id=f.registration_id,
            institution_code=f.institution_code,
            start_on=f.start_on,
            end_on=f.end_on,
            source_application_no=application.application_no,
        )
    )


async def _apply_filing_cancellation(session, application, subject, f, plan, today) -> None:
    filing = await session.get(Filing, f.filing_id)
    filing.status, filing.end_on = "cancelled", today


async def _apply_legacy_cancellation(session, application, subject, f, plan, today) -> None:
    site = await session.get(LegacySite, f.legacy_site_id)
    site.status = "cancelled"


_APPLY = {
    ApplicationType.registration: _apply_registration,
    ApplicationType.assistant_upgrade: _apply_assistant_upgrade,
    ApplicationType.military_transfer_in: _apply_military_transfer_in,
    ApplicationType.transfer_to_military: _apply_transfer_to_military,
    ApplicationType.change: _apply_change,
    ApplicationType.cancellation: _apply_cancellation,
    ApplicationType.filing: _apply_filing,
    ApplicationType.filing_cancellation: _apply_filing_cancellation,
    ApplicationType.legacy_multisite_cancellation: _apply_legacy_cancellation,
}
