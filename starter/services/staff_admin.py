"""Staff administration without the CLI: invite, list, deactivate, reset.

An institution's administrator manages its staff, a commission's its officers, the operator
the administrators (``registry.access.manages``). An invitation creates the account with an
unusable password and sends a one-time code to its phone or email (the password-reset code:
the invitee sets their own password with ``POST /password-reset/confirm``); a reset ends every
sign-in and sends a new code; a deactivation ends every sign-in at once and keeps the account
from signing in or asking for a code. Each change is audited.
"""

import secrets

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry import access, audit, identifiers, staff
from registry.activation import Channel
from registry.errors import DomainError
from registry.models import Account
from registry.profile_notices import mask_email
from registry.roles import Role
from registry.settings import Settings
from starter.services.security import request_password_reset


class InviteIn(BaseModel):
    username: str = Field(max_length=32)
    role: Role
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    name: str | None = Field(None, max_length=64)
    institution_code: str | None = Field(None, max_length=32, description="operator only")
    commission_code: str | None = Field(None, max_length=12, description="operator only")


class StaffOut(BaseModel):
    account_id: int
    username: str
    role: str
    institution_code: str | None
    commission_code: str | None
    active: bool
    phone: str | None  # masked
    email: str | None  # masked


def staff_out(account: Account) -> StaffOut:
    return StaffOut(
        account_id=account.id,
        username=account.username,
        role=account.role,
        institution_code=account.institution_code,
        commission_code=account.commission_code,
        active=not staff.is_deactivated(account),
        phone="*" * 7 + account.phone[-4:] if account.phone else None,
        email=mask_email(account.email) if account.email else None,
    )


def _unit_of(admin: Account, body: InviteIn) -> tuple[str | None, str | None]:
    """Where the new account works: the administrator's own unit, or as the operator says."""
    if admin.role == Role.OPERATOR:
        return body.institution_code, body.commission_code
    return admin.institution_code, admin.commission_code


async def invite(
    session: AsyncSession, client: Client, settings: Settings, admin: Account, body: InviteIn
) -> StaffOut:
    institution, commission = _unit_of(admin, body)
    if not access.manages(admin, body.role, institution, commission):
        raise DomainError("staff_role_not_yours")
    if not (body.phone or body.email):
        raise DomainError("staff_contact_required")
    phone = identifiers.normalize_phone(body.phone) if body.phone else None
    email = identifiers.normalize_email(body.email) if body.email else None
    # Nobody knows this password: the invitee sets theirs with the code sent to them.
    unusable = secrets.token_urlsafe(24) + "a1"
    account_id = await staff.create_staff(
        session, body.role, body.username, unusable, institution, commission
    )
    account = await session.get(Account, account_id)
    account.phone, account.email, account.name = phone, email, body.name
    await _audit(session, admin, "staff_invited", account)
    await session.commit()
    await _send_code(session, client, settings, account)
    return staff_out(account)


async def managed(session: AsyncSession, admin: Account, account_id: int) -> Account:
    account = await session.get(Account, account_id)
    if account is None or not access.manages(
        admin, account.role, account.institution_code, account.commission_code
    ):
        raise DomainError("not_found")
    return account


async def listed(session: AsyncSession, admin: Account) -> list[StaffOut]:
    if not access.administers_staff(admin):
        raise DomainError("forbidden")
    found = await session.scalars(
        select(Account).where(Account.role != Role.PHYSICIAN).order_by(Account.username)
    )
    return [
        staff_out(a)
        for a in found
        if access.manages(admin, a.role, a.institution_code, a.commission_code)
    ]


async def deactivate(session: AsyncSession, admin: Account, account_id: int) -> StaffOut:
    account = await managed(session, admin, account_id)
    account.activation_state = staff.DEACTIVATED
    await staff.end_sessions(session, account)
    await _audit(session, admin, "staff_deactivated", account)
    return staff_out(account)


async def reset(
    session: AsyncSession, client: Client, settings: Settings, admin: Account, account_id: int
) -> StaffOut:
    """Every sign-in ends, a new one-time code goes to the account's phone or email, and a
    deactivated account is active again."""
    account = await managed(session, admin, account_id)
    account.activation_state = None
    account.password_hash = "!"  # matches no password until the code sets one
    await staff.end_sessions(session, account)
    await _audit(session, admin, "staff_reset", account)
    await session.commit()
    await _send_code(session, client, settings, account)
    return staff_out(account)


async def _send_code(session, client, settings, account: Account) -> None:
    channel = Channel.sms if account.phone else Channel.email
    await request_password_reset(session, client, settings, account.username, channel)


async def _audit(session: AsyncSession, admin: Account, action: str, account: Account) -> None:
    await audit.record(
        session,
        action,
        actor_id=admin.id,
        actor_role=admin.role,
        institution_code=account.institution_code,
        detail={"account_id": account.id, "role": account.role},
    )
