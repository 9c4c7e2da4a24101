"""Brute force, tokens and the audit trail, over HTTP against the running stack."""

import asyncio

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from registry.db import session_scope
from registry.seed import DEMO_PASSWORD
from starter.api.main import create_app
from tests.e2e.test_activation import person, qualified_signup, verify


async def login(api, username: str, password: str) -> httpx.Response:
    return await api.post("/api/v1/token", data={"username": username, "password": password})


async def test_five_wrong_passwords_lock_the_username(stack, faker, tmp_path):
    who = person(faker)
    await qualified_signup(stack, tmp_path, who)
    for _ in range(5):
        assert (await login(stack.api, who["username"], "Wrong-pass-1")).status_code == 401
    locked = await login(stack.api, who["username"], who["password"])
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited"
    assert 800 < int(locked.headers["Retry-After"]) <= 901
    assert (await login(stack.api, "staff_anji", DEMO_PASSWORD)).status_code == 200


async def test_a_login_replaces_a_hash_made_with_older_parameters(stack, faker, tmp_path):
    who = person(faker)
    account_id, _ = await qualified_signup(stack, tmp_path, who)
    older = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(who["password"])
    async with session_scope(stack.settings.database_url) as session:
        await session.execute(
            text("UPDATE accounts SET password_hash = :h WHERE id = :id"),
            {"h": older, "id": account_id},
        )
    assert (await login(stack.api, who["username"], who["password"])).status_code == 200
    async with session_scope(stack.settings.database_url) as session:
        stored = await session.scalar(
            text("SELECT password_hash FROM accounts WHERE id = :id"), {"id": account_id}
        )
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert (await login(stack.api, who["username"], who["password"])).status_code == 200


