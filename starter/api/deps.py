"""Dependencies: settings, database session, Temporal client and the authenticated caller."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry import tokens
from registry.db import get_sessionmaker
from registry.errors import DomainError
from registry.models import Account
from registry.roles import Role
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
# Committed when the path operation returns, before the response leaves: a client that got
# its answer must find the change in the next request.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
TemporalDep = Annotated[Client, Depends(get_temporal)]


async def current_account(
    settings: SettingsDep, session: SessionDep, token: Annotated[str | None, Depends(oauth2)]
) -> Account:
    return await account_of(settings, session, token, "access")


async def account_of(
    settings: Settings, session: AsyncSession, token: str | None, kind: str
) -> Account:
    """The account a token of ``kind`` was issued to, if the token is still good."""
    if not token:
        raise DomainError("not_authenticated")
    claims = tokens.decode(settings, token, kind)
    account = await session.get(Account, int(claims["sub"]))
    if account is None:
        raise DomainError("token_invalid")
    tokens.check_not_revoked(claims, account)
    # End the read: the connection goes back to the pool, so a request that then waits on a
    # workflow update does not hold one (the account stays loaded and attached).
    await session.commit()
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]


def require_role(*roles: str):
    async def check(account: CurrentAccount) -> Account:
        if account.role not in roles:
            raise DomainError("forbidden")
        return account

    return Depends(check)


Physician = Annotated[Account, require_role(Role.PHYSICIAN)]
InstitutionStaff = Annotated[Account, require_role(Role.INSTITUTION_STAFF)]
CommissionOfficer = Annotated[Account, require_role(Role.COMMISSION_OFFICER)]
