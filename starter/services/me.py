"""The physician's own account: what ``GET /api/v1/me`` and the portal's pages show, and the
activation steps the physician takes (verification code, activation code, restart).

The API's ``/me`` routes and the portal's ``/me`` pages call these; the words of the next step
live here once.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry import accounts, identifiers, ratelimit
from registry.activation import (
    LOCKOUT,
    ActivationState,
    ActivationStatus,
    Channel,
    CodeEntry,
    CodePurpose,
    VerificationRequest,
)
from registry.codes import code_digest, is_code_format
from registry.errors import DomainError
from registry.institutions import institution_of
from registry.models import Account, Filing, Institution, LegacySite, Qualification, Registration
from registry.reference import PORTAL_DIVISIONS
from registry.roles import Role
from registry.settings import Settings
from starter.api.schemas import (
    ActivationOut,
    CodeAccepted,
    CodeSentOut,
    FilingOut,
    InstitutionOut,
    LegacySiteOut,
    MeResponse,
    NextStep,
    PendingCodeOut,
    QualificationOut,
    RegistrationOut,
)
from starter.services import activation
from starter.services.profile import describe as describe_profile
from workflows.activation import ActivationWorkflow

NEXT_STEPS = {
    "wait_for_qualification": (
        "系统尚未查到您的资格信息。数据到达后我们会通过短信和邮件通知您，无需反复刷新。",
        "Your qualification record has not arrived yet. We will tell you by SMS and email "
        "when it does; there is no need to keep refreshing.",
    ),
    "verify_phone": (
        "请验证手机号：获取短信验证码并输入。若手机无法接收，可改用邮箱验证。",
        "Verify your phone: request an SMS code and enter it. If your phone cannot receive it, "
        "verify by email instead.",
    ),
    "ask_institution": (
        "请联系您的主要执业机构为您发送激活码。",
        "Ask your primary institution to send you an activation code.",
    ),
    "enter_activation_code": (
        "医疗机构已发送激活码到您的手机和邮箱，请输入激活码。",
        "Your institution sent an activation code to your phone and email; enter it.",
    ),
    "restart_activation": (
        "激活流程已过期，请重新开始激活。",
        "Your activation expired; start it again.",
    ),
    "none": ("账户已激活，无需操作。", "Your account is active; nothing to do."),
}


def institution_out(institution: Institution) -> InstitutionOut:
    return InstitutionOut(
        code=institution.code,
        name=institution.name,
        division_code=institution.division_code,
        province_code=institution.province_code,
        province_name=PORTAL_DIVISIONS.get(institution.province_code, ("", ""))[0],
        commission_code=institution.commission_code,
        auto_activate=institution.auto_activate,
    )


def next_step(state: ActivationState, status: ActivationStatus | None, lang: str) -> NextStep:
    if state == ActivationState.awaiting_institution:
        code_sent = status is not None and any(
            c.purpose == CodePurpose.activation for c in status.pending_codes
        )
        code = "enter_activation_code" if code_sent else "ask_institution"
    else:
        code = {
            ActivationState.awaiting_qualification: "wait_for_qualification",
            ActivationState.awaiting_verification: "verify_phone",
            ActivationState.active: "none",
            ActivationState.expired: "restart_activation",
        }[state]
    zh, en = NEXT_STEPS[code]
    return NextStep(code=code, message=en if lang == "en" else zh)


async def registry_of(session: AsyncSession, id_number: str | None):
    """The physician's registrations (with filings) and legacy multi-site records."""
    registrations = list(
        await session.scalars(
            select(Registration)
            .where(Registration.id_number == id_number)
            .order_by(Registration.registered_on.desc(), Registration.id.desc())
        )
    )
    filings = await session.scalars(
        select(Filing).where(Filing.registration_id.in_([r.id for r in registrations]))
    )
    by_registration: dict[int, list[FilingOut]] = {}
    for filing in filings:
        by_registration.setdefault(filing.registration_id, []).append(
            FilingOut.model_validate(filing, from_attributes=True)
        )
    sites = await session.scalars(select(LegacySite).where(LegacySite.id_number == id_number))
    return (
        [
            RegistrationOut.model_validate(r, from_attributes=True).model_copy(
                update={"filings": by_registration.get(r.id, [])}
            )
            for r in registrations
        ],
        [LegacySiteOut.model_validate(s, from_attributes=True) for s in sites],
    )


