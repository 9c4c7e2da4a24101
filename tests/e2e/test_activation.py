"""Account activation end to end: HTTP API → Temporal dev server → worker → SQLite and SMTP."""

import asyncio
import csv
import random
from pathlib import Path

import pytest

from infra.temporal import activation_workflow_id
from registry.seed import DEMO_PASSWORD, DEMO_PHYSICIANS
from starter.services.imports import import_qualification_file

HUNAN = "H4301020001"  # auto-activation off, staff_hunan
WUGANG = "H4305810001"  # auto-activation on
ANJI = "H3305230001"  # auto-activation off, staff_anji
EN = {"Accept-Language": "en-US,en;q=0.9"}


def person(faker, institution_code: str | None = HUNAN) -> dict:
    tag = random.randrange(10**9)
    return {
        "username": f"doc{tag}",
        "password": "Secret-2026",
        "name": faker.name(),
        "id_number": faker.ssn(),
        "phone": f"139{random.randrange(10**8):08d}",
        "email": f"doc{tag}@example.com",
        "institution_code": institution_code,
    }


async def import_qualification(stack, tmp_path: Path, who: dict, level="physician") -> int:
    """Import a one-row batch as an operator would; returns the activations signalled."""
    path = tmp_path / f"batch-{who['username']}.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["name", "id_number", "certificate_no", "level", "category", "issued_on"])
        writer.writerow(
            [
                who["name"],
                who["id_number"],
                f"C{random.randrange(10**12)}",
                level,
                "clinical",
                "2026-11-01",
            ]
        )
    report, signalled = await import_qualification_file(path, stack.settings, client=stack.client)
    assert report.inserted == 1 and not report.bad
    return signalled


async def signup(stack, who: dict, status: int = 201) -> dict:
    response = await stack.api.post("/api/v1/signup", json=who)
    assert response.status_code == status, response.text
    return response.json()


async def qualified_signup(stack, tmp_path, who: dict) -> tuple[int, dict]:
    """Sign up a physician whose qualification is already imported; returns id and headers."""
    await import_qualification(stack, tmp_path, who)
    body = await signup(stack, who)
    assert body["activation_state"] == "awaiting_verification"
    return body["account_id"], await stack.login(who["username"], who["password"])


async def me(stack, headers) -> dict:
    response = await stack.api.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def wait_for_state(stack, headers, state: str) -> dict:
    for _ in range(200):
        body = await me(stack, headers)
        if body["activation"]["state"] == state:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"never reached {state}: {body['activation']}")


