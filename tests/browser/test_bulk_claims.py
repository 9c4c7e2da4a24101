"""Bulk decisions and claims in the browser: a clerk decides several inbox items at once while
a colleague decides one of them meanwhile; a clerk's claim is seen, and respected, by another."""

import re

from playwright.async_api import expect

from tests.browser.helpers import shoot
from tests.browser.test_workbench import party
from tests.e2e.people import HUNAN, OFFICER, STAFF, decided, desk
from tests.e2e.test_bulk import awaiting_institution
from tests.e2e.test_bulk_pages import NEWEST, new_clerk
from tests.e2e.test_workbench import under_review


def pick(tab, no: str):
    return tab.get_by_role("checkbox", name=re.compile(rf"^选择 .+ {no}$"))


async def test_a_clerk_approves_three_at_once_one_was_decided_meanwhile(browser, stack, faker):
    numbers = await awaiting_institution(stack, faker, 3)
    async with party(browser, stack, STAFF[HUNAN]) as clerk:
        await clerk.goto(NEWEST)
        for no in numbers:
            await pick(clerk, no).check()
        # Meanwhile a colleague approves the first through the API.
        await decided(stack, await desk(stack, STAFF[HUNAN]), numbers[0], "institution-decision",
                      "awaiting_documents", decision="approve")  # fmt: skip
        await clerk.get_by_label("意见").fill("材料属实，同意")
        await clerk.get_by_role("button", name="同意所选").click()
        outcome = clerk.locator("#outcome")
        await expect(outcome.get_by_role("heading")).to_have_text("已办理 2 项，共 3 项：")
        await expect(outcome.locator(f'li[data-no="{numbers[0]}"]')).to_contain_text(
            "已由他人办理，未重复办理"
        )
        for no in numbers[1:]:
            await expect(outcome.locator(f'li[data-no="{no}"]')).to_contain_text("已办理")
            await expect(clerk.locator(f'tr[data-ref="{no}"]')).to_have_count(0)
        await shoot(clerk, "inst-inbox-bulk-outcome")

        # Return without a reason: said beside the comment field, nothing returned.
        [later] = await awaiting_institution(stack, faker, 1)
        await clerk.goto(NEWEST)
        await pick(clerk, later).check()
        await clerk.get_by_role("button", name="退回所选补正").click()
        await expect(clerk.locator("#e-comment")).to_be_visible()
        await expect(clerk.locator(f'li[data-no="{later}"]')).to_contain_text("未办理")
        await shoot(clerk, "inst-inbox-bulk-reason-required")


async def test_a_claim_is_seen_in_a_colleagues_inbox_and_refuses_their_approval(
    browser, stack, faker
):
    [no] = await awaiting_institution(stack, faker, 1)
    colleague = await new_clerk(stack)
    async with (
        party(browser, stack, STAFF[HUNAN]) as holder,
        party(browser, stack, colleague) as other,
    ):
        await holder.goto(f"/institution/applications/{no}")
        await expect(holder.locator("#claim")).to_contain_text("尚无人认领")
        await holder.get_by_role("button", name="认领", exact=True).click()
        await expect(holder.locator(".alert.info")).to_contain_text("已认领")
        await expect(holder.locator("#claim")).to_contain_text(f"已由 {STAFF[HUNAN]} 认领，自 ")
        await shoot(holder, "inst-application-claimed")

        await other.goto(NEWEST)
        row = other.locator(f'tr[data-ref="{no}"]')
        await expect(row).to_contain_text(re.compile(rf"已由 {STAFF[HUNAN]} 认领，自 .+，至 "))
        await shoot(other, "inst-inbox-claimed")
        await row.get_by_role("link").click()
        await expect(other.get_by_role("button", name="认领", exact=True)).to_have_count(0)
        await other.get_by_role("button", name="同意", exact=True).click()
        await expect(other.get_by_role("alert")).to_contain_text(
            f"此事项已由工作人员（账号 {STAFF[HUNAN]}）认领"
        )
        await expect(other.locator("#state")).to_contain_text("待医疗机构确认")

        await holder.get_by_role("button", name="释放认领").click()
        await expect(holder.locator(".alert.info")).to_contain_text("已释放认领")
        await expect(holder.locator("#claim")).to_contain_text("尚无人认领")


async def test_an_officer_approves_under_review_applications_in_bulk(browser, stack, faker):
    _doc, no = await under_review(stack, faker)
    async with party(browser, stack, OFFICER[HUNAN], home="/commission") as officer:
        # The latest deadline comes last: the last page (the page number is clamped to it),
        # however many other applications earlier tests left under review.
        await officer.goto("/commission?state=under_review&p=100000")
        await pick(officer, no).check()
        await officer.get_by_label("意见").fill("准予注册")
        await officer.get_by_role("button", name="同意所选").click()
        await expect(officer.locator(f'#outcome li[data-no="{no}"]')).to_contain_text("已办理")
        await shoot(officer, "com-inbox-bulk-outcome")
