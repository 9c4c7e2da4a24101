"""Institution staff's work: the inbox, activation codes, settings and decisions on applications.

The JSON API (``starter.api.routes.institution``, ``applications``) and the portal's workbench
(``starter.web.routes.institution``) both call these, so a rule or a message is written once.
"""

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry import access, accounts, audit, identifiers, inbox, profile
from registry.activation import (
    ActivationCodeRequest,
    ActivationState,
    CodePurpose,
    CodeSent,
    InstitutionSettings,
)
from registry.application_types import (
    CANCELLATION_GROUNDS,
    TYPE_NAMES,
    ApplicationType,
    Decision,
    InstitutionDecision,
)
from registry.errors import DomainError
from registry.models import (
    Account,
    Institution,
    ProfileReview,
    Qualification,
    Registration,
)
from registry.reviews import KIND_NAMES, ReviewKind
from registry.roles import Role
from starter.api.schemas import ApplicationOut, DecisionOut
from starter.services import activation, applications, institutions, reference
from starter.services import profile as profile_steering
from workflows.activation import ActivationWorkflow
from workflows.application import ApplicationWorkflow

# States in which an activation still reads its institution's auto-activation setting.
_LISTENING = (
    ActivationState.awaiting_qualification,
    ActivationState.awaiting_verification,
    ActivationState.awaiting_institution,
)


class InboxItemOut(BaseModel):
    kind: inbox.InboxKind
    kind_name: str
    ref: str  # account id (activation), application number, or review id
    title: str
    applicant: str  # masked
    since: datetime
    deadline: datetime | None
    urgency: inbox.Urgency


class InboxPageOut(BaseModel):
    items: list[InboxItemOut]
    total: int
    page: int
    pages: int
    size: int


KIND_NAMES_INBOX: dict[inbox.InboxKind, tuple[str, str]] = {
    inbox.InboxKind.activation: ("账户激活", "account activation"),
    inbox.InboxKind.application: ("业务申请", "application"),
    inbox.InboxKind.personal_info: KIND_NAMES[ReviewKind.personal_info],
    inbox.InboxKind.photo: KIND_NAMES[ReviewKind.photo],
}


async def inbox_page(
    session: AsyncSession, staff: Account, query: inbox.InboxQuery, lang: str
) -> InboxPageOut:
    """A page of what waits on the staff's institution, names masked (open an item to see
    more, which is audited)."""
    now = datetime.now(UTC)
    found = await inbox.waiting(session, staff.institution_code, query, now)
    en = lang == "en"
    items = [
        InboxItemOut(
            kind=row.kind,
            kind_name=KIND_NAMES_INBOX[row.kind][en],
            ref=row.ref,
            title=(
                TYPE_NAMES[ApplicationType(row.type)][en]
                if row.type
                else KIND_NAMES_INBOX[row.kind][en]
            ),
            applicant=identifiers.mask_name(row.name or ""),
            since=row.since,
            deadline=row.deadline,
            urgency=row.urgency(now),
        )
        for row in found.rows
    ]
    return InboxPageOut(
        items=items, total=found.total, page=found.page, pages=found.pages, size=found.size
    )


# --- activations --------------------------------------------------------------------------------


async def physician_of_staff(session: AsyncSession, staff: Account, account_id: int) -> Account:
    physician = await session.get(Account, account_id)
    if physician is None or physician.role != Role.PHYSICIAN:
        raise DomainError("not_found")
    if not access.is_staff_of(staff, physician.institution_code):
        raise DomainError("wrong_institution")
    return physician


class ActivationRecordOut(BaseModel):
    """What a clerk needs to recognise their own employee: the name and the last digits of
    the ID number and phone as typed, beside the qualification record's facts."""

    account_id: int
    name: str
    id_number: str  # masked
    phone: str  # masked
    email: str  # masked
    signed_up_at: datetime
    state: str
    deadline: datetime | None
    code_sent: bool
    qualification_name: str | None
    qualification_certificate_no: str | None  # masked
    qualification_level: str | None
    qualification_category: str | None
    qualification_issued_on: str | None


async def activation_record(
    session: AsyncSession, client: Client, staff: Account, account_id: int
) -> ActivationRecordOut:
    """The physician's activation as staff see it; each view is audited."""
    physician = await physician_of_staff(session, staff, account_id)
    record = await session.scalar(
        select(Qualification)
        .where(Qualification.id_number == physician.id_number)
        .order_by(Qualification.issued_on.desc())
        .limit(1)
    )
    await audit.record(
        session,
        "activation_record_viewed",
        actor_id=staff.id,
        actor_role=staff.role,
        physician_id=physician.id,
        institution_code=staff.institution_code,
    )
    await session.commit()
    status = await activation.status(client, account_id)
    email = physician.email or ""
    return ActivationRecordOut(
        account_id=physician.id,
        name=physician.name or "",
        id_number=identifiers.mask(physician.id_number or ""),
        phone=identifiers.mask(physician.phone or ""),
        email=identifiers.mask(email, max(len(email) - email.find("@"), 0)) if email else "",
        signed_up_at=physician.created_at,
        state=physician.activation_state or "",
        deadline=status.deadline if status else None,
        code_sent=bool(
            status and any(c.purpose == CodePurpose.activation for c in status.pending_codes)
        ),
        qualification_name=record.name if record else None,
        qualification_certificate_no=identifiers.mask(record.certificate_no) if record else None,
        qualification_level=record.level if record else None,
        qualification_category=record.category if record else None,
        qualification_issued_on=record.issued_on.isoformat() if record else None,
    )


