"""Cross-site request forgery: every state-changing form carries a token, checked here.

Signed in, the token is the session's own secret (kept in its row). Before sign-in (sign-in,
sign-up, password reset) it is a signed double submit: a random cookie, and in the form an HMAC
of it under the server's secret, which another site can neither read nor make. On top, the
request's ``Origin`` (or, lacking it, its ``Referer``) must be this site. htmx sends the token
in the ``X-CSRF-Token`` header instead of a form field.
"""

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from registry.settings import Settings

FIELD = "csrf_token"
HEADER = "x-csrf-token"
ANON_COOKIE = "ereg_csrf"


class CsrfRefused(Exception):
    """A state-changing request without a valid token, or from another origin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # origin | token


def _sign(settings: Settings, value: str) -> str:
    return hmac.new(
        settings.jwt_secret.encode(), b"csrf:" + value.encode(), hashlib.sha256
    ).hexdigest()


def anonymous_token(request: Request, settings: Settings) -> tuple[str, str | None]:
    """(token for the form, cookie to set or None): the cookie is made on first need."""
    cookie = request.cookies.get(ANON_COOKIE)
    if cookie and 16 <= len(cookie) <= 128:
        return _sign(settings, cookie), None
    cookie = secrets.token_urlsafe(24)
    return _sign(settings, cookie), cookie


def set_anonymous_cookie(response: Response, cookie: str, settings: Settings) -> None:
    response.set_cookie(
        ANON_COOKIE,
        cookie,
        path="/",
        secure=not settings.dev_mode,
        httponly=True,
        samesite="strict",
    )


def same_origin(request: Request) -> bool:
    """The request comes from a page of this site (``Origin``, else ``Referer``)."""
    host = request.headers.get("host", "")
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    if not source or source == "null":
        return False
    return urlsplit(source).netloc == host


def check(request: Request, settings: Settings, sent: str | None, session_secret: str | None):
    """Raise :class:`CsrfRefused` unless the request is same-origin and carries the token."""
    if not same_origin(request):
        raise CsrfRefused("origin")
    sent = request.headers.get(HEADER) or sent or ""
    if session_secret is not None:
        expected = session_secret
    else:
        cookie = request.cookies.get(ANON_COOKIE) or ""
        expected = _sign(settings, cookie) if cookie else ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused("token")
