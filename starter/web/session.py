"""Portal sign-ins: server-side rows, a random token in an HttpOnly cookie.

The cookie carries a random token; the ``web_sessions`` table keeps only its SHA-256, so a copy
of the table opens nothing. A session ends at logout (its row is deleted), after 30 minutes
without a request, 12 hours after sign-in, or when the account's ``token_version`` moves on (a
new password, a stolen refresh token): the same rule that ends the API's tokens.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from registry.models import Account, WebSession
from registry.settings import Settings

COOKIE = "ereg_session"
IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=12)
# last_seen is written at most this often: a page view should not always cost a write.
TOUCH_EVERY = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


async def start(session: AsyncSession, account: Account) -> str:
    """A new session for ``account``; returns the token for the cookie. Sessions of anyone that
    lapsed are cleared on the way (the index on expiry keeps that cheap)."""
    now = datetime.now(UTC)
    await session.execute(delete(WebSession).where(WebSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=digest(token),
            account_id=account.id,
            token_version=account.token_version,
            csrf_secret=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
        )
    )
    return token


async def resume(session: AsyncSession, token: str | None) -> tuple[WebSession, Account] | None:
    """The session and account of a cookie's token, if the session is still good."""
    if not token or len(token) > 128:
        return None
    row = await session.get(WebSession, digest(token))
    if row is None:
        return None
    now = datetime.now(UTC)
    account = await session.get(Account, row.account_id)
    lapsed = _aware(row.expires_at) <= now or _aware(row.last_seen_at) + IDLE <= now
    if account is None or lapsed or account.token_version != row.token_version:
        await session.delete(row)
        await session.commit()
        return None
    if _aware(row.last_seen_at) + TOUCH_EVERY <= now:
        row.last_seen_at = now
        await session.commit()
    return row, account


async def end(session: AsyncSession, token: str | None) -> None:
    if token:
        await session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))


def set_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        path="/",
        secure=not settings.dev_mode,  # dev runs on http://127.0.0.1
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path="/", secure=not settings.dev_mode, httponly=True, samesite="lax"
    )
