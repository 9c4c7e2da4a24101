"""Access and refresh tokens.

An access token (JWT, short-lived) authenticates each request. A refresh token (JWT, longer,
with an id kept in the database) buys a new pair once: each use rotates it, and a refresh token
that comes back after being used means it was stolen, so every token of that account is revoked.
Revoking (that, or a new password) ends the access tokens too: each names the account's
``token_version`` it was issued under, and revoking raises it.
"""

import secrets
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from registry.errors import DomainError
from registry.models import Account, RefreshToken
from registry.settings import Settings

ALGORITHM = "HS256"
CODEC_SESSION = timedelta(hours=8)


def _encode(settings: Settings, claims: dict) -> str:
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def decode(settings: Settings, token: str, kind: str) -> dict:
    """The claims of a valid token of ``kind`` (access | refresh | codec); else
    ``token_invalid``."""
    try:
        claims = jwt.decode(token, settings.jwt_secret, algorithms=[ALGORITHM])
        int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise DomainError("token_invalid") from None
    if claims.get("typ") != kind:
        raise DomainError("token_invalid")
    return claims


async def issue_pair(session: AsyncSession, settings: Settings, account: Account) -> dict:
    now = datetime.now(UTC)
    jti = secrets.token_urlsafe(32)
    expires = now + timedelta(days=settings.refresh_token_days)
    session.add(RefreshToken(jti=jti, account_id=account.id, expires_at=expires))
    base = _claims(account, now)
    access_expires = now + timedelta(minutes=settings.access_token_minutes)
    return {
        "access_token": _encode(settings, base | {"typ": "access", "exp": access_expires}),
        "refresh_token": _encode(settings, base | {"typ": "refresh", "exp": expires, "jti": jti}),
        "expires_in": settings.access_token_minutes * 60,
    }


def issue_codec_session(settings: Settings, account: Account) -> str:
    """An operator's sign-in for the Temporal UI's decoding: good only at ``/codec`` (its own
    ``typ``), for a working day, and ended with the account's other tokens."""
    now = datetime.now(UTC)
    return _encode(settings, _claims(account, now) | {"typ": "codec", "exp": now + CODEC_SESSION})


def _claims(account: Account, now: datetime) -> dict:
    """What every token of the account says: whose, its role, when, under which version."""
    return {"sub": str(account.id), "role": account.role, "iat": now, "ver": account.token_version}


async def rotate(session: AsyncSession, settings: Settings, refresh_token: str) -> tuple:
    """(account, new pair) for a valid, unused refresh token.

    Marking it used is one ``UPDATE … WHERE used = false`` whose row count decides: of two
    requests with the same token in the same millisecond exactly one wins (the database
    serialises the update), and the other is a reuse like any later one — it revokes every
    token of the account, the winner's new pair included."""
    claims = decode(settings, refresh_token, "refresh")
    account = await session.get(Account, int(claims["sub"]))
    stored = await session.get(RefreshToken, str(claims.get("jti", "")))
    if stored is None or account is None or stored.account_id != account.id:
        raise DomainError("token_invalid")
    used = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.jti == stored.jti, RefreshToken.used.is_(False))
        .values(used=True)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        await revoke_all(session, account)
        await session.commit()
        raise DomainError("token_invalid")
    return account, await issue_pair(session, settings, account)


def check_not_revoked(claims: dict, account: Account) -> None:
    """``token_invalid`` for a token issued before the account's sessions were ended."""
    if claims.get("ver", 0) != account.token_version:
        raise DomainError("token_invalid")


async def revoke_all(session: AsyncSession, account: Account) -> None:
    """After a password change or a stolen token: no token of the account issued so far works,
    the access tokens included (they would otherwise last until they expire)."""
    version = await session.scalar(
        update(Account)
        .where(Account.id == account.id)
        .values(token_version=Account.token_version + 1)  # in SQL: two revokes both count
        .returning(Account.token_version)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(account, "token_version", version)
    await session.execute(
        update(RefreshToken).where(RefreshToken.account_id == account.id).values(used=True)
    )
