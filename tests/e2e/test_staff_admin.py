"""Staff administration through the API: the operator invites an institution's administrator,
who invites, deactivates and resets the institution's staff — no CLI."""

import asyncio
import random

import pytest
from sqlalchemy import select

from registry.db import session_scope
from registry.models import AuditEvent
from tests.e2e.people import HUNAN, desk

pytestmark = pytest.mark.asyncio(loop_scope="session")
PASSWORD = "Chosen-2026"


async def accepted(stack, username: str, channel: str, to: str, seen: int = 0) -> dict:
    """The invitee sets their password with the code sent to them, then signs in."""
    code = await stack.next_code(to, seen)
    response = await stack.api.post(
        "/api/v1/password-reset/confirm",
        json={"username": username, "channel": channel, "code": code, "new_password": PASSWORD},
    )
    assert response.status_code == 200, response.text
    return await stack.login(username, PASSWORD)


async def invited(stack, headers, role: str, **extra) -> tuple[dict, str]:
    username = f"{role[:4]}{random.randrange(10**8)}"
    response = await stack.api.post(
        "/api/v1/staff", headers=headers, json={"username": username, "role": role, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json(), username


async def test_an_administrator_manages_the_institutions_staff(stack):
    operator = await desk(stack, "operator")
    phone = f"138{random.randrange(10**8):08d}"
    admin_out, admin_name = await invited(
        stack, operator, "institution_admin", phone=phone, institution_code=HUNAN
    )
    assert admin_out["phone"].endswith(phone[-4:]) and phone not in str(admin_out)
    admin = await accepted(stack, admin_name, "sms", phone)

    email = f"clerk{random.randrange(10**8)}@example.com"
    clerk_out, clerk_name = await invited(stack, admin, "institution_staff", email=email)
    assert clerk_out["institution_code"] == HUNAN
    clerk_id = clerk_out["account_id"]
    clerk = await accepted(stack, clerk_name, "email", email)
    assert (await stack.api.get("/api/v1/institution/inbox", headers=clerk)).status_code == 200
    listed = await stack.api.get("/api/v1/staff", headers=admin)
    assert clerk_name in [s["username"] for s in listed.json()]
    assert "staff_anji" not in [s["username"] for s in listed.json()]

    gone = await stack.api.post(
        f"/api/v1/staff/{clerk_out['account_id']}/deactivate", headers=admin
    )
    assert gone.status_code == 200 and gone.json()["active"] is False
    # Its sessions end at once, and it cannot sign in again or ask for a code.
    assert (await stack.api.get("/api/v1/institution/inbox", headers=clerk)).status_code == 401
    login = await stack.api.post(
        "/api/v1/token", data={"username": clerk_name, "password": PASSWORD}
    )
    assert (login.status_code, login.json()["code"]) == (403, "account_deactivated")
    seen = len(await stack.messages(email))
    await stack.api.post(
        "/api/v1/password-reset/request", json={"username": clerk_name, "channel": "email"}
    )
    await asyncio.sleep(2)  # the request's workflow ran: it sent nothing
    assert len(await stack.messages(email)) == seen

    back = await stack.api.post(f"/api/v1/staff/{clerk_id}/reset", headers=admin)
    assert back.status_code == 200 and back.json()["active"] is True
    await accepted(stack, clerk_name, "email", email, seen)  # the reset's code

    async with session_scope(stack.settings.database_url) as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.detail["account_id"].as_integer() == clerk_out["account_id"])
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["staff_invited", "staff_deactivated", "staff_reset"]


async def test_each_administers_only_their_own(stack):
    operator = await desk(stack, "operator")
    phone = f"137{random.randrange(10**8):08d}"
    _, admin_name = await invited(
        stack, operator, "institution_admin", phone=phone, institution_code=HUNAN
    )
    admin = await accepted(stack, admin_name, "sms", phone)
    officer = await stack.api.post(
        "/api/v1/staff",
        headers=admin,
        json={"username": "notmine1", "role": "commission_officer", "phone": phone},
    )
    assert (officer.status_code, officer.json()["code"]) == (403, "staff_role_not_yours")
    anji = next(
        s
        for s in (await stack.api.get("/api/v1/staff", headers=operator)).json()
        if s["role"] == "institution_admin"
    )
    assert anji  # the operator sees administrators
    staff_anji = await stack.api.get("/api/v1/staff", headers=await desk(stack, "staff_anji"))
    assert staff_anji.status_code == 403
    no_contact = await stack.api.post(
        "/api/v1/staff", headers=admin, json={"username": "nocontact1", "role": "institution_staff"}
    )
    assert no_contact.json()["code"] == "staff_contact_required"
