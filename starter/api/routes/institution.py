"""Institution staff: the inbox, activation codes and settings."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from registry import accounts, identifiers
from registry.activation import CodePurpose
from registry.application_types import ApplicationState
from registry.inbox import MAX_PAGE_SIZE, PAGE_SIZE, InboxKind, InboxQuery, InboxSort, Urgency
from registry.models import Application
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
from starter.services import activation, institution
from starter.services.applications import application_out
from starter.services.me import institution_out

router = APIRouter(prefix="/institution", tags=["institution"])


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


@router.get("/inbox/items", response_model=institution.InboxPageOut)
async def inbox_items(
    request: Request,
    staff: InstitutionStaff,
    session: SessionDep,
    kind: Annotated[InboxKind | None, Query()] = None,
    urgency: Annotated[Urgency | None, Query()] = None,
    sort: Annotated[InboxSort, Query()] = InboxSort.deadline,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
):
    """Everything waiting on the institution as one list (activations, applications, reviews),
    overdue and near-deadline first by default; filtered by kind and urgency, a page at a time.
    The portal's inbox shows the same list."""
    query = InboxQuery(kind=kind, urgency=urgency, sort=sort, page=page, size=size)
    return await institution.inbox_page(session, staff, query, language(request))


@router.post("/activations/{account_id}/code", response_model=CodeSentOut)
async def issue_activation_code(
    account_id: int, staff: InstitutionStaff, session: SessionDep, temporal: TemporalDep
):
    """Send the physician an activation code by SMS and email (valid 7 days)."""
    sent = await institution.issue_activation_code(session, temporal, staff, account_id)
    return CodeSentOut(expires_at=sent.expires_at, resend_after=sent.resend_after)


@router.put("/settings", response_model=InstitutionOut)
async def update_settings(
    body: InstitutionSettingsIn,
    staff: InstitutionStaff,
    session: SessionDep,
    temporal: TemporalDep,
):
    """Turn auto-activation on or off; physicians already waiting are told at once."""
    found = await institution.set_auto_activation(session, temporal, staff, body.auto_activate)
    return institution_out(found)
