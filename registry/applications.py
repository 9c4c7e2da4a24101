"""Rules of the nine business applications, checked at submission and again at completion.

``plan`` checks a submission and says who decides it and what it is about; ``complete`` checks
the same rules again (the world may have changed since) and changes the registry, once: a
retried completion finds the application already completed and returns the same certificate.
What a form must say (who may file which cancellation ground, with which dates) is checked
once, at submission; the state of the registry (locations, qualifications, refusal grounds) at
both. Each rule names the article it comes from: Physicians Law 2021 (医师法) and the
Registration Measures 2017 (医师执业注册管理办法); docs/rules.md lists them.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from registry.accounts import get_institution
from registry.application_types import (
    CANCELLATION_GROUNDS,
    CRIMINAL_GROUND,
    FIELDS,
    GROUNDS_BY_FILER,
    REPORT_WITHIN,
    Actor,
    ApplicationState,
    ApplicationType,
    AssistantUpgradeFields,
    CancellationFields,
    ChangeFields,
    Completion,
    FiledAs,
    FilingCancellationFields,
    FilingFields,
    LegacyCancellationFields,
    MilitaryTransferInFields,
    RegistrationFields,
    TransferToMilitaryFields,
)
from registry.errors import DomainError, Localized
from registry.institutions import active_registrations, stale_reviews
from registry.models import (
    Account,
    Application,
    Filing,
    Institution,
    LegacySite,
    Qualification,
    Registration,
)
from registry.reference import CATEGORY_NAMES, SCOPES, Category, Level, province_of
from registry.refusals import bar_after_cancellation, check_not_barred
from registry.roles import Role

LEVEL_NAMES: dict[Level, tuple[str, str]] = {
    Level.physician: ("执业医师", "physician"),
    Level.assistant: ("执业助理医师", "assistant physician"),
}

_CATEGORY_DIGIT = {Category.clinical: "1", Category.tcm: "2", Category.dental: "3",
                   Category.public_health: "4"}  # fmt: skip


@dataclass(frozen=True)
class Subject:
    """The physician an application is about (filed by them, or by their institution)."""

    account_id: int | None
    name: str
    id_number: str


@dataclass(frozen=True)
class Context:
    """What a check runs with: the subject, on whose authority it is filed, the day (China
    time), and whether it is the submission (form rules are checked then only)."""

    session: AsyncSession
    subject: Subject
    filed_as: FiledAs
    today: date
    submitting: bool = True


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


_FILED_AS = {
    Role.PHYSICIAN: FiledAs.physician,
    Role.INSTITUTION_STAFF: FiledAs.institution,
    Role.COMMISSION_OFFICER: FiledAs.commission,
}


def filed_as(role: str) -> FiledAs:
    """On whose authority an account files."""
    return _FILED_AS[role]


def first_state(filed_by: Actor, institution_code: str) -> ApplicationState:
    """Where a (re)submitted application starts: with the institution that confirms it — unless
    that institution filed it itself (its own report is not sent back to it for confirmation),
    or a commission opened it on its own authority, which needs only the officer's decision."""
    if filed_by.role == Role.COMMISSION_OFFICER:
        return ApplicationState.under_review
    if filed_by.role == Role.INSTITUTION_STAFF and filed_by.institution_code == institution_code:
        return ApplicationState.awaiting_documents
    return ApplicationState.awaiting_institution


async def plan(
    session: AsyncSession,
    type_: ApplicationType,
    fields: BaseModel,
    filer: Account,
    today: date,
) -> tuple[Subject, Plan]:
    """Check a submission by ``filer`` on ``today`` (China time); raises ``DomainError`` for
    the first rule it breaks.

    A physician files for themself; institution staff report a cancellation of a physician of
    their institution, and a commission officer cancels a registration their commission granted
    on the commission's own authority (Physicians Law 2021 art. 17)."""
    if filer.role == Role.PHYSICIAN:
        if filer.activation_state != "active":
            raise DomainError("account_not_active")
        subject = Subject(filer.id, filer.name or "", filer.id_number or "")
    elif filer.role in (Role.INSTITUTION_STAFF, Role.COMMISSION_OFFICER) and (
        type_ == ApplicationType.cancellation
    ):
        subject = await _subject_of_reported_cancellation(session, fields, filer)
    else:
        raise DomainError("forbidden")
    context = Context(session, subject, filed_as(filer.role), today)
    checked = await _PLANNERS[type_](context, fields)
    checked.details["filed_as"] = context.filed_as.value
    return subject, checked


