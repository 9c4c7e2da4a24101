"""The commission's counter in the browser: an officer scans the form's number (typed, then
Enter, as a barcode scanner does), compares the person with the photo, checks each document,
returns the application with what is missing, takes it again, and approves it."""

import io
import re

from PIL import Image
from playwright.async_api import expect
from sqlalchemy import func, select

from registry.db import session_scope
from registry.models import AuditEvent, PhysicianPhoto
from registry.seed import DEMO_PASSWORD
from tests.browser.helpers import shoot, sign_in
from tests.e2e.people import HUNAN, WUGANG, decided, desk, filed, new_physician


async def officer_signs_in(page, username: str = "officer_hunan") -> None:
    await page.goto("/login")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_load_state()


async def awaiting_documents(stack, faker, institution_code=HUNAN):
    """A registration the institution confirmed, its physician with a photo in force."""
    doc = await new_physician(stack, faker, institution_code=institution_code)
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (40, 90, 160)).save(out, "JPEG")
    async with session_scope(stack.settings.database_url) as session:
        session.add(
            PhysicianPhoto(account_id=doc.account_id, status="approved", media_type="image/jpeg",
                           width=300, height=400, sha256="c" * 64, data=out.getvalue())
        )  # fmt: skip
    no = await filed(stack, doc.headers, "registration", institution_code=institution_code,
                     category="clinical", scope="内科")  # fmt: skip
    staff = "staff_hunan" if institution_code == HUNAN else "staff_wugang"
    await decided(stack, await desk(stack, staff), no, "institution-decision",
                  "awaiting_documents", decision="approve")  # fmt: skip
    return doc, no


async def audited(stack, action: str, no: str) -> int:
    async with session_scope(stack.settings.database_url) as session:
        return await session.scalar(
            select(func.count()).where(AuditEvent.action == action,
                                       AuditEvent.application_no == no)
        )  # fmt: skip


async def scan(page, no: str) -> None:
    """What a scanner does: the number typed into the focused box, then Enter."""
    box = page.get_by_label("申请编号")
    await expect(box).to_be_focused()
    await page.keyboard.type(no)
    await page.keyboard.press("Enter")


async def test_scan_check_each_document_return_then_accept_and_approve(page, stack, faker):
    doc, no = await awaiting_documents(stack, faker)
    await officer_signs_in(page)
    await page.goto("/commission/counter")
    await shoot(page, "counter-search")
    await scan(page, no)
    await page.wait_for_url(re.compile(rf"/commission/counter/{no}$"))

    # Who it is: the name in full and the photo in force, both views audited.
    await expect(page.locator("#applicant")).to_have_text(doc.name)
    photo = page.get_by_role("img", name=re.compile(doc.name))
    await expect(photo).to_be_visible()
    assert await photo.evaluate("img => img.naturalWidth") == 300
    assert await audited(stack, "counter_photo_viewed", no) >= 1
    assert await audited(stack, "application_viewed", no) >= 1
    assert doc.id_number not in await page.content()  # masked

    # The checklist: the health certificate not acceptable without a note is refused beside it.
    items = page.locator("ol.checklist > li")
    assert await items.count() == 6
    for index in range(6):
        await items.nth(index).get_by_label("齐全", exact=True).check()
    health = items.filter(has_text="健康体检证明")
    employment = items.filter(has_text="聘用证明")
    await health.get_by_label("不符合要求", exact=True).check()
    await employment.get_by_label("缺少", exact=True).check()
    await page.get_by_role("button", name="记录核验结果").click()
    await expect(health.locator(".error")).to_have_text("“健康体检证明”不符合要求，请注明原因。")
    await expect(
        health.get_by_label("不符合要求", exact=True)
    ).to_be_checked()  # nothing typed is lost
    await shoot(page, "counter-checklist-error")
    await health.get_by_label("说明（不符合要求时必填）").fill("出具已超过6个月")
    await page.get_by_role("button", name="记录核验结果").click()
    await expect(page.get_by_role("status").first).to_have_text(
        "已退回补正，所缺材料已告知申请人。"
    )
    await expect(page.locator(".findings")).to_contain_text("聘用证明 · 缺少")
    await expect(page.locator(".findings")).to_contain_text(
        "健康体检证明 · 不符合要求：出具已超过6个月"
    )
    await expect(page.get_by_label("申请编号")).to_be_focused()  # ready for the next scan

    # The physician resubmits; a phone reading the QR code opens the same page by its URL.
    await decided(stack, doc.headers, no, "resubmit", "awaiting_documents")
    await page.goto(f"/commission/counter/{no}")
    await expect(page.get_by_text("前次核验")).to_contain_text("缺少：聘用证明")
    for index in range(6):
        await items.nth(index).get_by_label("齐全", exact=True).check()
    await page.get_by_role("button", name="记录核验结果").click()
    await expect(page.get_by_role("status").first).to_have_text(
        "材料齐全，已受理，20个工作日审批期限起算。"
    )
    await shoot(page, "counter-under-review")

    await page.get_by_role("button", name="同意", exact=True).click()
    await expect(page.get_by_role("status").first).to_have_text("已批准，注册已办结。")
    await expect(page.locator("#state")).to_contain_text("已办结")
    await expect(page.get_by_text("不在窗口核验或审批环节")).to_be_visible()
    await shoot(page, "counter-completed")


