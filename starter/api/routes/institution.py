"""Institution staff: the inbox, activation codes and settings."""

from fastapi import APIRouter, Request
from sqlalchemy import select

from registry import accounts, audit, identifiers
from registry.activation import (
    ActivationCodeRequest,
    ActivationState,
    CodePurpose,
    InstitutionSettings,
)
from registry.application_types import ApplicationState
from registry.errors import DomainError
from registry.models import Account, Application, Institution
from registry.roles import Role
from starter.api.deps import InstitutionStaff, SessionDep, TemporalDep
from starter.api.errors import language
from starter.api.routes.reviews import pending_reviews
from starter.api.schemas import (
    CodeSentOut,
    InboxResponse,
    InstitutionOut,
    InstitutionSettingsIn,
    PendingActivation,
)
from starter.services import activation
from starter.services.applications import application_out
from starter.services.me import institution_out
from workflows.activation import ActivationWorkflow

router = APIRouter(prefix="/institution", tags=["institution"])

# States in which an activation still reads its institution's auto-activation setting.
_LISTENING = (
    ActivationState.awaiting_qualification,
    ActivationState.awaiting_verification,
    ActivationState.awaiting_institution,
)


@router.get("/inbox", response_model=InboxResponse)
async def inbox(
    request: Request, staff: InstitutionStaff, session: SessionDep, temporal: TemporalDep
):
    """What waits on this institution: activations and applications to confirm, oldest first."""
    pending = await accounts.pending_activations(session, staff.institution_code)
    items = []
    for account in pending:
        status = await activation.status(temporal, account.id)
        items.append(
            PendingActivation(
                account_id=account.id,
                name=identifiers.mask_name(account.name or ""),
                id_number=identifiers.mask(account.id_number or ""),
                phone=identifiers.mask(account.phone or ""),
                since=account.created_at,
                activation_code_sent=bool(
                    status
                    and any(c.purpose == CodePurpose.activation for c in status.pending_codes)
                ),
            )
        )
    waiting = await session.scalars(
        select(Application)
        .where(
            Application.institution_code == staff.institution_code,
            Application.state == ApplicationState.awaiting_institution,
        )
        .order_by(Application.step_deadline)
    )
    lang = language(request)
    return InboxResponse(
        activations=items,
        applications=[application_out(a, staff, lang) for a in waiting],
        reviews=await pending_reviews(session, staff, lang),
    )


@router.post("/activations/{account_id}/code", response_model=CodeSentOut)
async def issue_activation_code(
    account_id: int, staff: InstitutionStaff, session: SessionDep, temporal: TemporalDep
):
    """Send the physician an activation code by SMS and email (valid 7 days)."""
    physician = await session.get(Account, account_id)
    if physician is None or physician.role != Role.PHYSICIAN:
        raise DomainError("not_found")
    if physician.institution_code != staff.institution_code:
        raise DomainError("wrong_institution")
    await session.commit()  # release the connection while the workflow takes the step
    sent = await activation.update(
        temporal,
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
    return CodeSentOut(expires_at=sent.expires_at, resend_after=sent.resend_after)


@router.put("/settings", response_model=InstitutionOut)
async def update_settings(
    body: InstitutionSettingsIn,
    staff: InstitutionStaff,
    session: SessionDep,
    temporal: TemporalDep,
):
    """Turn auto-activation on or off; physicians already waiting are told at once."""
    institution = await session.get(Institution, staff.institution_code)
    institution.auto_activate = body.auto_activate
    await audit.record(
        session,
        "institution_settings_changed",
        actor_id=staff.id,
        actor_role=staff.role,
        institution_code=institution.code,
        detail={"auto_activate": body.auto_activate},
    )
    await session.commit()
    waiting = []
    for state in _LISTENING:
        waiting += await accounts.accounts_awaiting(session, state, institution.code)
    await activation.signal_all(
        temporal,
        waiting,
        ActivationWorkflow.institution_settings_changed,
        InstitutionSettings(auto_activate=body.auto_activate),
    )
    return institution_out(institution)
