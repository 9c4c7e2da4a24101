"""Dependencies: settings, database session, Temporal client and the authenticated caller."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry.db import get_sessionmaker
from registry.errors import DomainError
from registry.models import Account
from registry.settings import Settings

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/token", auto_error=False)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_temporal(request: Request) -> Client:
    return request.app.state.temporal


async def get_session(
    settings: Annotated[Settings, Depends(get_settings)],
) -> AsyncIterator[AsyncSession]:
    """A session whose changes are committed when the request succeeds."""
    async with get_sessionmaker(settings.database_url)() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
TemporalDep = Annotated[Client, Depends(get_temporal)]


def issue_token(settings: Settings, account: Account) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(account.id),
        "role": account.role,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_minutes),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


async def current_account(
    settings: SettingsDep, session: SessionDep, token: Annotated[str | None, Depends(oauth2)]
) -> Account:
    if not token:
        raise DomainError("not_authenticated")
    try:
        claims = jwt.decode(token, settings.jwt_secret, algorithms=["HS256"])
        account_id = int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise DomainError("token_invalid") from None
    account = await session.get(Account, account_id)
    if account is None:
        raise DomainError("token_invalid")
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]


def require_role(*roles: str):
    async def check(account: CurrentAccount) -> Account:
        if account.role not in roles:
            raise DomainError("forbidden")
        return account

    return Depends(check)


Physician = Annotated[Account, require_role("physician")]
InstitutionStaff = Annotated[Account, require_role("institution_staff")]
CommissionOfficer = Annotated[Account, require_role("commission_officer")]
