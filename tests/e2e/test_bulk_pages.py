"""Bulk decisions and claims on the workbench pages over HTTP (no browser): the same service
as the API, an outcome per item in words, a claim shown in the inbox and refusing others."""

import random
import re

import pytest

from registry.db import session_scope
from registry.seed import DEMO_PASSWORD
from registry.staff import create_staff
from starter.web.i18n import COOKIE as LANG_COOKIE
from tests.e2e.people import HUNAN, STAFF, application, decided, desk
from tests.e2e.test_bulk import awaiting_institution
from tests.e2e.test_portal import portal, sign_in, token_of
from tests.e2e.test_workbench import desk_portal, text_of

pytestmark = pytest.mark.asyncio(loop_scope="session")

NEWEST = "/institution?kind=application&sort=-since"


async def new_clerk(stack) -> str:
    """A further staff account at HUNAN: its username."""
    username = f"clerk{random.randrange(10**8)}"
    async with session_scope(stack.settings.database_url) as session:
        await create_staff(session, "institution_staff", username, DEMO_PASSWORD, HUNAN, None)
    return username


def outcome_of(html: str, no: str) -> str:
    return re.search(rf'<li data-no="{no}" data-outcome="(\w+)"', html).group(1)


async def test_bulk_approval_on_the_inbox_says_each_items_outcome(stack, faker):
    numbers = await awaiting_institution(stack, faker, 3)
    staff = await desk(stack, STAFF[HUNAN])
    async with desk_portal(stack) as client:
        inbox = await client.get(NEWEST)
        for no in numbers:
            assert f'name="no" value="{no}" form="bulk" aria-label="选择 ' in inbox.text
        await decided(stack, staff, numbers[0], "institution-decision", "awaiting_documents",
                      decision="approve")  # fmt: skip
        form = {"no": numbers, "decision": "approve", "comment": "材料属实",
                "csrf_token": token_of(inbox.text)}  # fmt: skip
        done = await client.post("/institution/decisions", data=form)
        assert done.status_code == 200, done.text
        assert "已办理 2 项，共 3 项" in text_of(done.text)
        assert outcome_of(done.text, numbers[0]) == "already_decided"
        assert [outcome_of(done.text, no) for no in numbers[1:]] == ["done", "done"]
        assert "已由他人办理，未重复办理" in text_of(done.text)
        for no in numbers[1:]:
            assert f'data-ref="{no}"' not in done.text  # the refreshed inbox: gone from it
            assert (await application(stack, staff, no))["state"] == "awaiting_documents"


async def test_bulk_return_needs_the_reason_beside_the_field_and_nothing_ticked_is_said(
    stack, faker
):
    [no] = await awaiting_institution(stack, faker, 1)
    async with desk_portal(stack) as client:
        token = token_of((await client.get(NEWEST)).text)
        empty = await client.post("/institution/decisions", data={"decision": "approve",
                                                                  "csrf_token": token})  # fmt: skip
        assert empty.status_code == 422 and "请先勾选要办理的申请" in text_of(empty.text)
        form = {"no": [no], "decision": "return", "comment": " ", "csrf_token": token}
        refused = await client.post("/institution/decisions", data=form)
        assert refused.status_code == 422
        assert re.search(r'<p class="error" id="e-comment">[^<]+</p>', refused.text)
        assert outcome_of(refused.text, no) == "refused"
        form["comment"] = "请补充学历证明"
        returned = await client.post("/institution/decisions", data=form)
        assert outcome_of(returned.text, no) == "done"
    assert (await application(stack, await desk(stack, STAFF[HUNAN]), no))["state"] == "returned"


async def test_a_claim_is_shown_in_the_inbox_and_refuses_another_clerks_decision(stack, faker):
    [no] = await awaiting_institution(stack, faker, 1)
    async with desk_portal(stack) as holder:
        opened = await holder.get(f"/institution/applications/{no}")
        assert "尚无人认领" in text_of(opened.text)
        form = {"action": "claim", "csrf_token": token_of(opened.text)}
        taken = await holder.post(f"/institution/applications/{no}/claim", data=form)
        assert taken.status_code == 303, taken.text
        after = await holder.get(taken.headers["location"])
        assert f"已由 {STAFF[HUNAN]} 认领" in text_of(after.text) and "释放认领" in after.text
    other_name = await new_clerk(stack)
    async with portal(stack) as other:
        await sign_in(other, other_name, DEMO_PASSWORD)
        inbox = await other.get(NEWEST)
        row = re.search(rf'<tr [^>]*data-ref="{no}">.*?</tr>', inbox.text, re.S).group(0)
        assert f"已由 {STAFF[HUNAN]} 认领，自 " in text_of(row)
        page = await other.get(f"/institution/applications/{no}")
        assert 'value="claim"' not in page.text  # someone else holds it: no claim button
        form = {"decision": "approve", "csrf_token": token_of(page.text)}
        refused = await other.post(f"/institution/applications/{no}", data=form)
        assert refused.status_code == 409
        assert f"已由工作人员（账号 {STAFF[HUNAN]}）认领" in text_of(refused.text)
    assert (await application(stack, await desk(stack, STAFF[HUNAN]), no))["state"] == (
        "awaiting_institution"
    )


async def test_in_english_another_institutions_items_are_not_found_and_stay_as_they_were(
    stack, faker
):
    numbers = await awaiting_institution(stack, faker, 2)
    async with desk_portal(stack, "staff_anji") as elsewhere:
        elsewhere.cookies.set(LANG_COOKIE, "en")
        token = token_of((await elsewhere.get("/institution")).text)
        form = {"no": numbers, "decision": "approve", "csrf_token": token}
        answered = await elsewhere.post("/institution/decisions", data=form)
        assert answered.status_code == 200, answered.text
        said = text_of(answered.text)
        assert "0 of 2 decided:" in said and said.count("Not found or not yours to decide") == 2
    async with desk_portal(stack) as clerk:
        clerk.cookies.set(LANG_COOKIE, "en")
        token = token_of((await clerk.get(NEWEST)).text)
        form = {"no": numbers[:1], "decision": "return", "csrf_token": token}
        refused = await clerk.post("/institution/decisions", data=form)
        assert refused.status_code == 422
        assert '<p class="error" id="e-comment">Give the reason' in refused.text
        assert outcome_of(refused.text, numbers[0]) == "refused"
    staff = await desk(stack, STAFF[HUNAN])
    for no in numbers:
        assert (await application(stack, staff, no))["state"] == "awaiting_institution"
