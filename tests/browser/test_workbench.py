"""The institution's clerk at work in the browser, beside the physician, each in their own
browser context, on the real stack (dev server, worker, API, SMTP sink)."""

import re
from contextlib import asynccontextmanager

from playwright.async_api import expect
from sqlalchemy import select

from registry.db import session_scope
from registry.models import ProfileReview
from registry.seed import DEMO_PASSWORD
from tests.browser.conftest import WIDTHS, Foreign
from tests.browser.helpers import account_id, code_sent_to, message_count, shoot
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
from tests.e2e.test_activation import (
    import_qualification,
    person,
    signup,
    verify,
    wait_for_state,
)
from tests.e2e.test_profile import picture, upload
from tests.e2e.test_workbench import seed_overdue, under_review

ANY_HOME = re.compile(r"/me(/activation)?$")


@asynccontextmanager
async def party(browser, stack, username: str, password: str = DEMO_PASSWORD, home="/institution"):
    """Someone signed in in a browser context of their own; fails on any foreign request,
    script dialog or console error, like the rig's own ``page``."""
    origin = str(stack.api.base_url).rstrip("/")
    foreign = Foreign(origin)
    ctx = await browser.new_context(
        base_url=origin,
        locale="zh-CN",
        viewport=dict(zip(("width", "height"), WIDTHS["desktop"], strict=True)),
    )
    await ctx.route("**/*", foreign.route)
    ctx.set_default_timeout(20_000)
    tab = await ctx.new_page()
    errors: list[str] = []
    tab.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    await tab.goto("/login")
    await tab.get_by_label("用户名").fill(username)
    await tab.get_by_label("密码").fill(password)
    await tab.get_by_role("button", name="登录").click()
    await tab.wait_for_url(home if isinstance(home, re.Pattern) else re.compile(f"{home}$"))
    try:
        yield tab
    finally:
        await ctx.close()
    assert not foreign.urls, f"requests left the app's origin: {foreign.urls}"
    assert not errors, f"the page logged errors: {errors}"


