"""Security settings (password, phone, security email) and the forgotten password.

Every change is told to the account's contacts, the old one included. A new phone or email is
in force only once the code sent *to it* comes back. Resetting a forgotten password answers the
same whether or not the username exists, so it cannot be used to find out who has an account.
"""

from contextlib import suppress

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from registry import accounts, identifiers, passwords, ratelimit, security, tokens
from registry.activation import Channel
from registry.errors import DomainError
from registry.models import Account
from registry.security import CodePurpose, SecurityEventKind
from starter.api.deps import CurrentAccount, SessionDep, SettingsDep, TemporalDep
from starter.api.errors import language
from starter.api.profile_schemas import (
    CodeSentTo,
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    SecurityOut,
    SecurityPatch,
)
from starter.services import profile as steering

router = APIRouter(tags=["security"])

_RESET_SENT = (
    "如果该用户名存在且登记了所选联系方式，验证码已发送，5分钟内有效；60秒后可重新获取。",
    "If this username exists and has the chosen contact, a code was sent to it, valid for "
    "5 minutes; you may ask again after 60 s.",
)
_HIDDEN = {"code_not_sent", "code_incorrect", "code_expired", "code_locked"}
_RESET_DONE = ("密码已重置，请使用新密码登录。", "Your password was reset; log in with it.")

# field of the new value, field of its code, purpose, channel, normalizer, security event
_CONTACTS = {
    "phone": ("phone_code", CodePurpose.phone_change, Channel.sms, identifiers.normalize_phone,
              SecurityEventKind.phone_changed),
    "email": ("email_code", CodePurpose.email_change, Channel.email, identifiers.normalize_email,
              SecurityEventKind.email_changed),
}  # fmt: skip


def _out(account: Account, **values) -> SecurityOut:
    return SecurityOut(
        phone=identifiers.mask(account.phone or ""),
        email=identifiers.mask(account.email or ""),
        **values,
    )


@router.patch("/me/security", response_model=SecurityOut)
async def change_security(
    body: SecurityPatch,
    response: Response,
    account: CurrentAccount,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> SecurityOut:
    """Change the password (`current_password` + `new_password`), or the phone / security email:
    first `{phone}` sends a code to the new number (202), then `{phone, phone_code}` puts it in
    force (200); the same with `email` and `email_code`. One change per request."""
    given = [
        field
        for field, value in (
            ("password", body.new_password),
            ("phone", body.phone),
            ("email", body.email),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise DomainError("security_one_change")
    if given[0] == "password":
        await _change_password(body, account, session)
        await tokens.revoke_all(session, account)  # every session ends, this one too
        event = await security.record_event(session, account, SecurityEventKind.password_changed)
        await steering.notify_change(session, temporal, settings, event)
        return _out(account, changed="password")
    return await _change_contact(given[0], body, response, account, session, temporal, settings)


async def _change_password(body: SecurityPatch, account: Account, session) -> None:
    """Wrong current passwords count as failed logins: a stolen session cannot guess on."""
    limit = ratelimit.LOGIN_FAILURES_PER_USERNAME
    await ratelimit.check(session, limit, account.username)
    current_ok = body.current_password is not None and await run_in_threadpool(
        passwords.verify_password, account.password_hash, body.current_password
    )
    if not current_ok:
        await ratelimit.count(session, limit, account.username)
        await session.commit()
        raise DomainError("current_password_wrong")
    passwords.check_policy(body.new_password)
    if await run_in_threadpool(passwords.verify_password, account.password_hash, body.new_password):
        raise DomainError("password_unchanged")
    account.password_hash = await run_in_threadpool(passwords.hash_password, body.new_password)


async def _change_contact(
    field, body, response: Response, account: Account, session, temporal, settings
) -> SecurityOut:
    code_field, purpose, channel, normalize, event_kind = _CONTACTS[field]
    new_value = normalize(getattr(body, field))
    previous = getattr(account, field)
    if new_value == previous:
        raise DomainError("contact_unchanged")
    code = getattr(body, code_field)
    if code is None:
        issued = await steering.send_code(
            session, temporal, settings, account, purpose, channel, new_value
        )
        response.status_code = 202
        sent = CodeSentTo(
            channel=channel,
            to=identifiers.mask(new_value),
            expires_at=issued.expires_at,
            resend_after=issued.resend_after,
        )
        return _out(account, code_sent=sent)
    await security.redeem(
        session, settings.code_secret, account.id, purpose, code, steering.now(), target=new_value
    )
    setattr(account, field, new_value)
    event = await security.record_event(session, account, event_kind, previous)
    await steering.notify_change(session, temporal, settings, event)
    return _out(account, changed=field)


@router.post("/password-reset/request", status_code=202, response_model=PasswordResetAccepted)
async def request_password_reset(
    body: PasswordResetRequest,
    request: Request,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> PasswordResetAccepted:
    """Send a code to the account's phone (`sms`) or security email. The answer is the same for
    an unknown username, a missing contact, a too-early request and a locked account."""
    account = await accounts.get_account_by_username(session, body.username)
    contact = account and (account.phone if body.channel == Channel.sms else account.email)
    if contact:
        with suppress(DomainError):  # too soon or locked: said by nothing, as for strangers
            await steering.send_code(
                session, temporal, settings, account, CodePurpose.password_reset, body.channel, None
            )
    zh, en = _RESET_SENT
    return PasswordResetAccepted(message=en if language(request) == "en" else zh)


@router.post("/password-reset/confirm", response_model=PasswordResetAccepted)
async def confirm_password_reset(
    body: PasswordResetConfirm,
    request: Request,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> PasswordResetAccepted:
    """Set a new password with the code received.

    A wrong, expired, used or never-sent code, a locked reset and an unknown username all read
    the same (``reset_code_invalid``): otherwise a stranger could tell which usernames exist.
    Wrong tries still count, and the fifth locks the reset for 30 minutes.
    """
    passwords.check_policy(body.new_password)
    account = await accounts.get_account_by_username(session, body.username)
    try:
        if account is None:
            raise DomainError("code_not_sent")
        await security.redeem(
            session,
            settings.code_secret,
            account.id,
            CodePurpose.password_reset,
            body.code,
            steering.now(),
            channel=body.channel,
        )
    except DomainError as error:
        if error.code in _HIDDEN:
            raise DomainError("reset_code_invalid") from None
        raise
    account.password_hash = await run_in_threadpool(passwords.hash_password, body.new_password)
    await tokens.revoke_all(session, account)  # whoever had a session must log in again
    event = await security.record_event(session, account, SecurityEventKind.password_reset)
    await steering.notify_change(session, temporal, settings, event)
    zh, en = _RESET_DONE
    return PasswordResetAccepted(message=en if language(request) == "en" else zh)
