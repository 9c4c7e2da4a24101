"""An operator signs in for the Temporal UI's decoding: three small pages, not API operations.

The UI calls ``/codec/decode`` from the operator's browser. It has no login that the API could
check, so the operator signs in here once: the answer is a cookie (HttpOnly, SameSite=Strict,
path ``/codec``, 8 hours) that the browser then sends with the UI's codec calls. The cookie
holds a token good at ``/codec`` only, and ends with the account's other tokens (a new
password, a stolen refresh token).
"""

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.security import OAuth2PasswordRequestForm

from registry import audit, tokens
from registry.errors import DomainError
from registry.roles import Role
from starter.api.deps import SessionDep, SettingsDep
from starter.api.errors import language
from starter.api.routes.auth import client_address
from starter.services.accounts import authenticate

COOKIE = "ereg_codec"
router = APIRouter(prefix="/codec", include_in_schema=False)

_FORM = """
<form method="post" action="/codec/session">
  <p><label>用户名 Username <input name="username" autocomplete="username" required></label></p>
  <p><label>密码 Password <input name="password" type="password"
     autocomplete="current-password" required></label></p>
  <p><button>登录 Sign in</button></p>
</form>"""
_SIGNED_IN = """
<p>已登录，有效期 8 小时：Temporal 界面现在可以显示解密后的内容（请刷新该页面）。</p>
<p>Signed in for 8 hours: the Temporal UI now shows payloads decoded (reload its page).</p>
<form method="post" action="/codec/logout"><button>退出 Sign out</button></form>"""
_SIGNED_OUT = "<p>已退出。Signed out.</p>" + _FORM


def _page(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        "<title>ereg · 运维解密登录 Operator sign-in for decoding</title>"
        "<h1>运维解密登录 · Operator sign-in for decoding</h1>" + body,
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/login")
async def login_page() -> HTMLResponse:
    return _page(_FORM)


@router.post("/session")
async def sign_in(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """Operators only; anyone else is refused as at the API, with the message on the page."""
    try:
        account = await authenticate(
            session, settings, form.username, form.password, client_address(request)
        )
        if account.role != Role.OPERATOR:
            raise DomainError("forbidden")
    except DomainError as error:
        message = escape(error.message(language(request)))
        return _page(f'<p role="alert">{message}</p>{_FORM}', error.status)
    await audit.record(session, "codec_sign_in", actor_id=account.id, actor_role=account.role)
    page = _page(_SIGNED_IN)
    page.set_cookie(
        COOKIE,
        tokens.issue_codec_session(settings, account),
        max_age=int(tokens.CODEC_SESSION.total_seconds()),
        path="/codec",
        secure=True,  # browsers keep a Secure cookie from http://localhost too
        httponly=True,
        samesite="strict",  # the UI and the API are one site: it goes with the UI's calls
    )
    return page


@router.post("/logout")
async def sign_out() -> HTMLResponse:
    page = _page(_SIGNED_OUT)
    page.delete_cookie(COOKIE, path="/codec", secure=True, httponly=True, samesite="strict")
    return page