async def plan_collective(
    session: AsyncSession, subject: Subject, fields: RegistrationFields, today: date
) -> Plan:
    """A registration an institution files for one of its physicians (集体办理, Physicians Law
    2021 art. 13): the same rules as the physician's own filing — the qualification record
    matched by name and ID number, the scope in the category, no refusal ground, a free
    location — on the institution's authority."""
    context = Context(session, subject, FiledAs.institution, today)
    checked = await _plan_registration(context, fields)
    checked.details["filed_as"] = FiledAs.institution.value
    return checked


async def _subject_of_reported_cancellation(
    session: AsyncSession, fields: CancellationFields, filer: Account
) -> Subject:
    """The physician a cancellation reported by an institution, or opened by a commission, is
    about: staff report for their own institution, officers act on what their commission
    granted (the commission licensing the registration's primary institution)."""
    registration = await session.get(Registration, fields.registration_id)
    if registration is None or registration.status != "active":
        raise DomainError("registration_not_found")
    if filer.role == Role.INSTITUTION_STAFF:
        if registration.institution_code != filer.institution_code:
            raise DomainError("wrong_institution")
    else:
        institution = await get_institution(session, registration.institution_code)
        if institution.commission_code != filer.commission_code:
            raise DomainError("registered_elsewhere")
    account_id = await session.scalar(
        select(Account.id).where(Account.id_number == registration.id_number)
    )
    return Subject(account_id, registration.name, registration.id_number)


# --- shared checks ---------------------------------------------------------------------------


def _category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise DomainError("category_invalid") from None  # never echo what was typed


def _check_scope(category: Category, scope: str | None) -> str:
    """A scope belongs to one category (Registration Measures 2017 art. 7)."""
    if not scope:
        raise DomainError("scope_required")
    if scope not in SCOPES[category]:
        raise DomainError("scope_not_in_category", {"scope": scope, "category": category.value})
    return scope


async def _held_levels(c: Context, category: Category) -> set[str]:
    rows = await c.session.scalars(
        select(Qualification.level).where(
            Qualification.id_number == c.subject.id_number,
            Qualification.name == c.subject.name,
            Qualification.category == category,
        )
    )
    return set(rows)


async def _qualified_level(c: Context, category: Category) -> Level:
    """The highest level the physician is qualified for in ``category``."""
    levels = await _held_levels(c, category)
    if Level.physician in levels:
        return Level.physician
    if Level.assistant in levels:
        return Level.assistant
    raise DomainError("qualification_missing", {"category": category.value})


async def _check_category_held(c: Context, category: Category, level: Level) -> None:
    """A physician-level registration needs a physician-level qualification in the category."""
    try:
        held = await _qualified_level(c, category)
    except DomainError:
        held = None
    if held is None or (level == Level.physician and held != Level.physician):
        raise DomainError("category_not_qualified", {"category": category.value})


async def _check_holds(c: Context, category: Category, level: Level) -> None:
    """A qualification at exactly the level and in the category asked for: what a military
    physician transferring in registers as (not what the form claims)."""
    if level not in await _held_levels(c, category):
        raise DomainError(
            "qualification_level_missing",
            {
                "level": Localized(*LEVEL_NAMES[level]),
                "category": Localized(*CATEGORY_NAMES[category]),
            },
        )


def location_of(level: str, institution: Institution) -> str:
    """执业地点 (Registration Measures 2017 art. 7): the province for a practising physician,
    the county for an assistant."""
    return institution.province_code if level == Level.physician else institution.division_code