async def issue_activation_code(
    session: AsyncSession, client: Client, staff: Account, account_id: int
) -> CodeSent:
    """Send the physician an activation code by SMS and email (valid 7 days); again re-sends."""
    await physician_of_staff(session, staff, account_id)
    await session.commit()  # release the connection while the workflow takes the step
    sent = await activation.update(
        client,
        account_id,
        ActivationWorkflow.issue_activation_code,
        ActivationCodeRequest(institution_code=staff.institution_code),
    )
    await audit.record(
        session,
        "activation_code_issued",
        actor_id=staff.id,
        actor_role=staff.role,
        physician_id=account_id,
        institution_code=staff.institution_code,
    )
    await session.commit()
    return sent


async def set_auto_activation(
    session: AsyncSession, client: Client, staff: Account, on: bool
) -> Institution:
    """Turn auto-activation on or off; physicians already waiting are told at once (turned on,
    those waiting for the institution are activated)."""
    institution = await session.get(Institution, staff.institution_code)
    institution.auto_activate = on
    await audit.record(
        session,
        "institution_settings_changed",
        actor_id=staff.id,
        actor_role=staff.role,
        institution_code=institution.code,
        detail={"auto_activate": on},
    )
    await session.commit()
    waiting = []
    for state in _LISTENING:
        waiting += await accounts.accounts_awaiting(session, state, institution.code)
    await activation.signal_all(
        client,
        waiting,
        ActivationWorkflow.institution_settings_changed,
        InstitutionSettings(auto_activate=on),
    )
    return institution


# --- applications and reviews -------------------------------------------------------------------


async def decide_application(
    session: AsyncSession,
    client: Client,
    staff: Account,
    no: str,
    decision: Decision,
    comment: str | None,
) -> DecisionOut:
    """Approve, reject or return (补正) an application the institution confirms; the workflow's
    validator has the last word (state, institution, reason)."""
    application = await applications.visible_application(session, staff, no)
    if application.institution_code != staff.institution_code:
        raise DomainError("wrong_institution")
    result = await applications.update(
        client,
        application,
        ApplicationWorkflow.institution_decision,
        InstitutionDecision(actor=applications.actor_of(staff), decision=decision, comment=comment),
    )
    return applications.decision_out(application, result)


async def review_of_staff(session: AsyncSession, staff: Account, review_id: int) -> ProfileReview:
    review = await session.get(ProfileReview, review_id)
    if review is None:
        raise DomainError("review_not_found")
    if review.institution_code != staff.institution_code:
        raise DomainError("wrong_institution")
    return review


# --- an application as a deciding clerk or officer reads it ------------------------------------


class FactOut(BaseModel):
    label: str
    value: str


class RegistrationLine(BaseModel):
    institution: str
    category: str
    scope: str
    certificate_no: str
    registered_on: str


class ApplicationView(BaseModel):
    """The application's fields in words, the physician's current registrations and the
    timeline, for the person who decides it."""

    application: ApplicationOut
    applicant_name: str
    applicant_id_number: str  # masked
    facts: list[FactOut]
    registrations: list[RegistrationLine]
    institution_name: str
    commission_name: str


async def application_view(
    session: AsyncSession, viewer: Account, no: str, lang: str
) -> ApplicationView:
    """What the decider sees; opening it is audited (the applicant's name is shown in full)."""
    out = await applications.detail(session, viewer, no, lang)
    application = await applications.visible_application(session, viewer, no)
    subject = application.details.get("subject", {})
    codes = {application.institution_code, *_institution_codes(out.fields)}
    registrations = list(
        await session.scalars(
            select(Registration).where(
                Registration.id_number == subject.get("id_number"),
                Registration.status == "active",
            )
        )
    )
    codes |= {r.institution_code for r in registrations}
    names = await institutions.names(session, codes)
    commissions = await institutions.commission_names(session, {application.commission_code})
    await audit.record(
        session,
        "application_viewed",
        actor_id=viewer.id,
        actor_role=viewer.role,
        physician_id=application.account_id,
        institution_code=application.institution_code,
        application_no=no,
    )
    await session.commit()
    en = lang == "en"
    return ApplicationView(
        application=out,
        applicant_name=subject.get("name") or "",
        applicant_id_number=identifiers.mask(subject.get("id_number") or ""),
        facts=[FactOut(label=k, value=v) for k, v in _facts(out, names, en)],
        registrations=[
            RegistrationLine(
                institution=names.get(r.institution_code, r.institution_code),
                category=reference.category_name(r.category, lang),
                scope=r.scope or "—",
                certificate_no=r.certificate_no or "—",
                registered_on=r.registered_on.isoformat(),
            )
            for r in registrations
        ],
        institution_name=names.get(application.institution_code, application.institution_code),
        commission_name=commissions.get(application.commission_code, application.commission_code),
    )


