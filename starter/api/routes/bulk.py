"""Bulk decisions: select many items in an inbox, decide them with one comment."""

from fastapi import APIRouter, Request

from starter.api.deps import CommissionOfficer, InstitutionStaff, SessionDep, TemporalDep
from starter.api.errors import language
from starter.services import bulk
from starter.services.bulk import BulkDecisionIn, BulkDecisionOut

router = APIRouter(tags=["bulk"])


@router.post("/institution/decisions", response_model=BulkDecisionOut)
async def institution_decisions(
    body: BulkDecisionIn,
    request: Request,
    staff: InstitutionStaff,
    session: SessionDep,
    temporal: TemporalDep,
) -> BulkDecisionOut:
    """Approve, reject or return many applications your institution confirms, with one comment.
    Each is decided on its own; the answer gives each one's outcome: `done`, `already_decided`,
    `expired`, `refused` (by a rule: `code` and `message`) or `not_found`."""
    return await bulk.institution_decisions(session, temporal, staff, body, language(request))


@router.post("/commission/decisions", response_model=BulkDecisionOut)
async def commission_decisions(
    body: BulkDecisionIn,
    request: Request,
    officer: CommissionOfficer,
    session: SessionDep,
    temporal: TemporalDep,
) -> BulkDecisionOut:
    """Approve, reject or return many applications under review by your commission, with one
    comment; each one's outcome as for institutions."""
    return await bulk.commission_decisions(session, temporal, officer, body, language(request))
