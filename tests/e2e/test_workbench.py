"""The workbenches over HTTP (no browser): the institution's inbox and decisions, the same
list and the same workflow updates as the JSON API."""

import re
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from html import unescape

from sqlalchemy import select, update

from registry.db import session_scope
from registry.models import Application, AuditEvent
from registry.seed import DEMO_PASSWORD
from tests.dates import china_today
from tests.e2e.people import (
    HUNAN,
    OFFICER,
    STAFF,
    application,
    decided,
    desk,
    filed,
    new_physician,
)
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
        odd = await client.get("/institution", params={"kind": "zzz", "urgency": "<x>",
                                                       "sort": "?", "p": 5000})  # fmt: skip
        assert odd.status_code == 200 and "<x>" not in odd.text  # ignored; the last page


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


# --- the commission ------------------------------------------------------------------------------


async def under_review(stack, faker) -> tuple:
    doc, no = await registration_filed(stack, faker)
    await decided(stack, await desk(stack, STAFF[HUNAN]), no, "institution-decision",
                  "awaiting_documents", decision="approve")  # fmt: skip
    await decided(stack, await desk(stack, OFFICER[HUNAN]), no, "paper-check", "under_review",
                  documents_complete=True)  # fmt: skip
    return doc, no


async def seed_overdue(stack, no: str) -> None:
    """The row the inbox reads, as the workflow leaves it once its 20 working days ran out
    (its timer marks the row overdue): seeded here, with a deadline long past."""
    async with session_scope(stack.settings.database_url) as session:
        await session.execute(
            update(Application)
            .where(Application.application_no == no)
            # the later filed, the earlier: first even among those other tests seeded
            .values(
                overdue=True,
                step_deadline=datetime(2020, 1, 2, tzinfo=UTC) - timedelta(minutes=int(no[-6:])),
            )  # fmt: skip
        )


async def test_the_officers_inbox_shows_the_overdue_first_with_working_days(stack, faker):
    _doc, no = await under_review(stack, faker)
    _other, fresh = await under_review(stack, faker)
    await seed_overdue(stack, no)
    async with desk_portal(stack, OFFICER[HUNAN], "/commission") as client:
        page = await client.get("/commission")
        assert page.status_code == 200 and 'href="/commission/counter"' in page.text
        rows = re.findall(r'<tr class="([^"]*)" data-ref="(\d+)"', page.text)
        assert rows[0] == ("u-overdue", no)
        first = re.search(rf'data-ref="{no}".*?</tr>', page.text, re.S).group(0)
        assert re.search(r"已逾期 \d+ 个工作日", first)
        later = re.search(rf'data-ref="{fresh}".*?</tr>', page.text, re.S).group(0)
        assert re.search(r"(19|20|21) 个工作日", text_of(later))  # 20 from acceptance
    api = await stack.api.get("/api/v1/commission/inbox", headers=await desk(stack, OFFICER[HUNAN]))
    assert api.json()[0]["application_no"] == no


async def test_an_officer_approves_on_the_page_and_a_second_decision_is_refused(stack, faker):
    doc, no = await under_review(stack, faker)
    async with (
        desk_portal(stack, OFFICER[HUNAN], "/commission") as one,
        desk_portal(stack, OFFICER[HUNAN], "/commission") as two,
    ):
        opened = await one.get(f"/commission/applications/{no}")
        stale = await two.get(f"/commission/applications/{no}")
        assert "剩余工作日" in text_of(opened.text)
        form = {"decision": "approve", "csrf_token": token_of(opened.text)}
        done = await one.post(f"/commission/applications/{no}", data=form)
        assert done.status_code == 303
        after = await one.get(done.headers["location"])
        assert "已办结" in text_of(after.text) and 'class="certificate"' in after.text
        form = {"decision": "reject", "comment": "不符合", "csrf_token": token_of(stale.text)}
        late = await two.post(f"/commission/applications/{no}", data=form)
        assert late.status_code == 409 and "已由他人办理" in text_of(late.text)
    assert (await application(stack, doc.headers, no))["certificate_no"]


async def test_ex_officio_cancellation_and_the_institutions_report(stack, faker):
    doc, no = await under_review(stack, faker)
    officer = await desk(stack, OFFICER[HUNAN])
    await decided(stack, officer, no, "commission-decision", "completed", decision="approve")
    certificate = (await application(stack, doc.headers, no))["certificate_no"]
    async with desk_portal(stack) as clerk:
        form = await clerk.get("/institution/cancellations/new")
        grounds = re.findall(r'<option value="(\d+)"', form.text)
        assert grounds == [str(n) for n in range(1, 10)]  # never 10, the physician's own
        wrong = {"certificate_no": "NO-SUCH", "ground": "1", "ground_arose_on": "2026-01-05",
                 "csrf_token": token_of(form.text)}  # fmt: skip
        refused = await clerk.post("/institution/cancellations/new", data=wrong)
        assert refused.status_code == 404
        assert re.search(r'<p class="error" id="e-certificate_no">', refused.text)
    async with desk_portal(stack, OFFICER[HUNAN], "/commission") as client:
        form = await client.get("/commission/cancellations/new")
        assert "依职权注销" in form.text
        body = {"certificate_no": certificate, "ground": "1", "ground_arose_on": "2026-01-05",
                "comment": "死亡", "csrf_token": token_of(form.text)}  # fmt: skip
        filed_ = await client.post("/commission/cancellations/new", data=body)
        assert filed_.status_code == 303, filed_.text
        assert filed_.headers["location"].startswith("/commission/applications/")
        shown = await client.get(filed_.headers["location"])
        assert "注销" in text_of(shown.text) and "已提交。" in shown.text


