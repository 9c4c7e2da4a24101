"""Security settings: new phone or email confirmed by a code, password change and reset.

Why rows and not workflows: these flows are a few minutes long, have one actor, and nothing
happens when they lapse — an expired code is simply refused when typed. A ``contact_codes`` row
(one per account and purpose) holds what a workflow would: the digest, the expiry, the resend
time, the wrong tries and the lockout, and its unique key makes a second request replace the
first. Only the *delivery* goes through Temporal (``ContactMessageWorkflow``), so that a message
is retried until it leaves, like every other message.

A code is never stored, logged or put in workflow history: it is derived (HMAC) from the server
secret and the row's id and nonce (see ``registry.codes``); the row keeps its digest, the
delivery workflow carries only the row id and nonce, and the activity derives the code again
just to send it. A resend draws a new nonce, so an old code stops working. The numbers are those
of the activation (``registry.activation``).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry import audit
from registry.activation import LOCKOUT, MAX_WRONG_CODES, RESEND_INTERVAL, Channel
from registry.activation import VERIFICATION_CODE_TTL as CODE_TTL
from registry.codes import code_digest, is_code_format, make_code
from registry.errors import DomainError
from registry.models import Account, ContactCode, SecurityEvent
from registry.roles import Role

DEACTIVATED = "deactivated"  # registry.staff: a staff account that may no longer sign in


class ContactCodePurpose(StrEnum):
    phone_change = "phone_change"
    email_change = "email_change"
    password_reset = "password_reset"


class SecurityEventKind(StrEnum):
    password_changed = "password_changed"
    password_reset = "password_reset"
    phone_changed = "phone_changed"
    email_changed = "email_changed"
    # Someone signed up with the ID number of this account (issue #19): its owner is told.
    signup_attempted = "signup_attempted"


class ContactMessage(BaseModel):
    """What the delivery workflow sends: a code (row id and nonce) or a notice (event id); or a
    password-reset request (username and channel), which becomes a code only if the account
    exists and has that contact — decided in the worker, so the API does the same either way."""

    kind: str  # code | notice | reset_request
    ref_id: int = 0
    nonce: str | None = None
    username: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class IssuedCode:
    row_id: int
    nonce: str
    expires_at: datetime
    resend_after: datetime


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored one is UTC."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def delivery_key(row_id: int, nonce: str) -> str:
    return f"contact-code:{row_id}:{nonce}"


def code_for(secret: str, row_id: int, nonce: str) -> str:
    """The code of one delivery; only the sender calls this."""
    return make_code(secret, delivery_key(row_id, nonce))


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))


async def _row(
    session: AsyncSession, account_id: int, purpose: ContactCodePurpose
) -> ContactCode | None:
    return await session.scalar(
        select(ContactCode).where(
            ContactCode.account_id == account_id, ContactCode.purpose == purpose.value
        )
    )


def _check_lock(row: ContactCode, now: datetime) -> None:
    locked_until = aware(row.locked_until)
    if locked_until and now < locked_until:
        raise DomainError("code_locked", {"retry_after": _seconds(locked_until - now)})


async def issue(
    session: AsyncSession,
    secret: str,
    account_id: int,
    purpose: ContactCodePurpose,
    channel: Channel,
    target: str | None,
    now: datetime,
) -> IssuedCode:
    """Make (or replace) the pending code; refuses while locked or within 60 s of the last."""
    row = await _row(session, account_id, purpose)
    if row is None:
        row = ContactCode(account_id=account_id, purpose=purpose.value, attempts=0)
        session.add(row)
    else:
        _check_lock(row, now)
        wait = aware(row.sent_at) + RESEND_INTERVAL - now
        if wait > timedelta(0):
            raise DomainError("resend_too_soon", {"retry_after": _seconds(wait)})
    row.channel, row.target = channel.value, target
    row.nonce = secrets.token_hex(8)
    row.sent_at, row.expires_at = now, now + CODE_TTL
    row.digest = ""
    try:
        await session.flush()  # the id is part of the delivery key
    except IntegrityError:  # a concurrent request created the row first
        await session.rollback()
        raise DomainError("resend_too_soon", {"retry_after": _seconds(RESEND_INTERVAL)}) from None
    code = code_for(secret, row.id, row.nonce)
    row.digest = code_digest(secret, account_id, purpose.value, code)
    await session.flush()
    return IssuedCode(row.id, row.nonce, row.expires_at, now + RESEND_INTERVAL)


async def redeem(
    session: AsyncSession,
    secret: str,
    account_id: int,
    purpose: ContactCodePurpose,
    code: str,
    now: datetime,
    channel: Channel | None = None,
    target: str | None = None,
) -> ContactCode:
    """Accept the typed code and use it up, or count a wrong try.

    A wrong try is committed before the refusal is raised, so that it counts although the
    request fails; the fifth locks for 30 minutes. The code must have gone to ``target`` (and
    by ``channel``) when they are given: a code for another number proves nothing about this one.

    Concurrent tries: using the code and counting a wrong try are each one statement that holds
    only while the row is there and not locked, so however many arrive at once no more than
    five wrong ones are counted, none after the lock, and a right code racing them either wins
    before the lock or is refused as locked — never an error.
    """
    code = code.strip()
    if not is_code_format(code):
        raise DomainError("code_format")
    row = await _row(session, account_id, purpose)
    if row is None or (channel and row.channel != channel) or (target and row.target != target):
        raise DomainError("code_not_sent")
    _check_lock(row, now)
    if now >= aware(row.expires_at):
        raise DomainError("code_expired")
    if code_digest(secret, account_id, purpose.value, code) == row.digest:
        used = await session.execute(
            delete(ContactCode).where(
                ContactCode.id == row.id, ContactCode.digest == row.digest, _unlocked(now)
            )
        )
        if used.rowcount == 1:  # neither used nor locked by a concurrent request first
            return row
        raise await _why_not(session, row.id, now)
    raise await _count_wrong_try(session, row, now)


def _unlocked(now: datetime):
    return or_(ContactCode.locked_until.is_(None), ContactCode.locked_until <= now)


async def _why_not(session: AsyncSession, row_id: int, now: datetime) -> DomainError:
    """The refusal when a concurrent request changed the row: locked, or used up."""
    locked_until = await session.scalar(
        select(ContactCode.locked_until).where(ContactCode.id == row_id)
    )
    await session.commit()
    locked_until = aware(locked_until)
    if locked_until and now < locked_until:
        return DomainError("code_locked", {"retry_after": _seconds(locked_until - now)})
    return DomainError("code_not_sent")


async def _count_wrong_try(session: AsyncSession, row: ContactCode, now: datetime) -> DomainError:
    """Count the try durably, in one statement that also locks at the fifth; the refusal."""
    locks = ContactCode.attempts + 1 >= MAX_WRONG_CODES
    counted = (
        await session.execute(
            update(ContactCode)
            .where(ContactCode.id == row.id, _unlocked(now))
            .values(
                attempts=case((locks, 0), else_=ContactCode.attempts + 1),
                locked_until=case((locks, now + LOCKOUT), else_=ContactCode.locked_until),
            )
            .returning(ContactCode.attempts, ContactCode.locked_until)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if counted is None:  # locked or used up meanwhile
        return await _why_not(session, row.id, now)
    await session.commit()
    if counted.locked_until is not None and aware(counted.locked_until) > now:
        return DomainError("code_locked", {"retry_after": int(LOCKOUT.total_seconds())})
    return DomainError("code_incorrect", {"attempts_left": MAX_WRONG_CODES - counted.attempts})


async def issue_reset(
    session: AsyncSession, secret: str, request: ContactMessage, now: datetime
) -> ContactMessage | None:
    """The code to send for a password-reset request, or None: an unknown username, no such
    contact, too soon after the last code or locked — none of which the requester is told."""
    account = await session.scalar(
        select(Account).where(Account.username == (request.username or "").strip().lower())
    )
    channel = Channel(request.channel)
    if account is None or not (account.phone if channel == Channel.sms else account.email):
        return None
    if account.activation_state == DEACTIVATED and account.role != Role.PHYSICIAN:
        return None  # a deactivated staff account: no way back in but its administrator's
    try:
        issued = await issue(
            session, secret, account.id, ContactCodePurpose.password_reset, channel, None, now
        )
    except DomainError:
        return None
    return ContactMessage(kind="code", ref_id=issued.row_id, nonce=issued.nonce)


SIGNUP_ATTEMPT_NOTICE_EVERY = timedelta(hours=1)


async def signup_attempt_to_tell(
    session: AsyncSession, id_number: str, now: datetime
) -> SecurityEvent | None:
    """The notice to send the owner of ``id_number`` that someone tried to sign up with it, or
    None (no owner, or already told within the hour: a flood of attempts is one message)."""
    owner = await session.scalar(select(Account).where(Account.id_number == id_number))
    if owner is None:
        return None
    recent = await session.scalar(
        select(SecurityEvent.id).where(
            SecurityEvent.account_id == owner.id,
            SecurityEvent.event == SecurityEventKind.signup_attempted.value,
            SecurityEvent.created_at > now - SIGNUP_ATTEMPT_NOTICE_EVERY,
        )
    )
    if recent is not None:
        return None
    event = SecurityEvent(account_id=owner.id, event=SecurityEventKind.signup_attempted.value)
    session.add(event)
    await session.flush()
    return event


async def record_event(
    session: AsyncSession, account: Account, event: SecurityEventKind, previous: str | None = None
) -> SecurityEvent:
    row = SecurityEvent(account_id=account.id, event=event.value, previous=previous)
    session.add(row)
    await audit.record(
        session,
        event.value,
        actor_id=account.id,
        actor_role=account.role,
        physician_id=account.id if account.role == Role.PHYSICIAN else None,
        institution_code=account.institution_code,
    )
    await session.flush()
    return row


async def pending_codes(session: AsyncSession, account_id: int, now: datetime) -> list[ContactCode]:
    """Codes still valid, for the physician's own view."""
    rows = await session.scalars(select(ContactCode).where(ContactCode.account_id == account_id))
    return [row for row in rows if aware(row.expires_at) > now]
