"""Staff administration: an institution's or commission's administrator manages its staff,
the operator the administrators — invite, list, deactivate, reset; no CLI needed."""

from typing import Annotated

from fastapi import APIRouter

from registry.models import Account
from registry.roles import Role
from starter.api.deps import SessionDep, SettingsDep, TemporalDep, require_role
from starter.services import staff_admin
from starter.services.staff_admin import InviteIn, StaffOut

router = APIRouter(prefix="/staff", tags=["staff"])

Admin = Annotated[
    Account, require_role(Role.INSTITUTION_ADMIN, Role.COMMISSION_ADMIN, Role.OPERATOR)
]


@router.get("", response_model=list[StaffOut])
async def list_staff(admin: Admin, session: SessionDep) -> list[StaffOut]:
    """The accounts you administer (contacts masked)."""
    return await staff_admin.listed(session, admin)


@router.post("", status_code=201, response_model=StaffOut)
async def invite(
    body: InviteIn, admin: Admin, session: SessionDep, temporal: TemporalDep, settings: SettingsDep
) -> StaffOut:
    """Create an account of a role you administer and send a one-time code to its phone or
    email; the invitee sets their password with it (`POST /password-reset/confirm`)."""
    return await staff_admin.invite(session, temporal, settings, admin, body)


@router.post("/{account_id}/deactivate", response_model=StaffOut)
async def deactivate(account_id: int, admin: Admin, session: SessionDep) -> StaffOut:
    """The account signs in no more; its sessions and tokens end at once."""
    return await staff_admin.deactivate(session, admin, account_id)


@router.post("/{account_id}/reset", response_model=StaffOut)
async def reset(
    account_id: int,
    admin: Admin,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> StaffOut:
    """End every sign-in and send a new one-time code (also reactivates the account)."""
    return await staff_admin.reset(session, temporal, settings, admin, account_id)
