"""The portal's security over HTTP (no browser needed): headers, cookies, CSRF, sessions and the
login limits it shares with the API."""

import re

import httpx
from sqlalchemy import func, select

from registry.db import session_scope
from registry.models import AuditEvent, WebSession
from tests.e2e.people import WUGANG, decided, desk, filed, new_physician

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def portal(stack) -> httpx.AsyncClient:
    """A browser-like client of its own (cookies), sending this site's Origin."""
    base = str(stack.api.base_url).rstrip("/")
    return httpx.AsyncClient(base_url=base, headers={"Origin": base}, timeout=30)


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def sign_in(client, username: str, password: str) -> httpx.Response:
    token = token_of((await client.get("/login")).text)
    return await client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


async def test_pages_and_the_api_keep_their_own_policies(stack):
    page = await stack.api.get("/login")
    assert page.headers["content-security-policy"] == PAGE_CSP
    assert (
        "<script>" not in page.text
        and " style=" not in page.text
        and " on"
        not in re.sub(r"\s(one|only)", "", page.text.split("<body", 1)[1]).replace(" one-time", "")
    )
    api = await stack.api.get("/api/v1/application-types")
    assert api.headers["content-security-policy"].startswith("default-src 'none'")
    docs = await stack.api.get("/docs")
    assert docs.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in docs.text
    assert (await stack.api.get("/docs/assets/swagger-ui-bundle.js")).status_code == 200


async def test_a_form_without_its_token_or_from_elsewhere_is_refused_with_a_page(stack, faker):
    doc = await new_physician(stack, faker)
    async with portal(stack) as client:
        token = token_of((await client.get("/login")).text)
        form = {"username": doc.who["username"], "password": doc.who["password"]}
        missing = await client.post("/login", data=form)
        assert missing.status_code == 403 and "安全令牌" in missing.text
        elsewhere = await client.post(
            "/login", data=form | {"csrf_token": token}, headers={"Origin": "https://evil.example"}
        )
        assert elsewhere.status_code == 403 and "不是从本系统的页面提交的" in elsewhere.text
        english = await client.post("/login", data=form, headers={"Accept-Language": "en"})
        assert "security token" in english.text
        assert (await client.get("/me")).status_code == 303  # still signed out


async def test_session_cookie_logout_and_a_new_password_end_sessions(stack, faker):
    doc = await new_physician(stack, faker)
    async with portal(stack) as first, portal(stack) as second:
        signed = await sign_in(first, doc.who["username"], doc.who["password"])
        assert signed.status_code == 303 and signed.headers["location"] == "/me"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert (await first.get("/me")).status_code == 200
        await sign_in(second, doc.who["username"], doc.who["password"])
        page = await second.get("/me/security")
        changed = await second.post(
            "/me/security/password",
            data={
                "current_password": doc.who["password"],
                "new_password": "Another-2027",
                "csrf_token": token_of(page.text),
            },
        )
        assert changed.headers["location"] == "/login?done=password"
        assert (await first.get("/me")).status_code == 303  # the other session ended too
        assert (await second.get("/me")).status_code == 303
        await sign_in(first, doc.who["username"], "Another-2027")
        home = await first.get("/me")
        out = await first.post("/logout", data={"csrf_token": token_of(home.text)})
        assert out.headers["location"] == "/login?done=logout"
        assert (await first.get("/me")).status_code == 303
    async with session_scope(stack.settings.database_url) as session:
        left = await session.scalar(
            select(func.count())
            .select_from(WebSession)
            .where(WebSession.account_id == doc.account_id)
        )
        actions = set(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.actor_id == doc.account_id)
            )
        )
    assert left <= 1  # the ended ones go when next seen; the logged-out one at once
    assert {"web_sign_in", "web_sign_out"} <= actions


async def test_the_login_page_and_the_api_share_the_lockout(stack, faker):
    doc = await new_physician(stack, faker)
    async with portal(stack) as client:
        for _ in range(5):
            wrong = await sign_in(client, doc.who["username"], "wrong-password-9")
            assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
        locked = await sign_in(client, doc.who["username"], doc.who["password"])
        assert locked.status_code == 429 and "操作过于频繁" in locked.text
    api = await stack.api.post(
        "/api/v1/token", data={"username": doc.who["username"], "password": doc.who["password"]}
    )
    assert (api.status_code, api.json()["code"]) == (429, "rate_limited")


async def test_no_personal_data_in_the_portal_urls(stack, faker):
    """Pages link by codes and numbers only: an ID number or a phone never reaches a URL."""
    doc = await new_physician(stack, faker)
    async with portal(stack) as client:
        await sign_in(client, doc.who["username"], doc.who["password"])
        for path in ("/me", "/me/info", "/me/applications/new?type=registration"):
            html = (await client.get(path)).text
            urls = re.findall(r'(?:href|action|src|hx-get)="([^"]+)"', html)
            for url in urls:
                assert doc.id_number not in url and doc.phone not in url, url


async def test_what_the_physician_just_did_is_said_until_someone_else_acts(stack, faker):
    """The link after filing keeps ``?done=filed``; opened again after the institution has
    approved, the page must not still say the application was just submitted."""
    doc = await new_physician(stack, faker)
    no = await filed(
        stack,
        doc.headers,
        "registration",
        institution_code=WUGANG,
        category="clinical",
        scope="内科",
    )
    async with portal(stack) as client:
        await sign_in(client, doc.who["username"], doc.who["password"])
        assert "申请已提交" in (await client.get(f"/me/applications/{no}?done=filed")).text
        await decided(
            stack,
            await desk(stack, "staff_wugang"),
            no,
            "institution-decision",
            "awaiting_documents",
            decision="approve",
        )
        later = (await client.get(f"/me/applications/{no}?done=filed")).text
        assert "申请已提交" not in later and "待现场提交纸质材料" in later