async def test_not_this_commission_not_a_number_and_taken_meanwhile(page, stack, faker):
    doc, no = await awaiting_documents(stack, faker, institution_code=WUGANG)
    await officer_signs_in(page)  # Hunan's provincial commission, not Wugang's county one
    await page.goto("/commission/counter")
    await scan(page, no)
    await expect(page.locator("#e-no")).to_have_text("该申请不由您所在的卫生健康委审批。")
    await page.get_by_label("申请编号").fill("ABC-12")
    await page.keyboard.press("Enter")
    await expect(page.locator("#e-no")).to_have_text("申请编号为数字。")
    await page.get_by_label("申请编号").fill("99999999999999")
    await page.keyboard.press("Enter")
    await expect(page.locator("#e-no")).to_have_text("未找到该业务申请。")
    await shoot(page, "counter-not-found")

    # Two officers open the same application; the second one's check comes too late.
    doc, no = await awaiting_documents(stack, faker)
    await page.goto(f"/commission/counter/{no}")
    url = f"/api/v1/applications/{no}/documents"
    listed = (await stack.api.get(url, headers=doc.headers)).json()["documents"]
    kinds = [d["kind"] for d in listed]
    other = await desk(stack, "officer_hunan")
    await decided(stack, other, no, "paper-check", "under_review",
                  items=[{"kind": k, "status": "present"} for k in kinds])  # fmt: skip
    items = page.locator("ol.checklist > li")
    for index in range(await items.count()):
        await items.nth(index).get_by_label("齐全", exact=True).check()
    await page.get_by_role("button", name="记录核验结果").click()
    await expect(page.get_by_role("alert")).to_contain_text("已在此期间由他人处理")
    await expect(
        page.get_by_role("button", name="同意", exact=True)
    ).to_be_visible()  # its state now


async def test_the_physician_sees_what_to_bring_again(page, stack, faker):
    """Returned at the counter: the physician's application page lists what is missing or
    not acceptable, with the officer's note, above the documents to bring."""
    doc, no = await awaiting_documents(stack, faker)
    listed = (await stack.api.get(f"/api/v1/applications/{no}/documents",
                                  headers=doc.headers)).json()["documents"]  # fmt: skip
    items = [{"kind": d["kind"], "status": "present"} for d in listed]
    items[1] = {"kind": "photo", "status": "missing"}
    items[4] = {"kind": "identity_document", "status": "not_acceptable", "note": "已过有效期"}
    await decided(stack, await desk(stack, "officer_hunan"), no, "paper-check", "returned",
                  items=items)  # fmt: skip
    await sign_in(page, doc.who["username"], doc.who["password"])
    await page.goto(f"/me/applications/{no}")
    missing = page.locator("section[aria-labelledby=missing]")
    await expect(missing.get_by_role("heading")).to_have_text("需补正的纸质材料")
    await expect(missing.locator("li")).to_have_text(
        ["近期免冠照片 · 缺少", "居民身份证 · 不符合要求：已过有效期"]
    )
    await expect(
        page.get_by_text("缺少：近期免冠照片；不符合要求：居民身份证（已过有效期）")
    ).to_be_visible()
    await shoot(page, "application-returned-at-counter")