# --- the operator --------------------------------------------------------------------------------


async def test_the_operator_finds_a_physicians_events_each_linked_to_its_workflow(stack, faker):
    doc, no = await registration_filed(stack, faker)
    async with desk_portal(stack, "operator", "/operator/audit") as client:
        mine = await client.get("/operator/audit", params={"physician": doc.account_id})
        assert mine.status_code == 200
        actions = re.findall(r'<tr data-action="([a-z_]+)"', mine.text)
        assert "signup" in actions and doc.name not in mine.text
        ui = f"http://127.0.0.1:{stack.settings.temporal_ui_port}/namespaces/default/workflows/"
        assert f'href="{ui}activation-{doc.account_id}"' in mine.text
        by_application = await client.get("/operator/audit", params={"application": no})
        assert f'href="{ui}application-{no}"' in by_application.text
        today = china_today().isoformat()
        signups = await client.get(
            "/operator/audit",
            params={"physician": doc.account_id, "action": "signup", "since": today,
                    "until": today},
        )  # fmt: skip
        assert re.findall(r'<tr data-action="([a-z_]+)"', signups.text) == ["signup"]
        before = await client.get(
            "/operator/audit",
            params={"physician": doc.account_id, "until": "2020-01-01"},
        )
        assert "<tr data-action" not in before.text and "没有符合条件的记录" in before.text
        second = await client.get("/operator/audit", params={"p": 2})
        assert second.status_code == 200 and 'rel="prev"' in second.text
        odd = await client.get(
            "/operator/audit", params={"physician": "abc", "since": "not-a-day", "action": "<b>"}
        )
        assert odd.status_code == 200 and "<b>" not in odd.text  # ignored, never a 500
    api = await stack.api.get(
        "/api/v1/audit",
        params={"physician": doc.account_id, "action": "signup"},
        headers=await desk(stack, "operator"),
    )
    assert [e["action"] for e in api.json()] == ["signup"]


async def test_a_personal_information_change_beside_the_information_in_force(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    submitted = await stack.api.post(
        "/api/v1/me/profile-changes", headers=doc.headers, json={"education": "硕士研究生"}
    )
    assert submitted.status_code == 201, submitted.text
    review_id = submitted.json()["id"]
    async with desk_portal(stack) as clerk:
        listed = await clerk.get("/institution", params={"kind": "personal_info", "sort": "-since"})
        assert f'data-ref="{review_id}"' in listed.text
        opened = await clerk.get(f"/institution/reviews/{review_id}")
        assert opened.status_code == 200
        row = re.search(r"<tr><th scope=\"row\">学历</th>.*?</tr>", opened.text, re.S).group(0)
        assert "硕士研究生" in row and "—" in row  # proposed, and nothing in force yet
        assert doc.name in text_of(opened.text)
        form = {"decision": "reject", "csrf_token": token_of(opened.text)}
        refused = await clerk.post(f"/institution/reviews/{review_id}", data=form)
        assert refused.status_code == 422 and 'id="e-comment"' in refused.text
        form |= {"decision": "approve"}
        done = await clerk.post(f"/institution/reviews/{review_id}", data=form)
        assert done.status_code == 303
        after = await clerk.get(done.headers["location"])
        assert "已同意。" in after.text and 'name="decision"' not in after.text
    profile = (await stack.api.get("/api/v1/me", headers=doc.headers)).json()["profile"]
    assert profile["education"] == "硕士研究生"


async def test_a_review_withdrawn_while_the_clerk_looks_is_said_so_with_its_state(stack, faker):
    """The item left the inbox meanwhile (withdrawn here; expired is the same refusal): the
    clerk's approval is refused by the workflow's validator and the page says so."""
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    submitted = await stack.api.post(
        "/api/v1/me/profile-changes", headers=doc.headers, json={"education": "大学本科"}
    )
    review_id = submitted.json()["id"]
    async with desk_portal(stack) as clerk:
        opened = await clerk.get(f"/institution/reviews/{review_id}")
        withdrawn = await stack.api.post(
            f"/api/v1/me/profile-changes/{review_id}/withdraw", headers=doc.headers
        )
        assert withdrawn.status_code == 200, withdrawn.text
        form = {"decision": "approve", "csrf_token": token_of(opened.text)}
        late = await clerk.post(f"/institution/reviews/{review_id}", data=form)
        assert late.status_code == 409
        said = text_of(late.text)
        assert "已由他人办理，或已不在待办理状态" in said and "已撤回" in said
        assert 'name="decision"' not in late.text
    profile = (await stack.api.get("/api/v1/me", headers=doc.headers)).json()["profile"]
    assert profile["education"] != "大学本科"
