"""Holding up under abuse (issue #19): bursts of parallel requests against the limits, as an
attacker would send them — the API in process on its real database (SQLite, or PostgreSQL with
``EREG_TEST_DATABASE=postgresql``), every request of a burst started together
(``asyncio.gather``) so that they overlap in the database."""

import asyncio
import json
import re

import httpx
import pytest

from registry import ratelimit, text
from registry.db import session_scope
from registry.seed import DEMO_PASSWORD
from starter.api.main import create_app
from tests.e2e.test_activation import person

STAFF = "staff_hunan"  # a demo login


# What these requests do never reaches Temporal: the app is given a client it will not call
# (httpx's in-process transport runs no lifespan, which would connect one).
NOT_CALLED = object()


@pytest.fixture
async def api(settings):
    app = create_app(settings)
    app.state.temporal = NOT_CALLED
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ereg") as client:
        yield client


async def login(api: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await api.post("/api/v1/token", data={"username": username, "password": password})


async def test_a_burst_of_wrong_passwords_locks_the_username(api, settings):
    burst = await asyncio.gather(*(login(api, STAFF, f"Wrong-pass-{i}") for i in range(20)))
    statuses = sorted(response.status_code for response in burst)
    assert statuses == [401] * 5 + [429] * 15  # five tries were checked, no more
    right = await login(api, STAFF, DEMO_PASSWORD)
    assert (right.status_code, right.json()["code"]) == (429, "rate_limited")
    assert 800 < int(right.headers["Retry-After"]) <= 901
    async with session_scope(settings.database_url) as session:
        counted = await ratelimit.attempts_of(session, ratelimit.LOGIN_FAILURES_PER_USERNAME, STAFF)
    assert counted == 21  # every try counted, none lost


async def test_a_refresh_token_sent_twice_at_once_works_once_and_revokes_the_family(api):
    pair = (await login(api, STAFF, DEMO_PASSWORD)).json()
    body = {"refresh_token": pair["refresh_token"]}
    both = await asyncio.gather(*(api.post("/api/v1/token/refresh", json=body) for _ in range(2)))
    assert sorted(response.status_code for response in both) == [200, 401]
    winner = next(response.json() for response in both if response.status_code == 200)
    again = await api.post("/api/v1/token/refresh", json={"refresh_token": winner["refresh_token"]})
    assert (again.status_code, again.json()["code"]) == (401, "token_invalid")
    me = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {winner['access_token']}"})
    assert (me.status_code, me.json()["code"]) == (401, "token_invalid")


# --- bodies too large (outcome 5) ------------------------------------------------------------


class Endless(httpx.AsyncByteStream):
    """A chunked body (no Content-Length) of ``total`` bytes; records how much was read."""

    def __init__(self, total: int, chunk: bytes = b"[" + b"0," * 32767) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    async def __aiter__(self):
        while self.sent < self.total:
            self.sent += len(self.chunk)
            yield self.chunk


async def test_a_body_over_the_limit_is_refused_before_it_is_read(api, settings):
    huge = b'{"username": "' + b"a" * (settings.max_body_bytes + 1) + b'"}'
    declared = await api.post(
        "/api/v1/signup", content=huge, headers={"Content-Type": "application/json"}
    )
    assert (declared.status_code, declared.json()["code"]) == (413, "body_too_large")
    assert (
        declared.json()["message"]
        == f"提交的内容过大（上限{settings.max_body_bytes // 1024}KB），请精简后再试。"
    )
    assert declared.headers["X-Content-Type-Options"] == "nosniff"

    stream = Endless(200 * 1024 * 1024)
    chunked = await api.post(
        "/api/v1/signup",
        content=stream,
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert (chunked.status_code, chunked.json()["code"]) == (413, "body_too_large")
    assert chunked.json()["message"].startswith("The request is too large")
    assert stream.sent < settings.max_body_bytes + 2 * len(stream.chunk)  # stopped early


async def test_a_page_form_over_the_limit_gets_the_portal_page(api, settings):
    form = {"username": "x" * (settings.max_body_bytes + 1), "password": "y"}
    page = await api.post("/login", data=form, headers={"Accept-Language": "en"})
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert "The request is too large" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


async def test_the_codec_takes_the_payloads_temporal_can_hold(api, settings):
    # The UI sends a history's payloads as stored; a 2 MB payload is legal in Temporal.
    body = json.dumps({"payloads": [{"metadata": {}, "data": "A" * (3 * 1024 * 1024)}]})
    decoded = await api.post(
        "/codec/decode", content=body, headers={"Content-Type": "application/json"}
    )
    assert decoded.status_code == 200 and len(body) > settings.max_upload_bytes


# --- the last resort (outcome 9) -------------------------------------------------------------

SECRET_IN_MESSAGE = "13800138000 张伟"


def _failing_app(settings):
    """The app with one API route and one page that fail as a bug would."""
    app = create_app(settings)

    async def boom():
        raise RuntimeError(f"row refused: {SECRET_IN_MESSAGE}")

    app.router.add_api_route("/api/v1/boom", boom)
    app.router.add_api_route("/boom-page", boom)
    return app


async def test_a_500_keeps_the_headers_the_log_line_and_no_message(settings, recorded_logs):
    transport = httpx.ASGITransport(app=_failing_app(settings), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ereg") as client:
        before = len(recorded_logs.lines)
        api = await client.get("/api/v1/boom")
        page = await client.get("/boom-page", headers={"Accept-Language": "en"})
    assert (api.status_code, api.json()["code"]) == (500, "internal_error")
    assert api.json()["message"] == "系统繁忙，请稍后再试。"
    for response in (api, page):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Something went wrong; please try again." in page.text
    logged = "\n".join(recorded_logs.lines[before:])
    assert "GET /api/v1/boom 500" in logged and "GET /boom-page 500" in logged
    assert "unhandled builtins.RuntimeError on GET /api/v1/boom" in logged
    assert "test_abuse.py" in logged  # the frames are there
    assert SECRET_IN_MESSAGE not in logged and "row refused" not in logged


# --- forwarded headers (outcome 6) -----------------------------------------------------------


async def _serve(settings):
    """The app under uvicorn exactly as ``ereg api`` configures it."""
    import uvicorn

    from starter.cli import server_config
    from starter.dev import free_port

    settings = settings.model_copy(
        update={"rate_limit_per_address": True, "api_host": "127.0.0.1", "api_port": free_port()}
    )
    # Logins never reach Temporal: the app is given a client it will not call, not a server.
    app = create_app(settings, temporal=NOT_CALLED)
    server = uvicorn.Server(server_config(app, settings))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    return server, serving, f"http://127.0.0.1:{settings.api_port}"


@pytest.mark.parametrize("trusted", [[], ["10.9.9.9"]], ids=["no proxy", "another proxy"])
async def test_a_spoofed_forwarded_for_does_not_buy_a_new_budget(settings, trusted):
    settings = settings.model_copy(update={"trusted_proxies": trusted})
    server, serving, url = await _serve(settings)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            spent = [(await login(client, f"nobody{i}", "x")).status_code for i in range(31)]
            spoofed = await client.post(
                "/api/v1/token",
                data={"username": "nobody", "password": "x"},
                headers={"X-Forwarded-For": "198.51.100.1"},
            )
    finally:
        server.should_exit = True
        await serving
    assert spent[:30] == [401] * 30 and spent[30] == 429
    assert (spoofed.status_code, spoofed.json()["code"]) == (429, "rate_limited")


async def test_a_trusted_proxy_names_the_client(settings):
    settings = settings.model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    server, serving, url = await _serve(settings)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            first = {"X-Forwarded-For": "198.51.100.1"}
            spent = [
                (await client.post("/api/v1/token", data={"username": f"n{i}", "password": "x"},
                                   headers=first)).status_code
                for i in range(31)
            ]  # fmt: skip
            other = await client.post(
                "/api/v1/token",
                data={"username": "n", "password": "x"},
                headers={"X-Forwarded-For": "198.51.100.2"},
            )
    finally:
        server.should_exit = True
        await serving
    assert spent[30] == 429
    assert other.status_code == 401  # behind the proxy, each client has its own budget


# --- the codec endpoint (outcome 8) ----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"null", b"1e999", b"[" * 100_000, b"{", b'{"payloads": 5}', b'{"payloads": [{"data": 1}]}',
     b'"payloads"', b"\xff\xfe"],
    ids=["null", "1e999", "deep", "cut", "number", "wrong-field", "string", "not-utf8"],
)  # fmt: skip
@pytest.mark.parametrize("operation", ["decode", "encode"])
async def test_the_codec_answers_malformed_bodies_with_400(api, body, operation):
    response = await api.post(
        f"/codec/{operation}", content=body, headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()["code"]) == (400, "codec_body_invalid")
    assert response.json()["message"] == "请求内容应为含 payloads 列表的 JSON 对象。"


# --- text hygiene and errors that do not echo (outcomes 7, 11, 12) ---------------------------

REFUSED = ["\x00", "\x07", "\u202e", "\u200b", "\udfff", "\u2028", "\ufeff"]


@pytest.mark.parametrize("bad", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_control_bidi_zero_width_and_surrogates_are_refused(bad):
    assert not text.is_clean(f"内{bad}科")
    assert not text.is_clean(f"内{bad}科", multiline=True)


def test_ordinary_text_is_untouched():
    for fine in ["内科", "买买提·艾力", "Dr. O'Neil-Smith", "第3病区（东院）", "北京市 海淀区"]:
        assert text.is_clean(fine)
    assert text.is_clean("第一行\n第二行\t缩进", multiline=True)
    assert not text.is_clean("第一行\n第二行")


async def staff_headers(api, username: str = STAFF) -> dict:
    pair = (await login(api, username, DEMO_PASSWORD)).json()
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def test_a_department_name_with_a_lone_surrogate_is_refused_beside_it(api):
    headers = await staff_headers(api)
    for bad in REFUSED:
        body = json.dumps(
            {"departments": ["内科", f"{bad}外科"]}
        )  # ASCII: the lone surrogate escaped
        refused = await api.put(
            "/api/v1/institution/departments",
            content=body,
            headers=headers | {"Content-Type": "application/json"},
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "text_invalid")
        assert refused.json()["detail"] == "departments.1"
        assert bad not in refused.text and "外科" not in refused.text
    listed = await api.get("/api/v1/institution/departments", headers=headers)
    assert all(name.isprintable() for name in (d["name"] for d in listed.json()))


async def test_errors_never_echo_what_was_typed(api, faker):
    who = person(faker)
    typed = await api.post("/api/v1/signup", json=who | {"institution_code": "ab\u0000cd"})
    assert (typed.status_code, typed.json()["code"]) == (422, "text_invalid")
    assert typed.json()["detail"] == "institution_code" and "ab" not in typed.text
    unknown = await api.post("/api/v1/signup", json=who | {"institution_code": "H0000099999"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "institution_not_found")
    assert "H0000099999" not in unknown.text
    assert unknown.json()["message"] == "未找到该医疗机构，请核对机构代码。"


async def test_a_page_form_refuses_a_bidi_override_in_the_readers_language(api):
    form = await api.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    page = await api.post(
        "/login",
        data={"username": "staff\u202ehunan", "password": "x", "csrf_token": token},
        headers={"Accept-Language": "en", "Origin": "http://ereg"},
    )
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "characters that are not allowed" in page.text
    assert "\u202e" not in page.text