async def _check_location_free(
    c: Context, level: str, location: str, ignoring: int | None = None
) -> None:
    """One primary institution per location (Registration Measures 2017 art. 10); an assistant
    registers one location only, and a physician registration cannot sit beside an assistant
    one in the same province — the upgrade is the way from one to the other."""
    for other in await active_registrations(c.session, c.subject.id_number):
        if other.id == ignoring:
            continue
        if level == Level.assistant and other.level == Level.assistant:
            raise DomainError("assistant_single_location")
        if other.level == level:
            overlaps = other.location_code == location
        else:
            overlaps = province_of(other.location_code) == province_of(location)
        if not overlaps:
            continue
        if level == Level.physician and other.level == Level.assistant:
            raise DomainError("assistant_upgrade_instead", {"province_code": province_of(location)})
        raise DomainError("already_registered_in_location", {"location_code": other.location_code})


async def _check_not_barred(c: Context) -> None:
    """No registration while a refusal ground runs (Physicians Law 2021 art. 16)."""
    await check_not_barred(c.session, c.subject.id_number, c.today)


async def _own_registration(c: Context, reg_id: int) -> Registration:
    registration = await c.session.get(Registration, reg_id)
    if (
        registration is None
        or registration.id_number != c.subject.id_number
        or registration.status != "active"
    ):
        raise DomainError("registration_not_found")
    return registration


def _location_slot(subject: Subject, location: str) -> str:
    """A new registration is about the physician's location; every other slot names a record.
    A physician without an account (an institution's collective filing) is named by a digest
    of the ID number, never the number itself."""
    if subject.account_id is None:
        person = hashlib.sha256(subject.id_number.encode()).hexdigest()[:12]
        return f"location:p{person}:{location}"
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


async def _plan_registration(c: Context, f: RegistrationFields) -> Plan:
    institution = await get_institution(c.session, f.institution_code)
    category = _category(f.category)
    _check_scope(category, f.scope)
    level = await _qualified_level(c, category)
    await _check_not_barred(c)
    location = location_of(level, institution)
    await _check_location_free(c, level, location)
    return _decided_by(
        institution,
        _location_slot(c.subject, location),
        details={"level": level.value, "location_code": location},
    )


async def _plan_assistant_upgrade(c: Context, f: AssistantUpgradeFields) -> Plan:
    """Same category, same primary institution (the guide; Registration Measures 2017)."""
    registration = await _own_registration(c, f.registration_id)
    if registration.level != Level.assistant:
        raise DomainError("not_assistant_registration")
    if await _qualified_level(c, Category(registration.category)) != Level.physician:
        raise DomainError("upgrade_needs_physician_qualification")
    await _check_not_barred(c)
    institution = await get_institution(c.session, registration.institution_code)
    location = location_of(Level.physician, institution)
    await _check_location_free(c, Level.physician, location, ignoring=registration.id)
    return _decided_by(
        institution,
        f"registration:{registration.id}",
        registration_id=registration.id,
        details={"location_code": location},
    )


async def _plan_military_transfer_in(c: Context, f: MilitaryTransferInFields) -> Plan:
    if not f.military_certificate_no.strip():
        raise DomainError("military_certificate_required")
    try:
        level = Level(f.level)
    except ValueError:
        raise DomainError("level_invalid") from None
    institution = await get_institution(c.session, f.institution_code)
    category = _category(f.category)
    _check_scope(category, f.scope)
    await _check_holds(c, category, level)
    await _check_not_barred(c)
    location = location_of(level, institution)
    await _check_location_free(c, level, location)
    return _decided_by(
        institution, _location_slot(c.subject, location), details={"location_code": location}
    )


async def _plan_transfer_to_military(c: Context, f: TransferToMilitaryFields) -> Plan:
    registration = await _own_registration(c, f.registration_id)
    if not f.military_unit.strip():
        raise DomainError("military_unit_required")
    institution = await get_institution(c.session, registration.institution_code)
    return _decided_by(
        institution, f"registration:{registration.id}", registration_id=registration.id
    )


