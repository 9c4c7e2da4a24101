"""Claimed work through the API: two clerks, one claim; the administrator reassigns."""

import random

import pytest

from registry.db import session_scope
from registry.seed import DEMO_PASSWORD
from registry.staff import create_staff
from tests.e2e.people import HUNAN, STAFF, application, decide, desk
from tests.e2e.test_bulk import awaiting_institution, bulk

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def colleague(stack, role: str = "institution_staff") -> tuple[int, dict]:
    """A further staff account at HUNAN (or its administrator), logged in."""
    username = f"{role[:5]}{random.randrange(10**8)}"
    async with session_scope(stack.settings.database_url) as session:
        account_id = await create_staff(session, role, username, DEMO_PASSWORD, HUNAN, None)
    return account_id, await stack.login(username, DEMO_PASSWORD)


async def claim(stack, headers, no: str, **body):
    return await stack.api.post(f"/api/v1/applications/{no}/claim", headers=headers, json=body)


async def test_two_clerks_one_claim_then_reassigned_by_the_administrator(stack, faker):
    [no] = await awaiting_institution(stack, faker, 1)
    clerk = await desk(stack, STAFF[HUNAN])
    other_id, other = await colleague(stack)
    _, admin = await colleague(stack, "institution_admin")

    held = await claim(stack, clerk, no)
    assert held.status_code == 200, held.text
    assert held.json()["holder"] == STAFF[HUNAN]
    seen = (await stack.api.get(f"/api/v1/applications/{no}/claim", headers=other)).json()
    assert (seen["holder"], seen["since"]) == (STAFF[HUNAN], held.json()["since"])

    refused = await claim(stack, other, no)
    assert (refused.status_code, refused.json()["code"]) == (409, "claimed_by_other")
    decided = await decide(stack, other, no, "institution-decision", decision="approve")
    assert (decided.status_code, decided.json()["code"]) == (409, "claimed_by_other")
    outcome = (await bulk(stack, other, "institution", [no], "approve"))["items"][0]
    assert (outcome["outcome"], outcome["code"]) == ("refused", "claimed_by_other")
    not_theirs = await claim(stack, other, no, action="reassign", to_account_id=other_id)
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (403, "not_supervisor")

    moved = await claim(stack, admin, no, action="reassign", to_account_id=other_id)
    assert moved.status_code == 200, moved.text
    assert moved.json()["holder_id"] == other_id
    mine = await decide(stack, other, no, "institution-decision", decision="approve")
    assert mine.status_code == 200, mine.text
    assert (await application(stack, clerk, no))["state"] == "awaiting_documents"
    after = (await stack.api.get(f"/api/v1/applications/{no}/claim", headers=clerk)).json()
    assert after["holder"] is None  # the step is taken: the claim ended with it


async def test_only_staff_of_the_step_may_claim(stack, faker):
    [no] = await awaiting_institution(stack, faker, 1)
    officer = await desk(stack, "officer_hunan")
    at_commission = await claim(stack, officer, no)
    assert (at_commission.status_code, at_commission.json()["code"]) == (403, "wrong_institution")
    elsewhere = await claim(stack, await desk(stack, "staff_anji"), no)
    assert elsewhere.status_code == 404