def _institution_codes(fields: dict) -> set[str]:
    return {v for k, v in fields.items() if k.endswith("institution_code") and v}


def _facts(out: ApplicationOut, names: dict[str, str], en: bool):
    """(label, value in words) for each field the application carries."""
    lang = "en" if en else "zh"
    for name, value in out.fields.items():
        if value in (None, "") or name == "institution_code":  # shown above, by name
            continue
        label = FIELD_LABELS.get(name, (name, name))[en]
        if name.endswith("institution_code"):
            value = f"{names.get(value, value)} ({value})"
        elif name == "category":
            value = reference.category_name(value, lang)
        elif name == "level":
            value = LEVEL_NAMES.get(value, (value, value))[en]
        elif name == "ground":
            value = f"{value}. {CANCELLATION_GROUNDS.get(int(value), ('', ''))[en]}"
        yield label, str(value)


FIELD_LABELS: dict[str, tuple[str, str]] = {
    "institution_code": ("医疗机构", "Institution"),
    "category": ("执业类别", "Practice category"),
    "scope": ("执业范围", "Practice scope"),
    "level": ("医师级别", "Level"),
    "military_certificate_no": ("军队医师执业证书编号", "Military practice certificate no."),
    "military_unit": ("军队单位", "Military unit"),
    "registration_id": ("执业注册", "Registration"),
    "filing_id": ("备案", "Filing"),
    "legacy_site_id": ("多地点执业记录", "Legacy multi-site record"),
    "ground": ("注销情形", "Ground for cancellation"),
    "ground_arose_on": ("情形发生之日", "Ground arose on"),
    "sentence_ends_on": ("刑罚执行完毕之日", "Sentence ends on"),
    "practice_ban_ends_on": ("禁止从业期满之日", "Practice ban ends on"),
    "start_on": ("开始日期", "Start date"),
    "end_on": ("结束日期", "End date"),
    "comment": ("说明", "Remarks"),
}
LEVEL_NAMES = {"physician": ("执业医师", "Physician"), "assistant": ("执业助理医师", "Assistant")}


# --- profile reviews ----------------------------------------------------------------------------


async def review_view(session: AsyncSession, staff: Account, review_id: int, lang: str):
    """A review with the information in force beside the proposed change (name in full: the
    clerk recognises their employee; opening it is audited)."""
    review = await review_of_staff(session, staff, review_id)
    physician = await session.get(Account, review.account_id)
    current = profile_steering.profile_values(await profile.profile_of(session, review.account_id))
    await audit.record(
        session,
        "review_viewed",
        actor_id=staff.id,
        actor_role=staff.role,
        physician_id=review.account_id,
        institution_code=staff.institution_code,
        detail={"review_id": review.id},
    )
    await session.commit()
    out = profile_steering.review_out(review, staff, physician.name or "", lang, current)
    return out.model_copy(update={"physician": physician.name or ""})


async def decide_review(
    session: AsyncSession,
    client: Client,
    staff: Account,
    review_id: int,
    decision: str,
    comment: str | None,
    photo_id: int | None,
) -> ProfileReview:
    """Approve (in force at once) or reject with a reason: the workflow's update, validator
    and all; ``photo_id`` makes sure the photo approved is the one looked at."""
    review = await review_of_staff(session, staff, review_id)
    await session.commit()  # release the connection while the workflow takes the step
    await profile_steering.decide(client, review, staff, decision, comment, photo_id)
    await session.refresh(review)  # the workflow recorded the decision before answering
    return review


async def departments(session: AsyncSession, staff: Account) -> list[str]:
    return [d.name for d in await profile.departments_of(session, staff.institution_code)]


async def set_departments(session: AsyncSession, staff: Account, names: list[str]) -> list:
    rows = await profile.set_departments(session, staff.institution_code, names)
    return rows


# --- a cancellation reported by the institution, or opened by the commission -------------------


async def registration_by_certificate(session: AsyncSession, certificate_no: str) -> int:
    """The active registration a practice certificate number names (the filer types or scans
    it from the certificate); whether the filer may act on it is the rules' question."""
    found = await session.scalar(
        select(Registration.id).where(
            Registration.certificate_no == certificate_no.strip(),
            Registration.status == "active",
        )
    )
    if found is None:
        raise DomainError("registration_not_found")
    return found


async def file_cancellation(session, client, settings, filer: Account, values: dict):
    """File a cancellation (grounds 1–9, the institution's duty to report or the commission's
    own authority): the same parsing and rules as ``POST /api/v1/applications``."""
    registration_id = await registration_by_certificate(session, values.pop("certificate_no"))
    type_, fields = applications.parse(
        {"type": "cancellation", "registration_id": registration_id,
         **{k: v for k, v in values.items() if v}}
    )  # fmt: skip
    return await applications.submit(session, client, settings, filer, type_, fields)