async def _plan_change(c: Context, f: ChangeFields) -> Plan:
    """Location, scope, category and/or primary institution (Registration Measures 2017
    art. 20); an assistant's stays in the county of the registration."""
    registration = await _own_registration(c, f.registration_id)
    category = _category(f.category or registration.category)
    changes_category = category != registration.category
    if changes_category:
        await _check_category_held(c, category, Level(registration.level))
    scope = _check_scope(category, f.scope or (None if changes_category else registration.scope))
    institution = await get_institution(
        c.session, f.institution_code or registration.institution_code
    )
    if (category, scope, institution.code) == (
        registration.category,
        registration.scope,
        registration.institution_code,
    ):
        raise DomainError("no_change_requested")
    await _check_not_barred(c)
    location = location_of(registration.level, institution)
    if registration.level == Level.assistant and location != registration.location_code:
        raise DomainError(
            "assistant_change_other_county", {"location_code": registration.location_code}
        )
    if location != registration.location_code:
        await _check_location_free(c, registration.level, location, ignoring=registration.id)
    moved = institution.code != registration.institution_code
    return _decided_by(
        institution,
        f"registration:{registration.id}",
        registration_id=registration.id,
        notify_institution_code=registration.institution_code if moved else None,
        details={"location_code": location, "category": category.value, "scope": scope},
    )


async def _plan_cancellation(c: Context, f: CancellationFields) -> Plan:
    registration = await _own_registration(c, f.registration_id)
    if f.ground not in CANCELLATION_GROUNDS:
        raise DomainError("cancellation_ground_invalid")
    details = {}
    if c.submitting:
        _check_cancellation_form(c, f)
        details["reported_late"] = reported_late(c.filed_as, f.ground_arose_on, c.today)
    institution = await get_institution(c.session, registration.institution_code)
    return _decided_by(
        institution,
        f"registration:{registration.id}",
        registration_id=registration.id,
        details=details,
    )


def _check_cancellation_form(c: Context, f: CancellationFields) -> None:
    """The physician files ground 10 only; the institution (its duty to report, Physicians Law
    2021 art. 17, Registration Measures 2017 art. 18) and the commission on its own authority
    grounds 1–9, with the date the ground arose — and for a criminal punishment the date the
    sentence is served, from which its refusal period runs (art. 16)."""
    if f.ground not in GROUNDS_BY_FILER[c.filed_as]:
        raise DomainError(
            "cancellation_ground_for_physician"
            if c.filed_as == FiledAs.physician
            else "cancellation_ground_for_reporter"
        )
    if c.filed_as == FiledAs.physician:
        return
    if f.ground_arose_on is None:
        raise DomainError("ground_date_required")
    if f.ground_arose_on > c.today:
        raise DomainError("ground_date_future")
    if f.ground == CRIMINAL_GROUND and f.sentence_ends_on is None:
        raise DomainError("sentence_end_required")


def reported_late(by: FiledAs, arose_on: date | None, filed_on: date) -> bool:
    """An institution reports a ground within 30 days of learning of it (Physicians Law 2021
    art. 17): later than that, the application shows it was reported late."""
    return (
        by == FiledAs.institution and arose_on is not None and (filed_on - arose_on > REPORT_WITHIN)
    )


