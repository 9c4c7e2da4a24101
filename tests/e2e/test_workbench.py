"""The workbenches over HTTP (no browser): the institution's inbox and decisions, the same
list and the same workflow updates as the JSON API."""

import re
from contextlib import asynccontextmanager
from html import unescape

from sqlalchemy import select

from registry.db import session_scope
from registry.models import AuditEvent
from registry.seed import DEMO_PASSWORD
from tests.e2e.people import HUNAN, STAFF, application, desk, filed, new_physician
from tests.e2e.test_portal import portal, sign_in, token_of


@asynccontextmanager
async def desk_portal(stack, username: str = STAFF[HUNAN], home: str = "/institution"):
    """A staff member or officer signed in to the portal; sign-in lands on their own home."""
    async with portal(stack) as client:
        landed = await sign_in(client, username, DEMO_PASSWORD)
        assert landed.status_code == 303 and landed.headers["location"] == home
        yield client


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def registration_filed(stack, faker, institution_code: str = HUNAN) -> tuple:
    doc = await new_physician(stack, faker, institution_code=institution_code)
    no = await filed(
        stack,
        doc.headers,
        "registration",
        institution_code=institution_code,
        category="clinical",
        scope="内科",
    )
    return doc, no


async def test_the_inbox_lists_what_waits_as_the_api_does_names_masked(stack, faker):
    doc, no = await registration_filed(stack, faker)
    staff = await desk(stack, STAFF[HUNAN])
    api = await stack.api.get(
        "/api/v1/institution/inbox/items",
        params={"kind": "application", "sort": "-since", "size": 100},
        headers=staff,
    )
    assert api.status_code == 200
    item = next(i for i in api.json()["items"] if i["ref"] == no)
    assert item["applicant"] == doc.masked_name and item["kind_name"] == "业务申请"
    assert item["title"] == "注册" and item["deadline"]
    async with desk_portal(stack) as client:
        page = await client.get("/institution", params={"kind": "application", "sort": "-since"})
        assert page.status_code == 200
        row = re.search(rf'<tr[^>]*data-ref="{no}".*?</tr>', page.text, re.S).group(0)
        assert doc.masked_name in row and doc.name not in page.text
        assert f'href="/institution/applications/{no}"' in row
        # htmx asks for the list only (filters swap it in place)
        part = await client.get("/institution", params={"kind": "application"},
                                headers={"HX-Request": "true"})  # fmt: skip
        assert part.text.lstrip().startswith('<div id="inbox">') and "<html" not in part.text


async def test_a_clerk_approves_and_a_second_approval_is_told_it_was_decided(stack, faker):
    doc, no = await registration_filed(stack, faker)
    async with desk_portal(stack) as first, desk_portal(stack) as second:
        opened = await first.get(f"/institution/applications/{no}")
        assert opened.status_code == 200
        seen = text_of(opened.text)
        assert doc.name in seen and "内科" in seen and "注册" in seen
        assert "湖南省" in seen or "长沙" in seen  # the institution in words, not a code
        stale = await second.get(f"/institution/applications/{no}")
        form = {"decision": "approve", "csrf_token": token_of(opened.text)}
        done = await first.post(f"/institution/applications/{no}", data=form)
        assert done.status_code == 303
        assert done.headers["location"] == f"/institution/applications/{no}?done=approve"
        after = await first.get(done.headers["location"])
        assert "已同意。" in after.text and "待现场提交纸质材料" in text_of(after.text)
        form = {"decision": "approve", "csrf_token": token_of(stale.text)}
        late = await second.post(f"/institution/applications/{no}", data=form)
        assert late.status_code == 409
        said = text_of(late.text)
        assert "已由他人办理" in said and "当前状态见下" in said
        assert "待现场提交纸质材料" in said and 'name="decision"' not in late.text
    assert (await application(stack, doc.headers, no))["state"] == "awaiting_documents"
    async with session_scope(stack.settings.database_url) as session:
        views = await session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.application_no == no, AuditEvent.action == "application_viewed"
            )
        )
        assert len(list(views)) >= 2


async def test_reject_and_return_need_a_reason_said_beside_it(stack, faker):
    doc, no = await registration_filed(stack, faker)
    async with desk_portal(stack) as client:
        opened = await client.get(f"/institution/applications/{no}")
        form = {"decision": "return", "comment": "  ", "csrf_token": token_of(opened.text)}
        refused = await client.post(f"/institution/applications/{no}", data=form)
        assert refused.status_code in (400, 422)
        assert re.search(r'<p class="error" id="e-comment">[^<]+</p>', refused.text)
        form["comment"] = "请补充学历证明"
        done = await client.post(f"/institution/applications/{no}", data=form)
        assert done.status_code == 303
    seen = await application(stack, doc.headers, no)
    assert seen["state"] == "returned" and seen["timeline"][-1]["comment"] == "请补充学历证明"


async def test_the_pages_are_for_staff_and_another_institutions_staff_see_nothing(stack, faker):
    doc, no = await registration_filed(stack, faker)
    async with portal(stack) as client:
        assert (await client.get("/institution")).headers["location"] == "/login"
        await sign_in(client, doc.who["username"], doc.who["password"])
        assert (await client.get("/institution")).status_code == 403
    async with desk_portal(stack, "staff_anji") as other:
        assert (await other.get(f"/institution/applications/{no}")).status_code == 404
        listed = await other.get("/institution", params={"kind": "application"})
        assert no not in listed.text
