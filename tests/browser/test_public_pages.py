"""The public pages in the browser, without signing in: a certificate's QR code opened on a
phone (/verify, the signature checked in the page by WebCrypto against the published keys),
and the public register (/register, posted: the name never in a URL)."""

import json

import httpx
from playwright.async_api import expect

from registry import certificates
from tests.browser.helpers import shoot
from tests.e2e.people import HUNAN, WUGANG, add_filing, filed, walk
from tests.e2e.test_documents import _registered, codes, first_page


async def qr_of(stack, doc, registration) -> str:
    url = f"/api/v1/me/registrations/{registration['id']}/certificate.pdf"
    pdf = (await stack.api.get(url, headers=doc.headers)).content
    return codes(first_page(pdf, "certificate-for-verify"))["QR Code"]


def opened(qr: str) -> str:
    """What a phone opens: the QR code's link on this origin, the fragment included."""
    link = httpx.URL(qr.partition("#")[0])
    return f"{link.raw_path.decode()}#{qr.partition('#')[2]}"


async def test_a_certificate_verifies_in_the_page_until_tampered_or_cancelled(page, stack, faker):
    doc, registration = await _registered(stack, faker)
    qr = await qr_of(stack, doc, registration)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    await page.goto(opened(qr))
    await expect(page.locator("#status")).to_have_text("有效")
    await expect(page.locator("#signature")).to_have_text("签名有效：本系统签发，内容未被改动")
    await expect(page.locator("#signed [data-field=name]")).to_have_text(doc.name)
    await expect(page.locator("#signed [data-field=certificate_no]")).to_have_text(
        registration["certificate_no"]
    )
    token = qr.partition("#")[2]
    assert not any(token[:40] in url.split("#")[0] for url in requested)  # never sent
    assert doc.id_number not in await page.content()
    await shoot(page, "verify-valid")
    # In English, by the language switch (a cookie), the same answers in its words.
    await page.get_by_role("button", name="English").click()
    await expect(page.locator("#status")).to_have_text("Valid")
    await expect(page.locator("#signature")).to_have_text("Signature valid: issued here, unaltered")
    await shoot(page, "verify-valid-en")
    await page.get_by_role("button", name="中文").click()
    await expect(page.locator("#status")).to_have_text("有效")

    # The signed facts altered (another scope): the signature fails in the page.
    header, payload, signature = token.split(".")
    forged = json.loads(certificates._unb64(payload))
    forged["scope"] = "外科"
    encoded = certificates._b64(json.dumps(forged, ensure_ascii=False).encode())
    await page.goto(f"{opened(qr).partition('#')[0]}#{header}.{encoded}.{signature}")
    await expect(page.locator("#signature")).to_have_text("签名无效：内容被改动，或并非本系统签发")
    await expect(page.locator("#signed")).to_be_hidden()
    await shoot(page, "verify-tampered")

    # A check code altered: the registry knows no such certificate.
    path = opened(qr).partition("#")[0]
    wrong = path.rsplit("check=", 1)[0] + "check=AAAAAAAAAA"
    await page.goto(f"{wrong}#{token}")
    await expect(page.locator("#status")).to_have_text("无效")
    await expect(page.locator("#signature")).to_have_text("二维码内容与本证书编码、核验码不符")

    # A filing added since: superseded, with the registration's facts now beside.
    await add_filing(stack, registration["id"], WUGANG)
    await page.goto(opened(qr))
    await expect(page.locator("#status")).to_have_text("已被后续变更取代")
    await expect(page.get_by_role("heading", name="注册信息现状", exact=True)).to_be_visible()
    await expect(page.locator("#current")).to_contain_text("备案机构")
    await shoot(page, "verify-superseded")

    # Cancelled: the same QR code now verifies as cancelled, its signature still good.
    no = await filed(
        stack, doc.headers, "cancellation", registration_id=registration["id"], ground=10
    )
    assert (await walk(stack, no, HUNAN))["state"] == "completed"
    await page.reload()  # the same address: a phone reading the code again
    await expect(page.locator("#status")).to_have_text("已注销")
    await expect(page.locator("#signature")).to_have_text("签名有效：本系统签发，内容未被改动")
    await shoot(page, "verify-cancelled")


async def test_the_register_page_shows_registrations_never_an_id_number(page, stack, faker):
    doc, registration = await _registered(stack, faker)
    await page.goto("/register")
    await shoot(page, "register-form")
    await page.get_by_label("姓名（须完整准确）").fill(doc.name)
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("#e-name")).to_contain_text("执业证书编码或执业机构")
    await page.get_by_label("执业证书编码").fill(registration["certificate_no"])
    await page.get_by_role("button", name="查询").click()
    await expect(page.get_by_role("cell", name=registration["certificate_no"])).to_be_visible()
    await expect(page.get_by_role("cell", name="湖南省人民医院")).to_be_visible()
    await expect(page.get_by_role("cell", name="有效")).to_be_visible()
    assert page.url.endswith("/register")  # the name went in the body
    html = await page.content()
    for private in (doc.id_number, doc.phone, doc.who["email"]):
        assert private not in html
    await shoot(page, "register-found")

    no = await filed(
        stack, doc.headers, "cancellation", registration_id=registration["id"], ground=10
    )
    await walk(stack, no, HUNAN)
    await page.get_by_label("执业证书编码").fill("")
    await page.get_by_label("执业机构（名称或代码）").fill("湖南省人民医院")
    await page.get_by_role("button", name="查询").click()
    await expect(page.get_by_role("cell", name="已注销")).to_be_visible()
    assert doc.id_number not in await page.content()
