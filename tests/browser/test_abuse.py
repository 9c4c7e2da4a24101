"""Bad input in the browser (issue #19): what a person sees when a form holds characters that
are not allowed, or is too large — the portal's error page in their language, never a 500."""

from tests.browser.helpers import shoot


async def test_a_pasted_direction_override_is_refused_with_a_page(page):
    await page.goto("/login")
    # Pasted from elsewhere: a right-to-left override hidden in the username.
    await page.get_by_label("用户名").fill("staff\u202ehunan")
    await page.get_by_label("密码").fill("Whatever-2026")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_selector("h1")
    body = await page.locator("main").inner_text()
    assert "含有不允许的字符" in body and "username" in body
    await shoot(page, "abuse-text-invalid")


async def test_a_form_over_the_size_limit_gets_the_413_page(page):
    await page.goto("/login")
    await page.get_by_label("用户名").fill("staff_hunan")
    # More than the 256 KiB a form may send, set as a paste would (no maxlength on passwords).
    await page.locator("input[name=password]").evaluate(
        "(field) => { field.value = 'x'.repeat(300 * 1024); }"
    )
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_selector("h1")
    assert "提交的内容过大" in await page.locator("main").inner_text()
    await shoot(page, "abuse-body-too-large")