async def verify(stack, headers, who: dict, channel: str = "sms") -> dict:
    to = who["phone"] if channel == "sms" else who["email"]
    seen = len(await stack.messages(to))
    sent = await stack.api.post(
        "/api/v1/me/verification/send", headers=headers, json={"channel": channel}
    )
    assert sent.status_code == 200, sent.text
    code = await stack.next_code(to, seen)
    response = await stack.api.post(
        "/api/v1/me/verification/confirm", headers=headers, json={"channel": channel, "code": code}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_activation_by_sms_and_institution_code(stack, faker, tmp_path):
    who = person(faker)
    account_id, headers = await qualified_signup(stack, tmp_path, who)

    profile = await me(stack, headers)
    assert profile["name"] == who["name"]
    assert profile["id_number"] == "*" * 14 + who["id_number"][-4:]
    assert profile["phone"] == "*" * 7 + who["phone"][-4:]
    assert who["email"] not in str(profile)
    assert profile["next_step"]["code"] == "verify_phone"
    assert profile["institution"]["code"] == HUNAN

    seen = len(await stack.messages(who["phone"]))
    sent = await stack.api.post(
        "/api/v1/me/verification/send", headers=headers, json={"channel": "sms"}
    )
    assert sent.status_code == 200
    code = await stack.next_code(who["phone"], seen)
    wrong = "000000" if code != "000000" else "111111"
    refused = await stack.api.post(
        "/api/v1/me/verification/confirm",
        headers=headers | EN,
        json={"channel": "sms", "code": wrong},
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "code_incorrect"
    assert refused.json()["attempts_left"] == 4
    assert refused.json()["message"] == "Wrong code; 4 tries left."
    confirmed = await stack.api.post(
        "/api/v1/me/verification/confirm", headers=headers, json={"channel": "sms", "code": code}
    )
    assert confirmed.json() == {"accepted": True, "activation_state": "awaiting_institution"}
    profile = await wait_for_state(stack, headers, "awaiting_institution")
    assert profile["next_step"]["code"] == "ask_institution"

    other_staff = await stack.login("staff_anji", DEMO_PASSWORD)
    foreign = await stack.api.post(
        f"/api/v1/institution/activations/{account_id}/code", headers=other_staff
    )
    assert foreign.status_code == 403 and foreign.json()["code"] == "wrong_institution"

    staff = await stack.login("staff_hunan", DEMO_PASSWORD)
    inbox = (await stack.api.get("/api/v1/institution/inbox", headers=staff)).json()
    entry = next(a for a in inbox["activations"] if a["account_id"] == account_id)
    assert entry["name"] == who["name"][0] + "*" * (len(who["name"]) - 1)
    assert entry["id_number"].endswith(who["id_number"][-4:])
    assert who["id_number"] not in str(inbox)

    seen_mail = len(await stack.messages(who["email"]))
    seen_sms = len(await stack.messages(who["phone"]))
    issued = await stack.api.post(
        f"/api/v1/institution/activations/{account_id}/code", headers=staff
    )
    assert issued.status_code == 200, issued.text
    code = await stack.next_code(who["email"], seen_mail)
    assert await stack.next_code(who["phone"], seen_sms) == code
    assert (await me(stack, headers))["next_step"]["code"] == "enter_activation_code"

    done = await stack.api.post("/api/v1/me/activation", headers=headers, json={"code": code})
    assert done.json() == {"accepted": True, "activation_state": "active"}
    profile = await wait_for_state(stack, headers, "active")
    assert profile["next_step"]["code"] == "none"
    for _ in range(100):  # the 'activated' notice follows the state change
        if "已激活" in (await stack.messages(who["phone"]))[0]["body"]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("no activation notice by SMS")

    reused = await stack.api.post("/api/v1/me/activation", headers=headers, json={"code": code})
    assert reused.status_code == 409
    assert reused.json() == {
        "code": "wrong_state",
        "message": "当前状态（active）不能进行此操作。",
        "state": "active",
    }
    inbox = (await stack.api.get("/api/v1/institution/inbox", headers=staff)).json()
    assert account_id not in [a["account_id"] for a in inbox["activations"]]


async def test_email_verification_with_auto_activation(stack, faker, tmp_path):
    who = person(faker, WUGANG)
    _, headers = await qualified_signup(stack, tmp_path, who)
    assert await verify(stack, headers, who, channel="email") == {
        "accepted": True,
        "activation_state": "active",
    }
    profile = await wait_for_state(stack, headers, "active")
    assert profile["activation"]["verified_channel"] == "email"


async def test_activation_waits_for_the_qualification_import(stack, faker, tmp_path):
    who = person(faker)
    body = await signup(stack, who)
    assert body["activation_state"] == "awaiting_qualification"
    headers = await stack.login(who["username"], who["password"])
    profile = await wait_for_state(stack, headers, "awaiting_qualification")
    assert profile["next_step"]["code"] == "wait_for_qualification"
    assert "无需反复刷新" in profile["next_step"]["message"]

    assert await import_qualification(stack, tmp_path, who) == 1
    profile = await wait_for_state(stack, headers, "awaiting_verification")
    assert profile["qualifications"][0]["level"] == "physician"
    await stack.message_about(who["phone"], "资格信息已到达")  # the notice follows the state
    await stack.message_about(who["email"], "资格信息已到达")


async def test_resend_is_refused_within_a_minute(stack, faker, tmp_path):
    who = person(faker)
    _, headers = await qualified_signup(stack, tmp_path, who)
    first = await stack.api.post(
        "/api/v1/me/verification/send", headers=headers, json={"channel": "sms"}
    )
    assert first.status_code == 200
    again = await stack.api.post(
        "/api/v1/me/verification/send", headers=headers | EN, json={"channel": "sms"}
    )
    assert again.status_code == 429
    assert again.json()["code"] == "resend_too_soon"
    assert 55 <= int(again.headers["Retry-After"]) <= 60
    assert again.json()["message"].startswith("A code was just sent")
    email = await stack.api.post(
        "/api/v1/me/verification/send", headers=headers, json={"channel": "email"}
    )
    assert email.status_code == 200, "the other channel has its own timer"


async def test_signup_without_institution_uses_the_practice_registration(stack):
    registered = next(p for p in DEMO_PHYSICIANS if p.institution_code)
    who = {
        "username": "registered_doctor",
        "password": "Secret-2026",
        "name": registered.name,
        "id_number": registered.id_number,
        "phone": "13912340000",
        "email": "registered@example.com",
    }
    body = await signup(stack, who)
    assert body["activation_state"] == "awaiting_verification"
    profile = await me(stack, await stack.login(who["username"], who["password"]))
    assert profile["institution"]["code"] == registered.institution_code


async def test_signup_needs_an_institution_without_a_registration(stack, faker):
    who = person(faker, institution_code=None)
    response = await stack.api.post("/api/v1/signup", json=who)
    assert response.status_code == 422
    assert response.json()["code"] == "institution_required"


@pytest.mark.parametrize(
    ("field", "value", "status", "code"),
    [
        ("id_number", "430581199001011230", 422, "id_number_invalid"),  # wrong check character
        ("id_number", "43058119990230123X", 422, "id_number_invalid"),  # 30 February
        ("id_number", "12345", 422, "id_number_invalid"),
        ("name", "Zhang San", 422, "name_invalid"),
        ("name", "张三3", 422, "name_invalid"),
        ("phone", "12345", 422, "phone_invalid"),
        ("phone", "010-12345678", 422, "phone_invalid"),
        ("email", "not-an-email", 422, "email_invalid"),
        ("username", "a b", 422, "username_invalid"),
        ("password", "short1", 422, "password_weak"),
        ("password", "onlyletters", 422, "password_weak"),
        ("institution_code", "NOPE", 404, "institution_not_found"),
        ("email", None, 422, "invalid_request"),
    ],
)
async def test_bad_signups_get_a_clear_error(stack, faker, field, value, status, code):
    who = person(faker) | {field: value}
    for headers, lang_check in (({}, "zh"), (EN, "en")):
        response = await stack.api.post("/api/v1/signup", json=who, headers=headers)
        assert response.status_code == status, response.text
        assert response.json()["code"] == code
        message = response.json()["message"]
        has_han = any("\u4e00" <= ch <= "\u9fff" for ch in message)
        assert has_han == (lang_check == "zh"), message
        if field in ("id_number", "name", "phone", "email") and value:
            assert value not in response.text, "personal data is never echoed"


async def test_duplicates_are_refused_and_nothing_is_lost(stack, faker, tmp_path):
    who = person(faker)
    account_id, headers = await qualified_signup(stack, tmp_path, who)
    same_username = person(faker) | {"username": who["username"]}
    response = await stack.api.post("/api/v1/signup", json=same_username)
    assert (response.status_code, response.json()["code"]) == (409, "username_taken")
    same_id = person(faker) | {"id_number": who["id_number"].lower()}
    response = await stack.api.post("/api/v1/signup", json=same_id)
    assert (response.status_code, response.json()["code"]) == (409, "id_number_taken")
    profile = await me(stack, await stack.login(who["username"], who["password"]))
    assert profile["account_id"] == account_id
    assert profile["activation"]["state"] == "awaiting_verification"


async def test_turning_on_auto_activation_activates_those_waiting(stack, faker, tmp_path):
    who = person(faker, ANJI)
    _, headers = await qualified_signup(stack, tmp_path, who)
    assert (await verify(stack, headers, who))["activation_state"] == "awaiting_institution"
    staff = await stack.login("staff_anji", DEMO_PASSWORD)
    try:
        response = await stack.api.put(
            "/api/v1/institution/settings", headers=staff, json={"auto_activate": True}
        )
        assert response.status_code == 200 and response.json()["auto_activate"] is True
        await wait_for_state(stack, headers, "active")
    finally:
        await stack.api.put(
            "/api/v1/institution/settings", headers=staff, json={"auto_activate": False}
        )


async def test_codes_and_personal_data_stay_out_of_workflow_history(stack, faker, tmp_path):
    who = person(faker)
    account_id, headers = await qualified_signup(stack, tmp_path, who)
    await verify(stack, headers, who)
    codes = [m["body"] for m in await stack.messages(who["phone"])]
    history = await stack.client.get_workflow_handle(
        activation_workflow_id(account_id)
    ).fetch_history()
    text = history.to_json()
    import base64
    import re as regex

    decoded = text + "".join(
        base64.b64decode(blob).decode("utf-8", "replace")
        for blob in regex.findall(r'"data":\s*"([A-Za-z0-9+/=]+)"', text)
    )
    for body in codes:
        code = regex.search(r"\d{6}", body)
        if code:
            assert code.group(0) not in decoded
    for value in (who["name"], who["id_number"], who["phone"], who["email"]):
        assert value not in decoded


async def test_authentication_and_roles(stack, faker, tmp_path):
    response = await stack.api.post(
        "/api/v1/token", data={"username": "staff_hunan", "password": "wrong-1234"}
    )
    assert (response.status_code, response.json()["code"]) == (401, "invalid_credentials")
    response = await stack.api.get("/api/v1/me")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    response = await stack.api.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    assert (response.status_code, response.json()["code"]) == (401, "token_invalid")

    who = person(faker)
    account_id, headers = await qualified_signup(stack, tmp_path, who)
    response = await stack.api.get("/api/v1/institution/inbox", headers=headers)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    staff = await stack.login("staff_hunan", DEMO_PASSWORD)
    response = await stack.api.post(
        "/api/v1/me/verification/send", headers=staff, json={"channel": "sms"}
    )
    assert response.status_code == 403
    response = await stack.api.post("/api/v1/institution/activations/999999/code", headers=staff)
    assert response.status_code == 404
    early = await stack.api.post(
        f"/api/v1/institution/activations/{account_id}/code", headers=staff
    )
    assert (early.status_code, early.json()["code"]) == (409, "wrong_state")
    response = await stack.api.post("/api/v1/me/activation", headers=headers, json={"code": "12ab"})
    assert (response.status_code, response.json()["code"]) == (422, "code_format")


async def test_public_institution_list(stack):
    response = await stack.api.get("/api/v1/institutions", params={"division": "430000"})
    assert {i["code"] for i in response.json()} == {HUNAN, WUGANG}
    response = await stack.api.get("/api/v1/institutions", params={"name": "安吉"})
    assert [i["code"] for i in response.json()] == [ANJI]
    assert response.json()[0]["province_name"] == "浙江省"
    response = await stack.api.get("/api/v1/institutions", params={"division": "43"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")


async def test_healthz(stack):
    response = await stack.api.get("/healthz")
    assert response.json() == {"status": "ok"}
