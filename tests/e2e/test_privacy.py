"""Personal data stays out of Temporal, logs and errors; operators decode through the codec.

After a real run (activation and an application), the Temporal CLI's own view of the
workflows, their IDs, search attributes and current details, and every log line of the test
session hold no name, resident ID number, phone, email or code in plain text.
"""

import base64
import json
import re
import subprocess
import uuid

import httpx
from sqlalchemy import func, select

from infra.temporal import activation_workflow_id, application_workflow_id
from registry import tokens
from registry.db import session_scope
from registry.models import Account, AuditEvent
from registry.staff import create_staff
from starter.api.main import create_app
from starter.api.routes.codec_login import COOKIE
from starter.dev import temporal_cli
from tests.e2e.test_activation import HUNAN, person, qualified_signup, verify

DEMO = "demo2026"


async def activate_and_file(stack, faker, tmp_path) -> tuple[dict, int, str, list[str]]:
    """A physician activated by code who files a registration; returns what was delivered."""
    who = person(faker)
    account_id, headers = await qualified_signup(stack, tmp_path, who)
    await verify(stack, headers, who)
    staff = await stack.login("staff_hunan", DEMO)
    await stack.api.post(f"/api/v1/institution/activations/{account_id}/code", headers=staff)
    code = await stack.next_code(who["email"], 0)
    assert (
        await stack.api.post("/api/v1/me/activation", headers=headers, json={"code": code})
    ).status_code == 200
    filed = await stack.api.post(
        "/api/v1/applications",
        headers=headers,
        json={
            "type": "registration",
            "institution_code": HUNAN,
            "category": "clinical",
            "scope": "内科",
        },
    )
    assert filed.status_code == 201, filed.text
    number = filed.json()["application_no"]
    await stack.api.post(
        f"/api/v1/applications/{number}/institution-decision",
        headers=staff,
        json={"decision": "approve", "comment": "已核对"},
    )
    codes = [
        m
        for msg in await stack.messages(who["phone"]) + await stack.messages(who["email"])
        for m in re.findall(r"\b\d{6}\b", msg["body"])
    ]
    return who, account_id, number, codes


def temporal(stack, *args: str) -> str:
    done = subprocess.run(
        [
            temporal_cli(),
            *args,
            "--address",
            stack.settings.temporal_address,
            "--namespace",
            stack.settings.temporal_namespace,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def assert_no_personal_data(text: str, who: dict, codes: list[str]) -> None:
    for value in (who["name"], who["id_number"], who["phone"], who["email"], *codes):
        assert value not in text, f"{value!r} leaked"


async def test_temporal_sees_no_personal_data(stack, faker, tmp_path, recorded_logs):
    who, account_id, number, codes = await activate_and_file(stack, faker, tmp_path)
    for workflow_id in (activation_workflow_id(account_id), application_workflow_id(number)):
        shown = temporal(stack, "workflow", "show", "-w", workflow_id, "--output", "json")
        described = temporal(stack, "workflow", "describe", "-w", workflow_id, "--output", "json")
        assert json.loads(shown)["events"], "the CLI read the history"
        assert_no_personal_data(shown + described, who, codes)
        assert "binary/encrypted" in shown or "YmluYXJ5L2VuY3J5cHRlZA" in shown

    listed = temporal(stack, "workflow", "list", "--output", "json")
    assert_no_personal_data(listed, who, codes)
    assert_no_personal_data("\n".join(recorded_logs.lines), who, codes)


def started_input(stack, account_id: int) -> dict:
    """The encrypted input of an activation, as the UI reads it from the history."""
    history = json.loads(
        temporal(
            stack, "workflow", "show", "-w", activation_workflow_id(account_id), "--output", "json"
        )
    )
    return history["events"][0]["workflowExecutionStartedEventAttributes"]["input"]


def plain(decoded: httpx.Response) -> dict:
    [payload] = decoded.json()["payloads"]
    return json.loads(base64.b64decode(payload["data"]))


async def test_codec_endpoint_decodes_for_the_ui(stack, faker, tmp_path):
    who, account_id, _, _ = await activate_and_file(stack, faker, tmp_path)
    started = started_input(stack, account_id)
    ui = f"http://127.0.0.1:{stack.settings.temporal_ui_port}"  # the dev server's UI
    response = await stack.api.post("/codec/decode", json=started, headers={"Origin": ui})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ui
    assert plain(response)["account_id"] == account_id

    encoded = await stack.api.post("/codec/encode", json=response.json())
    again = await stack.api.post("/codec/decode", json=encoded.json())
    assert again.json() == response.json()


async def test_codec_endpoint_needs_an_operator_outside_dev_mode(stack):
    production = create_app(stack.settings.model_copy(update={"dev_mode": False}), stack.client)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=production), base_url="http://api"
    ) as api:
        body = {"payloads": []}
        assert (await api.post("/codec/decode", json=body)).status_code == 401
        for username, status in (("staff_hunan", 403), ("operator", 200)):
            token = (
                await api.post("/api/v1/token", data={"username": username, "password": DEMO})
            ).json()
            response = await api.post(
                "/codec/decode",
                json=body,
                headers={"Authorization": f"Bearer {token['access_token']}"},
            )
            assert response.status_code == status
        assert (await api.get("/api/v1/dev/messages", params={"to": "x"})).status_code == 404


