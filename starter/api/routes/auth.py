"""Sign-up and login."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from registry import tokens
from starter.api.deps import SessionDep, SettingsDep, TemporalDep
from starter.api.schemas import RefreshRequest, SignupRequest, SignupResponse, TokenResponse
from starter.services import accounts

router = APIRouter(tags=["account"])


def client_address(request: Request) -> str | None:
    """The caller's address, for the per-address limits."""
    return request.client.host if request.client else None


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
    form = accounts.SignupForm(**body.model_dump())
    account, state = await accounts.signup(
        session, temporal, settings, form, client_address(request)
    )
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
    account = await accounts.authenticate(
        session, settings, form.username, form.password, client_address(request)
    )
    return TokenResponse(**await tokens.issue_pair(session, settings, account), role=account.role)


@router.post("/token/refresh", response_model=TokenResponse)
async def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep):
    """A new token pair for a refresh token; each refresh token works once."""
    account, pair = await tokens.rotate(session, settings, body.refresh_token)
    return TokenResponse(**pair, role=account.role)