async def overview(
    session: AsyncSession, temporal: Client, account: Account, lang: str
) -> MeResponse:
    """Your own profile; identifiers are masked but for their last 4 characters."""
    out = MeResponse(
        account_id=account.id,
        username=account.username,
        role=account.role,
        commission_code=account.commission_code,
    )
    # A physician's is the primary institution of their most recent registration, else the
    # one chosen at sign-up (registry.institutions); staff's is their own.
    code = (
        await institution_of(session, account)
        if account.role == Role.PHYSICIAN
        else account.institution_code
    )
    if code:
        institution = await session.get(Institution, code)
        out.institution = institution_out(institution) if institution else None
    if account.role != Role.PHYSICIAN:
        return out
    out.name = account.name
    out.id_number = identifiers.mask(account.id_number or "")
    out.phone = identifiers.mask(account.phone or "")
    out.email = identifiers.mask(account.email or "")
    rows = await session.scalars(
        select(Qualification).where(
            Qualification.id_number == account.id_number, Qualification.name == account.name
        )
    )
    out.qualifications = [
        QualificationOut(
            certificate_no=q.certificate_no,
            level=q.level,
            category=q.category,
            issued_on=q.issued_on,
        )
        for q in rows
    ]
    out.registrations, out.legacy_sites = await registry_of(session, account.id_number)
    await describe_profile(session, account, out, lang)
    out.activation, out.next_step = await activation_of(temporal, account, lang)
    return out


async def activation_of(
    temporal: Client, account: Account, lang: str
) -> tuple[ActivationOut, NextStep]:
    """Where the account's activation stands (live, from its workflow) and what to do next."""
    status = await activation.status(temporal, account.id)
    state = status.state if status else ActivationState(account.activation_state)
    if state == ActivationState.awaiting_qualification and (
        account.activation_state == ActivationState.awaiting_verification
    ):
        # Sign-up matched the record and said so; the workflow's own first match is still
        # running. Say what sign-up said (a code asked for now waits for that match).
        state = ActivationState.awaiting_verification
    out = ActivationOut(state=state)
    if status:
        out = ActivationOut(
            state=state,
            deadline=status.deadline,
            verified_channel=status.verified_channel,
            pending_codes=[PendingCodeOut(**c.model_dump()) for c in status.pending_codes],
            attempts_left=status.attempts_left,
            locked_until=status.locked_until,
        )
    return out, next_step(state, status, lang)


async def send_verification(
    session: AsyncSession, temporal: Client, account: Account, channel: Channel
) -> CodeSentOut:
    """Send a 6-digit code by SMS (or email); at most 10 an hour per account."""
    await ratelimit.hit(session, ratelimit.CODE_SENDS_PER_ACCOUNT, f"account:{account.id}")
    await session.commit()
    sent = await activation.update(
        temporal,
        account.id,
        ActivationWorkflow.send_verification_code,
        VerificationRequest(channel=channel),
    )
    return CodeSentOut(expires_at=sent.expires_at, resend_after=sent.resend_after)


async def confirm_verification(
    temporal: Client, settings: Settings, account: Account, channel: Channel, code: str
) -> CodeAccepted:
    digest = _digest(settings.code_secret, account.id, CodePurpose.verification, code)
    check = await activation.update(
        temporal,
        account.id,
        ActivationWorkflow.confirm_verification,
        CodeEntry(channel=channel, digest=digest),
    )
    return _accepted(check)


async def enter_activation_code(
    temporal: Client, settings: Settings, account: Account, code: str
) -> CodeAccepted:
    """The activation code the institution sent; the account becomes active."""
    digest = _digest(settings.code_secret, account.id, CodePurpose.activation, code)
    check = await activation.update(
        temporal, account.id, ActivationWorkflow.enter_activation_code, CodeEntry(digest=digest)
    )
    return _accepted(check)


async def restart_activation(
    session: AsyncSession, temporal: Client, settings: Settings, account: Account
) -> ActivationOut:
    """Start the activation again after it expired (or if it never started)."""
    status = await activation.status(temporal, account.id)
    if status is not None and status.state != ActivationState.expired:
        raise DomainError("activation_in_progress")
    institution = await accounts.get_institution(session, account.institution_code or "")
    await activation.start_activation(
        temporal, settings, account.id, institution.code, institution.province_code
    )
    await accounts.set_activation_state(
        session, account.id, ActivationState.awaiting_qualification, None
    )
    return ActivationOut(state=ActivationState.awaiting_qualification)


def _digest(secret: str, account_id: int, purpose: CodePurpose, code: str) -> str:
    code = code.strip()
    if not is_code_format(code):
        raise DomainError("code_format")
    return code_digest(secret, account_id, purpose, code)


def _accepted(check) -> CodeAccepted:
    if check.accepted:
        return CodeAccepted(activation_state=check.next_state)
    if check.locked_until is not None:
        raise DomainError("code_locked", {"retry_after": int(LOCKOUT.total_seconds())})
    raise DomainError("code_incorrect", {"attempts_left": check.attempts_left})