async def test_each_client_address_has_a_budget(stack):
    app = create_app(
        stack.settings.model_copy(update={"rate_limit_per_address": True}), stack.client
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as api:
        statuses = [(await login(api, f"nobody{i}", "x")).status_code for i in range(31)]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429


async def test_refresh_tokens_rotate_and_a_reused_one_revokes_all(stack, faker, tmp_path):
    # An account of its own: revoking ends every token of it, also those other tests keep.
    who = person(faker)
    await qualified_signup(stack, tmp_path, who)
    first = (await login(stack.api, who["username"], who["password"])).json()
    assert first["expires_in"] == stack.settings.access_token_minutes * 60
    refreshed = await stack.api.post(
        "/api/v1/token/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert refreshed.status_code == 200
    second = refreshed.json()
    me = await stack.api.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert me.json()["username"] == who["username"]

    reused = await stack.api.post(
        "/api/v1/token/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert (reused.status_code, reused.json()["code"]) == (401, "token_invalid")
    revoked = await stack.api.post(
        "/api/v1/token/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert revoked.status_code == 401, "a reused token revokes every token of the account"
    ended = await stack.api.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert (ended.status_code, ended.json()["code"]) == (401, "token_invalid")


async def test_tokens_are_not_interchangeable(stack):
    pair = (await login(stack.api, "staff_wugang", DEMO_PASSWORD)).json()
    as_access = await stack.api.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {pair['refresh_token']}"}
    )
    assert as_access.status_code == 401
    as_refresh = await stack.api.post(
        "/api/v1/token/refresh", json={"refresh_token": pair["access_token"]}
    )
    assert as_refresh.status_code == 401


async def test_operators_read_the_audit_trail(stack, faker, tmp_path):
    who = person(faker, "H4305810001")  # auto-activation
    account_id, headers = await qualified_signup(stack, tmp_path, who)
    await verify(stack, headers, who)
    operator = await stack.login("operator", DEMO_PASSWORD)
    for _ in range(100):
        trail = (
            await stack.api.get("/api/v1/audit", params={"physician": account_id}, headers=operator)
        ).json()
        if any(e["action"] == "activation_active" for e in trail):
            break
        await asyncio.sleep(0.05)
    actions = [e["action"] for e in reversed(trail)]
    assert actions == ["signup", "activation_awaiting_verification", "activation_active"]
    assert all(e["institution_code"] == "H4305810001" for e in trail)
    assert who["name"] not in str(trail) and who["id_number"] not in str(trail)

    forbidden = await stack.api.get("/api/v1/audit", headers=headers)
    assert forbidden.status_code == 403


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
)
async def test_the_database_refuses_to_change_the_audit_trail(stack, statement):
    with pytest.raises(Exception, match="append-only"):
        async with session_scope(stack.settings.database_url) as session:
            await session.execute(text(statement))


async def test_guessing_the_current_password_is_limited_and_changes_are_audited(
    stack, faker, tmp_path
):
    who = person(faker)
    account_id, headers = await qualified_signup(stack, tmp_path, who)
    changed = await stack.api.patch(
        "/api/v1/me/security",
        headers=headers,
        json={"current_password": who["password"], "new_password": "Another-pass-2026"},
    )
    assert changed.status_code == 200, changed.text
    ended = await stack.api.get("/api/v1/me", headers=headers)
    assert (ended.status_code, ended.json()["code"]) == (401, "token_invalid")
    headers = await stack.login(who["username"], "Another-pass-2026")
    for _ in range(5):
        wrong = await stack.api.patch(
            "/api/v1/me/security",
            headers=headers,
            json={"current_password": "Guess-1234", "new_password": "Another-pass-2027"},
        )
        assert wrong.json()["code"] == "current_password_wrong"
    blocked = await stack.api.patch(
        "/api/v1/me/security",
        headers=headers,
        json={"current_password": "Another-pass-2026", "new_password": "Another-pass-2027"},
    )
    assert (blocked.status_code, blocked.json()["code"]) == (429, "rate_limited")

    operator = await stack.login("operator", DEMO_PASSWORD)
    trail = (
        await stack.api.get("/api/v1/audit", params={"physician": account_id}, headers=operator)
    ).json()
    assert "password_changed" in [event["action"] for event in trail]


async def _reset_workflows(stack) -> set[str]:
    query = 'WorkflowType = "ContactMessageWorkflow" AND WorkflowId STARTS_WITH "password-reset-"'
    return {w.id async for w in stack.client.list_workflows(query)}


async def test_a_reset_request_does_the_same_work_whoever_asks(stack, faker, tmp_path):
    # Issue #19: the API looked the username up and issued the code itself, so a known username
    # took 24–49 ms and an unknown one 9–21 ms. Now each request starts one delivery workflow
    # (a random id, no username in it), and the worker decides whether there is a code to send.
    who = person(faker)
    await qualified_signup(stack, tmp_path, who)
    before = await _reset_workflows(stack)
    seen = len(await stack.messages(who["phone"]))
    answers = []
    for username in (who["username"], f"nobody{who['username']}"):
        answers.append(
            await stack.api.post(
                "/api/v1/password-reset/request", json={"username": username, "channel": "sms"}
            )
        )
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    for _ in range(100):  # the dev server's list is eventually consistent
        started = await _reset_workflows(stack) - before
        if len(started) == 2:
            break
        await asyncio.sleep(0.1)
    assert len(started) == 2
    assert all(who["username"] not in workflow_id for workflow_id in started)
    assert await stack.next_code(who["phone"], seen)  # the known one gets its code, by the worker


async def test_a_sign_up_with_a_taken_id_number_tells_its_owner(stack, faker, tmp_path):
    owner = person(faker)
    await qualified_signup(stack, tmp_path, owner)
    seen = len(await stack.messages(owner["phone"]))
    stranger = person(faker) | {"id_number": owner["id_number"], "name": owner["name"]}
    for _ in range(2):
        taken = await stack.api.post("/api/v1/signup", json=stranger)
        assert (taken.status_code, taken.json()["code"]) == (409, "id_number_taken")
    notice = await stack.message_about(owner["phone"], "有人使用您的身份证号码申请注册新账户")
    assert stranger["phone"] not in notice["body"] and stranger["username"] not in notice["body"]
    await stack.message_about(owner["email"], "Someone tried to sign up with your ID number")
    assert await stack.messages(stranger["phone"]) == []  # the caller is told nothing more
    await asyncio.sleep(1)  # time for a second notice, were there one
    told = [m for m in await stack.messages(owner["phone"]) if "身份证号码申请注册" in m["body"]]
    assert len(told) == 1 and len(await stack.messages(owner["phone"])) == seen + 1
