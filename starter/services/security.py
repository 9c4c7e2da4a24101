"""Security settings (password, phone, security email) and the forgotten password.

Every change is told to the account's contacts, the old one included. A new phone or email is
in force only once the code sent *to it* comes back. Resetting a forgotten password answers the
same whether or not the username exists, so it cannot be used to find out who has an account.
The API's routes and the portal's pages call these.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry import accounts, identifiers, passwords, ratelimit, security, tokens
from registry.activation import Channel
from registry.errors import DomainError
from registry.models import Account
from registry.security import ContactCodePurpose, ContactMessage, IssuedCode, SecurityEventKind
from registry.settings import Settings
from starter.services import profile as steering
from workflows.contact_message import ContactMessageWorkflow

RESET_SENT = (
    "如果该用户名存在且登记了所选联系方式，验证码已发送，5分钟内有效；60秒后可重新获取。",
    "If this username exists and has the chosen contact, a code was sent to it, valid for "
    "5 minutes; you may ask again after 60 s.",
)
RESET_DONE = ("密码已重置，请使用新密码登录。", "Your password was reset; log in with it.")
_HIDDEN = {"code_not_sent", "code_incorrect", "code_expired", "code_locked"}


@dataclass(frozen=True)
class Contact:
    """How a contact (phone or security email) changes."""

    code_field: str
    purpose: ContactCodePurpose
    channel: Channel
    normalize: object
    event: SecurityEventKind


CONTACTS = {
    "phone": Contact("phone_code", ContactCodePurpose.phone_change, Channel.sms,
                     identifiers.normalize_phone, SecurityEventKind.phone_changed),
    "email": Contact("email_code", ContactCodePurpose.email_change, Channel.email,
                     identifiers.normalize_email, SecurityEventKind.email_changed),
}  # fmt: skip


def in_language(text: tuple[str, str], lang: str) -> str:
    return text[lang == "en"]


async def change_password(
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    account: Account,
    current_password: str | None,
    new_password: str,
) -> None:
    """A new password; every session of the account ends, this one too. Wrong current
    passwords count as failed logins: a stolen session cannot guess on. As at login, the try
    is counted before the password is checked, so a burst cannot outrun the count."""
    limit = ratelimit.LOGIN_FAILURES_PER_USERNAME
    try:
        await ratelimit.hit(session, limit, account.username)
    finally:
        await session.commit()
    current_ok = current_password is not None and await passwords.verify_async(
        account.password_hash, current_password
    )
    if not current_ok:
        raise DomainError("current_password_wrong")
    await ratelimit.reset(session, limit, account.username)
    passwords.check_policy(new_password)
    if await passwords.verify_async(account.password_hash, new_password):
        raise DomainError("password_unchanged")
    account.password_hash = await passwords.hash_async(new_password)
    await tokens.revoke_all(session, account)  # every session ends, this one too
    event = await security.record_event(session, account, SecurityEventKind.password_changed)
    await steering.notify_change(session, temporal, settings, event)


def normalized_contact(field: str, account: Account, value: str) -> str:
    """The new phone or email, normalized; refused when it is the one in force."""
    new_value = CONTACTS[field].normalize(value)
    if new_value == getattr(account, field):
        raise DomainError("contact_unchanged")
    return new_value


async def send_contact_code(
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    account: Account,
    field: str,
    value: str,
) -> tuple[str, IssuedCode]:
    """Send a code to the new phone or email: (the new value normalized, the code issued)."""
    contact = CONTACTS[field]
    new_value = normalized_contact(field, account, value)
    issued = await steering.send_code(
        session, temporal, settings, account, contact.purpose, contact.channel, new_value
    )
    return new_value, issued


async def confirm_contact(
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    account: Account,
    field: str,
    value: str,
    code: str,
) -> None:
    """Put the new phone or email in force with the code sent to it; both contacts are told."""
    contact = CONTACTS[field]
    new_value = normalized_contact(field, account, value)
    previous = getattr(account, field)
    await security.redeem(
        session,
        settings.code_secret,
        account.id,
        contact.purpose,
        code,
        steering.now(),
        target=new_value,
    )
    setattr(account, field, new_value)
    event = await security.record_event(session, account, contact.event, previous)
    await steering.notify_change(session, temporal, settings, event)


async def request_password_reset(
    session: AsyncSession, temporal: Client, settings: Settings, username: str, channel: Channel
) -> None:
    """Send a code to the account's phone (``sms``) or security email. Nothing tells an unknown
    username, a missing contact, a too-early request or a locked account apart — not the answer
    and not its time: every request starts the same delivery workflow, whose worker looks the
    account up and sends a code only if there is one to send (``registry.security.issue_reset``).
    The workflow id is random; the username travels only in its encrypted input."""
    request = ContactMessage(kind="reset_request", username=username[:64], channel=channel.value)
    await temporal.start_workflow(
        ContactMessageWorkflow.run,
        request,
        id=f"password-reset-{uuid.uuid4().hex}",
        task_queue=settings.task_queue,
        static_summary="找回密码 · Password reset request",
    )


async def confirm_password_reset(
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    username: str,
    channel: Channel,
    code: str,
    new_password: str,
) -> None:
    """Set a new password with the code received.

    A wrong, expired, used or never-sent code, a locked reset and an unknown username all read
    the same (``reset_code_invalid``): otherwise a stranger could tell which usernames exist.
    Wrong tries still count, and the fifth locks the reset for 30 minutes.
    """
    passwords.check_policy(new_password)
    account = await accounts.get_account_by_username(session, username)
    try:
        if account is None:
            raise DomainError("code_not_sent")
        await security.redeem(
            session,
            settings.code_secret,
            account.id,
            ContactCodePurpose.password_reset,
            code,
            steering.now(),
            channel=channel,
        )
    except DomainError as error:
        if error.code in _HIDDEN:
            raise DomainError("reset_code_invalid") from None
        raise
    account.password_hash = await passwords.hash_async(new_password)
    await tokens.revoke_all(session, account)  # whoever had a session must log in again
    event = await security.record_event(session, account, SecurityEventKind.password_reset)
    await steering.notify_change(session, temporal, settings, event)
