"""Security settings (password, phone, security email) and the forgotten password.

Every change is told to the account's contacts, the old one included. A new phone or email is
in force only once the code sent *to it* comes back. Resetting a forgotten password answers the
same whether or not the username exists, so it cannot be used to find out who has an account.
"""

from fastapi import APIRouter, Request, Response

from registry import identifiers
from registry.errors import DomainError
from registry.models import Account
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
from starter.services import security

router = APIRouter(tags=["security"])


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
    field = given[0]
    if field == "password":
        await security.change_password(
            session, temporal, settings, account, body.current_password, body.new_password
        )
        return _out(account, changed="password")
    value = getattr(body, field)
    code = getattr(body, security.CONTACTS[field].code_field)
    if code is None:
        new_value, issued = await security.send_contact_code(
            session, temporal, settings, account, field, value
        )
        response.status_code = 202
        sent = CodeSentTo(
            channel=security.CONTACTS[field].channel,
            to=identifiers.mask(new_value),
            expires_at=issued.expires_at,
            resend_after=issued.resend_after,
        )
        return _out(account, code_sent=sent)
    await security.confirm_contact(session, temporal, settings, account, field, value, code)
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
    await security.request_password_reset(session, temporal, settings, body.username, body.channel)
    message = security.in_language(security.RESET_SENT, language(request))
    return PasswordResetAccepted(message=message)


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
    await security.confirm_password_reset(
        session, temporal, settings, body.username, body.channel, body.code, body.new_password
    )
    message = security.in_language(security.RESET_DONE, language(request))
    return PasswordResetAccepted(message=message)