async def registration(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    no = await filed(
        stack, doc.headers, "registration", institution_code=HUNAN, category="clinical",
        scope="内科",
    )  # fmt: skip
    return doc, no


async def open_from_inbox(clerk, ref: str, kind: str) -> None:
    """The clerk finds the item in the inbox (filtered by kind, newest first) and opens it."""
    await clerk.goto("/institution")
    await clerk.get_by_label("类型").select_option(kind)
    await clerk.get_by_label("排序").select_option("-since")
    row = clerk.locator(f'tr[data-ref="{ref}"]')
    await expect(row).to_be_visible()
    await row.get_by_role("link").click()


async def test_clerk_approves_in_the_inbox_and_the_physician_sees_it_move_on(browser, stack, faker):
    doc, no = await registration(stack, faker)
    async with (
        party(browser, stack, doc.who["username"], doc.who["password"], "/me") as physician,
        party(browser, stack, STAFF[HUNAN]) as clerk,
    ):
        await physician.goto(f"/me/applications/{no}")
        await expect(physician.get_by_text("待医疗机构确认").first).to_be_visible()

        await shoot(clerk, "inst-inbox")
        await open_from_inbox(clerk, no, "application")
        await expect(clerk.get_by_role("heading", level=1)).to_contain_text(no)
        await expect(clerk.get_by_text(doc.name)).to_be_visible()
        await expect(clerk.get_by_text("医师现有执业注册")).to_be_visible()
        await shoot(clerk, "inst-application")
        await clerk.get_by_role("button", name="同意", exact=True).click()
        await expect(clerk.get_by_role("status").or_(clerk.locator(".alert.info"))).to_contain_text(
            "已同意"
        )
        # No reload on the physician's side: the page follows the application.
        await expect(physician.locator("#state")).to_contain_text(
            "待现场提交纸质材料", timeout=20_000
        )
        # The paper check is the counter's (the paper helper's page); here its API update.
        await decided(stack, await desk(stack, OFFICER[HUNAN]), no, "paper-check",
                      "under_review", documents_complete=True)  # fmt: skip
        async with party(browser, stack, OFFICER[HUNAN], home="/commission") as officer:
            await expect(officer.locator(f'tr[data-ref="{no}"]')).to_be_visible()
            await shoot(officer, "com-inbox")
            await officer.locator(f'tr[data-ref="{no}"]').get_by_role("link").click()
            await expect(officer.get_by_text("剩余工作日")).to_be_visible()
            await shoot(officer, "com-application")
            await officer.get_by_label("意见").fill("准予注册")
            await officer.get_by_role("button", name="同意", exact=True).click()
            await expect(officer.locator("#state")).to_contain_text("已办结")
        await expect(physician.locator(".certificate")).to_be_visible(timeout=20_000)
        certificate = (await application(stack, doc.headers, no))["certificate_no"]
        await expect(physician.locator(".certificate")).to_have_text(certificate)


async def test_two_clerks_approve_the_same_application_one_is_told_it_was_decided(
    browser, stack, faker
):
    _doc, no = await registration(stack, faker)
    async with (
        party(browser, stack, STAFF[HUNAN]) as first,
        party(browser, stack, STAFF[HUNAN]) as second,
    ):
        await first.goto(f"/institution/applications/{no}")
        await second.goto(f"/institution/applications/{no}")
        await first.get_by_role("button", name="同意", exact=True).click()
        await expect(first.locator(".alert.info")).to_contain_text("已同意")
        await second.get_by_role("button", name="同意", exact=True).click()
        await expect(second.get_by_role("alert")).to_contain_text("已由他人办理")
        await expect(second.locator("#state")).to_contain_text("待现场提交纸质材料")
        await expect(second.get_by_role("button", name="同意", exact=True)).to_have_count(0)


async def test_clerk_returns_with_a_reason_the_physician_corrects_and_the_clerk_approves(
    browser, stack, faker
):
    doc, no = await registration(stack, faker)
    async with (
        party(browser, stack, doc.who["username"], doc.who["password"], "/me") as physician,
        party(browser, stack, STAFF[HUNAN]) as clerk,
    ):
        await clerk.goto(f"/institution/applications/{no}")
        # Keyboard only: the reason, then the return button, without the mouse.
        await clerk.get_by_label("意见").focus()
        await clerk.get_by_role("button", name="退回补正").focus()
        await clerk.keyboard.press("Enter")
        await expect(clerk.get_by_role("alert")).to_contain_text("请填写理由")
        await expect(clerk.locator("#e-comment")).to_be_visible()
        await shoot(clerk, "inst-application-reason-required")
        await clerk.get_by_label("意见").focus()
        await clerk.keyboard.type("请补充学历证明")
        await clerk.get_by_role("button", name="退回补正").focus()
        await clerk.keyboard.press("Enter")
        await expect(clerk.locator(".alert.info")).to_contain_text("已退回补正")

        await physician.goto(f"/me/applications/{no}")
        await expect(physician.get_by_text("请补充学历证明")).to_be_visible()
        await physician.get_by_role("button", name="重新提交").click()
        await expect(physician.locator("#state")).to_contain_text("待医疗机构确认")

        await clerk.goto(f"/institution/applications/{no}")
        await clerk.get_by_role("button", name="同意", exact=True).click()
        await expect(clerk.locator("#state")).to_contain_text("待现场提交纸质材料")


async def test_clerk_issues_an_activation_code_and_the_physician_activates(
    browser, stack, faker, tmp_path
):
    who = person(faker, HUNAN)
    await import_qualification(stack, tmp_path, who)
    await signup(stack, who)
    headers = await stack.login(who["username"], who["password"])
    await verify(stack, headers, who)
    await wait_for_state(stack, headers, "awaiting_institution")
    physician_id = await account_id(stack, who["username"])
    seen = await message_count(stack, who["phone"])
    async with (
        party(browser, stack, STAFF[HUNAN]) as clerk,
        party(browser, stack, who["username"], who["password"], ANY_HOME) as physician,
    ):
        await physician.goto("/me/activation")
        await expect(physician.get_by_role("heading", name="医疗机构激活")).to_be_visible()
        await open_from_inbox(clerk, str(physician_id), "activation")
        await expect(clerk.get_by_role("heading", name="医师资格数据")).to_be_visible()
        await expect(clerk.get_by_text(who["name"]).first).to_be_visible()
        await expect(clerk.get_by_text(who["id_number"])).to_have_count(0)
        await shoot(clerk, "inst-activation")
        await clerk.get_by_role("button", name="发送激活码").click()
        await expect(clerk.locator(".alert.info")).to_contain_text("激活码已发送")
        await expect(clerk.get_by_role("button", name="重新发送激活码")).to_be_visible()

        code = await code_sent_to(stack, who["phone"], seen)
        await expect(physician.get_by_label("激活码")).to_be_visible(timeout=20_000)
        await physician.get_by_label("激活码").fill(code)
        await physician.get_by_role("button", name="激活").click()
        await expect(physician.get_by_role("heading", name="账户已激活")).to_be_visible()


async def test_clerk_rejects_a_photo_with_a_reason_and_the_physician_reads_it(
    browser, stack, faker
):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    assert (await upload(stack, doc.headers, picture())).status_code in (200, 201, 202)
    async with session_scope(stack.settings.database_url) as session:
        review_id = await session.scalar(
            select(ProfileReview.id).where(ProfileReview.account_id == doc.account_id)
        )
    async with (
        party(browser, stack, STAFF[HUNAN]) as clerk,
        party(browser, stack, doc.who["username"], doc.who["password"], "/me") as physician,
    ):
        await open_from_inbox(clerk, str(review_id), "photo")
        new_photo = clerk.get_by_role("img", name="待审核照片")
        await expect(new_photo).to_be_visible()
        assert await new_photo.evaluate("img => img.naturalWidth") > 0
        await shoot(clerk, "inst-review-photo")
        await clerk.get_by_label("意见").fill("背景须为白色")
        await clerk.get_by_role("button", name="不予同意").click()
        await expect(clerk.locator(".alert.info")).to_contain_text("已不予同意")

        await physician.goto("/me/photo")
        await expect(physician.get_by_text("背景须为白色")).to_be_visible()


async def test_settings_say_that_auto_activation_activates_those_waiting(browser, stack):
    async with party(browser, stack, STAFF[HUNAN]) as clerk:
        await clerk.get_by_role("navigation").get_by_role("link", name="机构设置").click()
        await expect(
            clerk.get_by_text("正在等待本机构发送激活码的医师也会立即被激活")
        ).to_be_visible()
        await shoot(clerk, "inst-settings")
        departments = clerk.get_by_label("科室（每行一个）")
        await departments.fill("内科\n外科\n内科")
        await clerk.get_by_role("button", name="保存").nth(1).click()
        await expect(clerk.locator("#e-departments")).to_be_visible()
        await departments.fill("内科\n外科\n儿科")
        await clerk.get_by_role("button", name="保存").nth(1).click()
        await expect(clerk.locator(".alert.info")).to_contain_text("科室列表已保存")
        await expect(departments).to_have_value("内科\n外科\n儿科")


async def test_the_officers_inbox_shows_the_overdue_application_first(browser, stack, faker):
    """Overdue by a seeded row: the application's deadline set long past and marked overdue,
    as the workflow's timer leaves it when the 20 working days run out."""
    _doc, no = await under_review(stack, faker)
    await seed_overdue(stack, no)
    async with party(browser, stack, OFFICER[HUNAN], home="/commission") as officer:
        first = officer.locator("table.inbox tbody tr").first
        await expect(first).to_have_attribute("data-ref", no)
        await expect(first).to_contain_text("已逾期")
        await expect(
            officer.get_by_role("navigation").get_by_role("link", name="窗口受理")
        ).to_have_attribute("href", "/commission/counter")
        await officer.get_by_role("navigation").get_by_role("link", name="依职权注销").click()
        await expect(officer.get_by_role("heading", name="依职权注销")).to_be_visible()
        await shoot(officer, "com-cancellation")


async def test_the_operator_finds_a_physicians_events_and_their_workflow(browser, stack, faker):
    doc, no = await registration(stack, faker)
    async with party(browser, stack, "operator", home="/operator/audit") as operator:
        await operator.get_by_label("医师账户编号").fill(str(doc.account_id))
        await operator.get_by_role("button", name="筛选").click()
        signup = operator.locator('tr[data-action="signup"]')
        await expect(signup).to_be_visible()
        link = signup.get_by_role("link", name=f"activation-{doc.account_id}")
        ui = f"http://127.0.0.1:{stack.settings.temporal_ui_port}"
        await expect(link).to_have_attribute(
            "href", f"{ui}/namespaces/default/workflows/activation-{doc.account_id}"
        )
        await shoot(operator, "op-audit")
        await operator.get_by_label("申请编号").fill(no)
        await operator.get_by_label("医师账户编号").fill("")
        await operator.get_by_role("button", name="筛选").click()
        await expect(operator.get_by_role("link", name=f"application-{no}").first).to_be_visible()


async def test_the_workbench_in_english(browser, stack):
    async with party(browser, stack, STAFF[HUNAN]) as clerk:
        await clerk.get_by_role("button", name="English").click()
        await expect(clerk.get_by_role("heading", name="Institution inbox")).to_be_visible()
        await expect(clerk.get_by_label("Kind")).to_be_visible()
        await (
            clerk.get_by_role("navigation")
            .get_by_role("link", name="Report a cancellation")
            .click()
        )
        await expect(clerk.get_by_role("heading", name="Report a cancellation")).to_be_visible()
        await shoot(clerk, "inst-cancellation-en")
        await clerk.get_by_role("button", name="中文").click()
