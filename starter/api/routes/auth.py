"""Sign-up and login."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.ext.asyncio import AsyncSession

from registry import accounts, audit, identifiers, passwords, ratelimit, tokens
from registry.activation import ActivationState
from registry.errors import DomainError
from registry.models import Account
from registry.settings import Settings
from starter.api.deps import SessionDep, SettingsDep, TemporalDep
from starter.api.schemas import RefreshRequest, SignupRequest, SignupResponse, TokenResponse
from starter.services.activation import start_activation

router = APIRouter(tags=["account"])


@router.post("/signup", status_code=201, response_model=SignupResponse)
async def signup(
    request: Request,
    body: SignupRequest,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> SignupResponse:
    """Create a physician account and start its activation.

    The account is committed first so the workflow always finds it; if Temporal cannot start the
    workflow, the account is removed again and the physician can simply retry.
    """
    await _limit_address(session, settings, request, ratelimit.SIGNUPS_PER_ADDRESS)
    username = identifiers.normalize_username(body.username)
    passwords.check_policy(body.password)
    name = identifiers.normalize_name(body.name)
    id_number = identifiers.normalize_id_number(body.id_number)
    phone = identifiers.normalize_phone(body.phone)
    email = identifiers.normalize_email(body.email)
    if body.institution_code:
        await accounts.get_institution(session, body.institution_code)

    match = await accounts.match_identity(session, name, id_number, body.institution_code)
    if match.institution_code is None:
        raise DomainError("institution_required")
    state = (
        ActivationState.awaiting_verification
        if match.found
        else ActivationState.awaiting_qualification
    )
    account = await accounts.create_physician(
        session,
        accounts.PhysicianSignup(
            username=username,
            password_hash=await run_in_threadpool(passwords.hash_password, body.password),
            name=name,
            id_number=id_number,
            phone=phone,
            email=email,
            institution_code=match.institution_code,
            activation_state=state,
        ),
    )
    await audit.record(
        session,
        "signup",
        actor_id=account.id,
        actor_role="physician",
        physician_id=account.id,
        institution_code=match.institution_code,
    )
    await session.commit()
    try:
        await start_activation(
            temporal, settings, account.id, match.institution_code, match.province_code or ""
        )
    except Exception:
        await session.delete(account)
        await session.commit()
        raise
    return SignupResponse(account_id=account.id, activation_state=state)


@router.post("/token", response_model=TokenResponse)
async def token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenResponse:
    """Log in. Five wrong passwords lock the username for 15 minutes; each client address has
    its own budget of attempts."""
    account = await authenticate(request, form, session, settings)
    return TokenResponse(**await tokens.issue_pair(session, settings, account), role=account.role)


async def authenticate(
    request: Request, form: OAuth2PasswordRequestForm, session: AsyncSession, settings: Settings
) -> Account:
    """The account of a username and password, under the login limits (every sign-in form)."""
    username = form.username.strip().lower()
    await _limit_address(session, settings, request, ratelimit.LOGINS_PER_ADDRESS)
    await ratelimit.check(session, ratelimit.LOGIN_FAILURES_PER_USERNAME, username)
    account = await accounts.get_account_by_username(session, username)
    ok = await run_in_threadpool(
        passwords.verify_password, account.password_hash if account else None, form.password
    )
    if account is None or not ok:
        await ratelimit.count(session, ratelimit.LOGIN_FAILURES_PER_USERNAME, username)
        await session.commit()
        raise DomainError("invalid_credentials")
    await ratelimit.reset(session, ratelimit.LOGIN_FAILURES_PER_USERNAME, username)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = await run_in_threadpool(passwords.hash_password, form.password)
    return account


@router.post("/token/refresh", response_model=TokenResponse)
async def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep):
    """A new token pair for a refresh token; each refresh token works once."""
    account, pair = await tokens.rotate(session, settings, body.refresh_token)
    return TokenResponse(**pair, role=account.role)


async def _limit_address(session, settings, request: Request, limit) -> None:
    """Count a request from this client address; committed even if the request then fails."""
    if settings.rate_limit_per_address and request.client:
        await ratelimit.hit(session, limit, request.client.host)
        await session.commit()
