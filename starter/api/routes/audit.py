"""Operators read the audit trail, filtered by physician, institution or application."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from registry.models import Account
from registry.roles import Role
from starter.api.deps import SessionDep, require_role
from starter.services import audit

router = APIRouter(prefix="/audit", tags=["ops"])
Operator = Annotated[Account, require_role(Role.OPERATOR)]


class AuditEventOut(BaseModel):
    at: datetime
    action: str
    actor_id: int | None
    actor_role: str
    physician_id: int | None
    institution_code: str | None
    application_no: str | None
    detail: dict


@router.get("", response_model=list[AuditEventOut])
async def audit_trail(
    operator: Operator,
    session: SessionDep,
    physician: Annotated[int | None, Query(description="physician account id")] = None,
    institution: Annotated[str | None, Query(max_length=32)] = None,
    application: Annotated[str | None, Query(max_length=20)] = None,
    action: Annotated[str | None, Query(max_length=48, pattern=r"^[a-z_]+$")] = None,
    since: Annotated[date | None, Query(description="first day (China time)")] = None,
    until: Annotated[date | None, Query(description="last day (China time), included")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditEventOut]:
    """Newest first: who did what to which record, and when (the operator's audit page reads
    the same)."""
    found = audit.AuditFilter(physician, institution, application, action, since, until)
    rows = await audit.trail(session, found, limit, offset)
    return [AuditEventOut.model_validate(row, from_attributes=True) for row in rows]
