"""Staff administration in the browser: an institution's administrator invites a clerk, the
clerk sets a password with the code and signs in; deactivated, the clerk's page ends at once."""

import random
import re

from playwright.async_api import expect

from tests.browser.helpers import shoot
from tests.browser.test_workbench import party
from tests.e2e.people import HUNAN, desk
from tests.e2e.test_staff_admin import PASSWORD, accepted, invited


async def test_an_administrator_invites_and_deactivates_a_clerk(browser, stack):
    phone = f"136{random.randrange(10**8):08d}"
    _, admin_name = await invited(
        stack, await desk(stack, "operator"), "institution_admin", phone=phone,
        institution_code=HUNAN,
    )  # fmt: skip
    await accepted(stack, admin_name, "sms", phone)
    clerk_name = f"clerk{random.randrange(10**8)}"
    email = f"{clerk_name}@example.com"

    async with party(browser, stack, admin_name, PASSWORD, home="/staff") as admin:
        await expect(admin.get_by_role("heading", name="人员管理")).to_be_visible()
        await admin.get_by_label("用户名").fill(clerk_name)
        await admin.get_by_role("button", name="发送邀请").click()
        await expect(admin.locator("#e-phone")).to_contain_text("手机号码或电子邮箱")
        await admin.get_by_label("电子邮箱").fill(email)
        await admin.get_by_role("button", name="发送邀请").click()
        await expect(admin.get_by_text("邀请已发送。")).to_be_visible()
        await expect(admin.get_by_role("cell", name=clerk_name, exact=True)).to_be_visible()
        await shoot(admin, "staff-admin")

        await accepted(stack, clerk_name, "email", email)
        async with party(browser, stack, clerk_name, PASSWORD) as clerk:
            await admin.get_by_role("button", name=f"停用 {clerk_name}").click()
            await expect(admin.get_by_text("账户已停用，其所有登录已结束。")).to_be_visible()
            await clerk.reload()
            await expect(clerk).to_have_url(re.compile(r"/login"))