async def _plan_filing(c: Context, f: FilingFields) -> Plan:
    """A further institution in the registration's location (Registration Measures 2017
    art. 10): the province for a physician, the county for an assistant."""
    registration = await _own_registration(c, f.registration_id)
    institution = await get_institution(c.session, f.institution_code)
    if registration.level == Level.assistant:
        if institution.division_code != registration.location_code:
            raise DomainError("filing_other_county", {"location_code": registration.location_code})
    elif institution.province_code != province_of(registration.location_code):
        raise DomainError("filing_other_province")
    if institution.code == registration.institution_code:
        raise DomainError("filing_at_primary")
    if f.end_on is not None and f.end_on < f.start_on:
        raise DomainError("filing_dates")
    existing = await c.session.scalar(
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


async def _plan_filing_cancellation(c: Context, f: FilingCancellationFields) -> Plan:
    filing = await c.session.get(Filing, f.filing_id)
    registration = filing and await c.session.get(Registration, filing.registration_id)
    if (
        filing is None
        or filing.status != "active"
        or registration is None
        or registration.id_number != c.subject.id_number
    ):
        raise DomainError("filing_not_found")
    institution = await get_institution(c.session, filing.institution_code)
    return _decided_by(
        institution, f"registration:{registration.id}", registration_id=registration.id
    )


async def _plan_legacy_cancellation(c: Context, f: LegacyCancellationFields) -> Plan:
    site = await c.session.get(LegacySite, f.legacy_site_id)
    if site is None or site.id_number != c.subject.id_number or site.status != "active":
        raise DomainError("legacy_site_not_found")
    institution = await get_institution(c.session, site.institution_code)
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
    """Check the rules again and change the registry; idempotent per application.

    A rule that no longer holds refuses the application with its written reasons (Physicians
    Law 2021 art. 16), in Chinese and English. Either way the answer names the open profile
    reviews addressed to an institution that is no longer the physician's."""
    application = await session.scalar(
        select(Application).where(Application.application_no == application_no).with_for_update()
    )
    if application.state == ApplicationState.completed:
        return Completion(
            completed=True,
            certificate_no=application.certificate_no,
            stale_reviews=await stale_reviews(session, application.account_id),
        )
    type_ = ApplicationType(application.type)
    fields = FIELDS[type_].model_validate(application.details["fields"])
    subject = Subject(
        application.account_id,
        application.details["subject"]["name"],
        application.details["subject"]["id_number"],
    )
    context = Context(session, subject, await _filed_as(session, application), today, False)
    try:
        checked = await _PLANNERS[type_](context, fields)
    except DomainError as refusal:
        return Completion(
            completed=False,
            refusal_code=refusal.code,
            refusal_zh=refusal.message("zh"),
            refusal_en=refusal.message("en"),
        )
    certificate_no = await _APPLY[type_](session, application, subject, fields, checked, today)
    application.state = ApplicationState.completed
    application.certificate_no = certificate_no
    application.open_slot = None
    await session.flush()
    return Completion(
        completed=True,
        certificate_no=certificate_no,
        stale_reviews=await stale_reviews(session, application.account_id),
    )


async def _filed_as(session: AsyncSession, application: Application) -> FiledAs:
    """As recorded at submission; for applications filed before that was, the filer's role."""
    if "filed_as" in application.details:
        return FiledAs(application.details["filed_as"])
    filer = await session.get(Account, application.filed_by)
    return filed_as(filer.role)


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
        department_id=old.department_id,  # same institution, same department
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
    """Everything local becomes invalid (the guide: 地方的注册信息全部失效): registrations, their
    filings and legacy multi-site records."""
    every = [r.id for r in await active_registrations(session, subject.id_number)]
    await _end_registrations(session, every, "invalid", today)
    await session.execute(
        update(LegacySite)
        .where(LegacySite.id_number == subject.id_number, LegacySite.status == "active")
        .values(status="invalid")
    )


async def _apply_change(session, application, subject, f, plan, today) -> str | None:
    registration = await session.get(Registration, f.registration_id)
    if registration.institution_code != plan.institution_code:
        registration.department_id = None  # a department of the former institution
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
    """The registration cancelled with its ground and date; a ground that starts a refusal
    period (Physicians Law 2021 art. 16) records it."""
    await _end_registrations(session, [f.registration_id], "cancelled", today)
    registration = await session.get(Registration, f.registration_id)
    registration.cancellation_ground = f.ground
    registration.ground_arose_on = f.ground_arose_on
    await bar_after_cancellation(
        session,
        subject.id_number,
        application.application_no,
        application.commission_code,
        f.ground,
        today,
        f.ground_arose_on,
        f.sentence_ends_on,
        f.practice_ban_ends_on,
    )


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
