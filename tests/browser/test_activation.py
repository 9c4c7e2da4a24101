"""A physician who has never seen the API signs up and activates in the browser."""

from playwright.async_api import expect

from tests.browser.helpers import account_id, code_sent_to, message_count, shoot
from tests.e2e.people import HUNAN, STAFF, WUGANG, desk
from tests.e2e.test_activation import import_qualification, person


async def fill_signup(page, who: dict, institution_name: str) -> None:
    await page.goto("/signup")
    await page.get_by_label("姓名").fill(who["name"])
    await page.get_by_label("居民身份证号码").fill(who["id_number"])
    await page.get_by_label("手机号码").fill(who["phone"])
    await page.get_by_label("电子邮箱").fill(who["email"])
    await page.get_by_label("用户名").fill(who["username"])
    await page.get_by_label("密码").fill(who["password"])
    # The picker: province, then the name narrows the list (htmx), then the institution.
    await page.get_by_label("省份").select_option(label="湖南省")
    # The list narrowed by the province may still be replaced by the one narrowed by the name
    # (sent 300 ms after typing): choose only once that one has arrived and been swapped in,
    # or the choice is swapped away.
    async with page.expect_response(
        lambda r: "/pickers/institutions" in r.url and "institution_name=%" in r.url
    ):
        await page.get_by_label("机构名称").fill(institution_name[:3])
    institution = page.get_by_label("医疗机构", exact=True)
    await expect(institution.locator("option", has_text=institution_name)).to_have_count(1)
    await page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    await institution.select_option(label=institution_name)
    await expect(institution).not_to_have_value("")
    await page.get_by_role("button", name="注册").click()


async def verify_by_sms(page, stack, phone: str) -> None:
    seen = await message_count(stack, phone)
    await page.get_by_role("button", name="获取验证码").click()
    await expect(page.get_by_text("验证码已通过短信发送")).to_be_visible()
    await expect(page.get_by_role("button", name=r"秒后可重新获取")).to_be_disabled()
    code = await code_sent_to(stack, phone, seen)
    await page.get_by_label("验证码").fill(code)
    await page.get_by_role("button", name="验证").click()


async def test_signup_before_the_record_then_live_activation(page, stack, faker, tmp_path):
    """Signed up before the qualification record exists, the stepper waits without reloads;
    the record is imported and the page moves on by itself; the SMS code delivered verifies
    the phone; the institution's auto-activation finishes it; home shows the account."""
    who = person(faker, WUGANG)
    await fill_signup(page, who, "武冈市人民医院")
    await page.wait_for_url("**/me/activation")
    await expect(page.get_by_role("heading", name="资格信息匹配")).to_be_visible()
    await expect(page.get_by_text("无需反复刷新")).to_be_visible()
    await shoot(page, "activation-waiting")

    assert await import_qualification(stack, tmp_path, who) == 1
    # No reload: the stepper polls and moves on when the workflow does.
    await expect(page.get_by_role("heading", name="验证手机或邮箱")).to_be_visible(timeout=20_000)
    await shoot(page, "activation-verify")
    await verify_by_sms(page, stack, who["phone"])
    await expect(page.get_by_role("heading", name="账户已激活")).to_be_visible(timeout=20_000)

    await page.get_by_role("navigation").get_by_role("link", name="我的首页").click()
    await expect(page.get_by_role("heading", name="我的首页")).to_be_visible()
    await expect(page.get_by_text("暂无执业注册")).to_be_visible()


async def test_activation_with_an_institution_code(page, stack, faker, tmp_path):
    """The institution (through the API until part 2 exists) issues a code: the waiting page
    shows the code field by itself; the code from the SMS activates the account."""
    who = person(faker, HUNAN)
    await import_qualification(stack, tmp_path, who)
    await fill_signup(page, who, "湖南省人民医院")
    await page.wait_for_url("**/me/activation")
    await verify_by_sms(page, stack, who["phone"])
    await expect(page.get_by_role("heading", name="医疗机构激活")).to_be_visible(timeout=20_000)
    await expect(page.get_by_text("请联系您的主要执业机构")).to_be_visible()
    await shoot(page, "activation-institution")

    seen = await message_count(stack, who["phone"])
    staff = await desk(stack, STAFF[HUNAN])
    physician_id = await account_id(stack, who["username"])
    issued = await stack.api.post(
        f"/api/v1/institution/activations/{physician_id}/code", headers=staff
    )
    assert issued.status_code == 200, issued.text
    await expect(page.get_by_text("医疗机构已发送激活码")).to_be_visible(timeout=20_000)
    code = await code_sent_to(stack, who["phone"], seen)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    await page.get_by_label("激活码").fill(wrong)
    await page.get_by_role("button", name="激活").click()
    await expect(page.get_by_role("alert")).to_contain_text("验证码不正确，还可尝试4次")
    # Beside the field too, and tied to it for screen readers.
    await expect(page.get_by_label("激活码")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#e-code")).to_contain_text("还可尝试4次")
    await page.get_by_label("激活码").fill(code)
    await page.get_by_role("button", name="激活").click()
    await expect(page.get_by_role("heading", name="账户已激活")).to_be_visible()
    await page.goto("/me/info")
    await expect(page.get_by_text("已激活")).to_be_visible()