async def test_security_headers_and_restricted_cors(stack):
    response = await stack.api.get("/healthz", headers={"Origin": "https://evil.example"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "access-control-allow-origin" not in response.headers


async def test_an_operator_signs_in_once_and_the_ui_decodes_with_the_cookie(stack, faker, tmp_path):
    _, account_id, _, _ = await activate_and_file(stack, faker, tmp_path)
    started = started_input(stack, account_id)
    username, password = f"ops{uuid.uuid4().hex[:8]}", "Ops-pass-2026"
    async with session_scope(stack.settings.database_url) as session:
        operator_id = await create_staff(session, "operator", username, password, None, None)
    ui = "http://localhost:8080"
    settings = stack.settings.model_copy(update={"dev_mode": False, "cors_origins": [ui]})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, stack.client)),
        base_url="https://api.example",
    ) as api:
        page = await api.get("/codec/login")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'action="/codec/session"' in page.text

        for form, english, status, message in (
            ({"username": username, "password": "Wrong-pass-1"}, False, 401, "用户名或密码不正确"),
            ({"username": username, "password": "Wrong-pass-1"}, True, 401, "Wrong username"),
            ({"username": "staff_hunan", "password": DEMO}, False, 403, "您无权进行此操作"),
        ):
            headers = {"Accept-Language": "en"} if english else {}
            refused = await api.post("/codec/session", data=form, headers=headers)
            assert (refused.status_code, "set-cookie" in refused.headers) == (status, False)
            assert message in refused.text and 'action="/codec/session"' in refused.text

        signed_in = await api.post(
            "/codec/session", data={"username": username, "password": password}
        )
        assert signed_in.status_code == 200 and "8 hours" in signed_in.text
        cookie = signed_in.headers["set-cookie"]
        for attribute in ("HttpOnly", "Max-Age=28800", "Path=/codec", "SameSite=strict", "Secure"):
            assert attribute in cookie
        session_token = signed_in.cookies[COOKIE]
        api.cookies.clear()

        # The UI's call, from the operator's browser: its origin, the cookie, no token.
        async def decode(token: str | None) -> httpx.Response:
            headers = {"Origin": ui} | ({"Cookie": f"{COOKIE}={token}"} if token else {})
            return await api.post("/codec/decode", json=started, headers=headers)

        decoded = await decode(session_token)
        assert decoded.status_code == 200, decoded.text
        assert decoded.headers["access-control-allow-origin"] == ui
        assert decoded.headers["access-control-allow-credentials"] == "true"
        assert plain(decoded)["account_id"] == account_id
        assert (await decode(None)).status_code == 401
        # Good at /codec only: not an access token.
        bearer = {"Authorization": f"Bearer {session_token}"}
        assert (await api.get("/api/v1/me", headers=bearer)).status_code == 401

        out = await api.post("/codec/logout")
        assert out.status_code == 200 and "Max-Age=0" in out.headers["set-cookie"]
        async with session_scope(stack.settings.database_url) as session:
            operator = await session.get(Account, operator_id)
            assert (
                await session.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.actor_id == operator_id, AuditEvent.action == "codec_sign_in")
                )
                == 1
            )
            await tokens.revoke_all(session, operator)  # as a new password does
        refused = await decode(session_token)
        assert (refused.status_code, refused.json()["code"]) == (401, "token_invalid")
