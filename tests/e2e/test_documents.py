"""Paper documents, the printed form, the electronic certificate and the public register, end to
end: the real API, worker and dev server; PDFs read back as a person or a scanner would.

Each PDF's text is extracted with pypdf (Chinese is real text); page 1 is rendered with
poppler's ``pdftoppm`` into the screenshots folder (``build/screenshots``, or
``EREG_SCREENSHOT_DIR``) and its QR code and barcode are read back with zxing-cpp.
"""

import io
import json
import os
import subprocess
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select, update

from registry import certificates
from registry.db import session_scope
from registry.errors import DomainError
from registry.models import AuditEvent, PhysicianPhoto, Qualification
from registry.reference import CHINA_TIME
from starter.api.main import create_app
from tests.dates import assert_dated_at_completion
from tests.e2e.people import (
    EN,
    HUNAN,
    WUGANG,
    add_filing,
    application,
    decided,
    desk,
    filed,
    new_physician,
    registry_of,
    walk,
)
from tests.e2e.test_portal import portal, sign_in

ROOT = Path(__file__).resolve().parents[2]


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("EREG_SCREENSHOT_DIR", ROOT / "build" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def first_page(pdf: bytes, name: str, dpi: int = 200) -> Image.Image:
    """Page 1 rendered by pdftoppm, kept as a screenshot; the image, for reading codes."""
    folder = screenshot_dir()
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile",
         str(folder / f"{name}.pdf"), str(folder / name)],
        check=True,
    )  # fmt: skip
    return Image.open(folder / f"{name}.png")


def codes(image: Image.Image) -> dict[str, str]:
    return {str(r.format): r.text for r in zxingcpp.read_barcodes(image)}


async def approved_photo(stack, account_id: int) -> None:
    """A photo in force, as if the institution had approved it."""
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 40, 40)).save(out, "JPEG")
    async with session_scope(stack.settings.database_url) as session:
        session.add(
            PhysicianPhoto(
                account_id=account_id,
                status="approved",
                media_type="image/jpeg",
                width=300,
                height=400,
                sha256="f" * 64,
                data=out.getvalue(),
            )
        )


async def get(stack, url: str, headers: dict, status: int = 200) -> httpx.Response:
    response = await stack.api.get(url, headers=headers)
    assert response.status_code == status, response.text[:300]
    return response


async def test_the_form_of_a_confirmed_application(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    await approved_photo(stack, doc.account_id)
    no = await filed(
        stack, doc.headers, "registration", institution_code=HUNAN, category="clinical",
        scope="医学检验、病理",
    )  # fmt: skip
    # Not before the institution has confirmed it.
    early = await get(stack, f"/api/v1/applications/{no}/form.pdf", doc.headers, 409)
    assert early.json()["code"] == "form_not_ready"
    early_en = await stack.api.get(
        f"/api/v1/applications/{no}/form.pdf", headers={**doc.headers, **EN}
    )
    assert "once the institution has confirmed" in early_en.json()["message"]

    staff = await desk(stack, "staff_hunan")
    await decided(stack, staff, no, "institution-decision", "awaiting_documents",
                  decision="approve", comment="经核实信息属实")  # fmt: skip
    response = await get(stack, f"/api/v1/applications/{no}/form.pdf", doc.headers)
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    text = text_of(pdf)
    confirmed_at = next(
        e for e in (await application(stack, doc.headers, no))["timeline"]
        if e["action"] == "institution_approved"
    )["at"]  # fmt: skip
    for fact in (
        "医师执业注册申请审核表",
        no,
        doc.name,
        doc.id_number,
        "湖南省人民医院",
        "H4301020001",
        "临床",
        "医学检验、病理",
        "Laboratory medicine and pathology",
        "湖南省",
        "staff_hunan",
        "经核实信息属实",
        "湖南省卫生健康委员会",
        "湖南省长沙市开福区湘雅路30号",
        "近期免冠照片",
        "健康体检证明",
        "聘用证明",
    ):
        assert fact in text, fact
    at = datetime.fromisoformat(confirmed_at).astimezone(CHINA_TIME)
    assert f"{at:%Y-%m-%d %H:%M}" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1  # the photo in force
    found = codes(first_page(pdf, "application-form"))
    assert found == {"QR Code": no, "Code 128": no}


async def test_who_may_print_a_form_and_the_audit_of_it(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    no = await filed(
        stack,
        doc.headers,
        "registration",
        institution_code=HUNAN,
        category="clinical",
        scope="内科",
    )
    await decided(stack, await desk(stack, "staff_hunan"), no, "institution-decision",
                  "awaiting_documents", decision="approve")  # fmt: skip
    officer = await desk(stack, "officer_hunan")
    await get(stack, f"/api/v1/applications/{no}/form.pdf", officer)
    await get(stack, f"/api/v1/applications/{no}/form.pdf", doc.headers)
    await get(stack, f"/api/v1/applications/{no}/form.pdf", await desk(stack, "staff_anji"), 404)
    async with session_scope(stack.settings.database_url) as session:
        printed = list(
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.application_no == no, AuditEvent.action == "application_form_printed"
                )
            )
        )
    # The officer's print is recorded; the applicant's own is not a view of someone else's data.
    assert [(e.actor_role, e.physician_id) for e in printed] == [
        ("commission_officer", doc.account_id)
    ]


async def test_documents_to_bring(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    no = await filed(
        stack,
        doc.headers,
        "registration",
        institution_code=HUNAN,
        category="clinical",
        scope="内科",
    )
    body = (await get(stack, f"/api/v1/applications/{no}/documents", doc.headers)).json()
    assert body["commission"]["address"].startswith("湖南省长沙市")
    kinds = [d["kind"] for d in body["documents"]]
    # The test qualifications are a year old: a first registration within two years.
    assert kinds[:6] == ["application_form", "photo", "qualification_certificate",
                         "health_certificate", "identity_document", "employment_proof"]  # fmt: skip
    assert "training_proof" not in kinds
    english = (
        await get(stack, f"/api/v1/applications/{no}/documents", {**doc.headers, **EN})
    ).json()
    assert english["documents"][0]["name"] == "Application and review form"
    assert "art. 12(1)" in english["documents"][0]["basis"]


async def test_a_late_first_registration_needs_the_training_proof(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    async with session_scope(stack.settings.database_url) as session:
        await session.execute(
            update(Qualification)
            .where(Qualification.id_number == doc.id_number)
            .values(issued_on=date(2021, 6, 30))
        )
    fields = {"institution_code": HUNAN, "category": "clinical", "scope": "内科"}
    no = await filed(stack, doc.headers, "registration", **fields)
    body = (await get(stack, f"/api/v1/applications/{no}/documents", doc.headers)).json()
    [training] = [d for d in body["documents"] if d["kind"] == "training_proof"]
    assert "2021-06-30" in training["reason"] and "第十二条第二款" in training["basis"]


async def _registered(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    no = await filed(
        stack,
        doc.headers,
        "registration",
        institution_code=HUNAN,
        category="clinical",
        scope="内科",
    )
    decision = await walk(stack, no, HUNAN)
    assert decision["state"] == "completed", decision
    registration = next(
        r for r in (await registry_of(stack, doc))["registrations"]
        if r["certificate_no"] == decision["certificate_no"]
    )  # fmt: skip
    return doc, registration


async def test_the_certificate_verifies_offline_and_online_until_cancelled(stack, faker):
    doc, registration = await _registered(stack, faker)
    url = f"/api/v1/me/registrations/{registration['id']}/certificate.pdf"
    pdf = (await get(stack, url, doc.headers)).content
    text = text_of(pdf)
    for fact in (
        "医师执业电子证照",
        doc.name,
        registration["certificate_no"],
        "执业医师",
        "临床",
        "内科",
        "湖南省",
        "湖南省人民医院",
        "湖南省卫生健康委员会",
        "/verify?certificate_no=",
    ):
        assert fact in text, fact
    assert doc.id_number not in text
    # Downloading again gives the same certificate: its facts have not changed.
    assert (await get(stack, url, doc.headers)).content.count(b"/Type /Page") >= 1
    found = codes(first_page(pdf, "certificate"))
    qr = found["QR Code"]
    link, _, token = qr.partition("#")

    # Offline: the published keys and nothing else.
    jwks = (await get(stack, certificates.KEYS_PATH, {})).json()
    keys = certificates.public_keys_from_jwks(jwks)
    verified = certificates.verify_offline(qr, keys)
    assert verified.facts.name == doc.name
    assert verified.facts.certificate_no == registration["certificate_no"]
    assert verified.facts.institution == ("H4301020001", "湖南省人民医院")
    header, payload, signature = token.split(".")
    forged = json.loads(certificates._unb64(payload))
    forged["scope"] = "外科"
    encoded = certificates._b64(json.dumps(forged, ensure_ascii=False).encode())
    with pytest.raises(DomainError) as refused:
        certificates.verify_offline(f"{header}.{encoded}.{signature}", keys)
    assert refused.value.code == "certificate_invalid"

    # Online: the link names the certificate and its check code, never the holder.
    assert doc.name not in link
    query = httpx.URL(link).params
    verify = f"/api/v1/public/certificates/verify?{httpx.QueryParams(query)}"
    body = (await get(stack, verify, {})).json()
    assert body["status"] == "valid", body
    assert body["certificate"]["name"] == doc.masked_name
    assert doc.id_number not in json.dumps(body, ensure_ascii=False)
    wrong = (
        f"/api/v1/public/certificates/verify?certificate_no={query['certificate_no']}&check=AAAA"
    )
    assert (await get(stack, wrong, {}, 404)).json()["code"] == "certificate_unknown"

    # A filing added since: the certificate no longer states the registration's facts.
    await add_filing(stack, registration["id"], WUGANG)
    body = (await get(stack, verify, {})).json()
    assert body["status"] == "superseded"
    assert body["current"]["filings"][0]["institution"]["code"] == WUGANG

    # Cancelled on the physician's own request: the certificate verifies as cancelled.
    no = await filed(
        stack, doc.headers, "cancellation", registration_id=registration["id"], ground=10
    )
    assert (await walk(stack, no, HUNAN))["state"] == "completed"
    cancelled = await application(stack, doc.headers, no)
    body = (await get(stack, verify, {**EN})).json()
    assert (body["status"], body["status_name"]) == ("cancelled", "Cancelled")
    assert_dated_at_completion(body["since"], cancelled)
    # The offline check still passes: the signature is good; only the registry says it ended.
    assert (
        certificates.verify_offline(qr, keys).facts.certificate_no == registration["certificate_no"]
    )
    refused = await get(stack, url, doc.headers, 409)
    assert refused.json()["code"] == "registration_not_active"


async def test_the_public_register(stack, faker):
    doc, registration = await _registered(stack, faker)
    by_certificate = (
        await get(
            stack,
            f"/api/v1/public/register?name={doc.name}&certificate_no={registration['certificate_no']}",
            {},
        )
    ).json()
    [person] = by_certificate["people"]
    assert person["name"] == doc.name
    [entry] = person["registrations"]
    assert (entry["status"], entry["institution"]["name"]) == ("active", "湖南省人民医院")
    assert (entry["category_name"], entry["scope_name"]) == ("临床", "内科")
    by_institution = (
        await get(stack, f"/api/v1/public/register?name={doc.name}&institution=湖南省人民医院", {})
    ).json()
    assert [p["registrations"][0]["certificate_no"] for p in by_institution["people"]] == [
        registration["certificate_no"]
    ]
    for body in (by_certificate, by_institution):
        seen = json.dumps(body, ensure_ascii=False)
        for private in (doc.id_number, doc.phone, doc.who["email"], doc.who["username"]):
            assert private not in seen

    # Cancellation shows at once, with its date.
    no = await filed(
        stack, doc.headers, "cancellation", registration_id=registration["id"], ground=10
    )
    await walk(stack, no, HUNAN)
    [person] = (
        await get(
            stack,
            f"/api/v1/public/register?name={doc.name}&certificate_no={registration['certificate_no']}",
            {},
        )
    ).json()["people"]
    assert person["registrations"][0]["status"] == "cancelled"
    assert person["registrations"][0]["ended_on"]

    # Nobody is listed without a name and a certificate number or an institution.
    for query in (
        f"name={doc.name}",
        f"institution={HUNAN}",
        f"name={doc.name}&certificate_no=x&institution={HUNAN}",
    ):
        response = await stack.api.get(f"/api/v1/public/register?{query}")
        assert response.status_code == 422, response.text
    assert (
        await get(stack, f"/api/v1/public/register?name=无此人&institution={HUNAN}", {})
    ).json() == {"people": []}


async def test_the_lookup_rate_limit_holds(stack):
    """Per client address, counted in the database (the stack's own API has limits off, as
    every test client shares 127.0.0.1)."""
    limited = create_app(
        stack.settings.model_copy(update={"rate_limit_per_address": True}), stack.client
    )
    transport = httpx.ASGITransport(app=limited, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ereg") as client:
        url = f"/api/v1/public/register?name=无此人&institution={HUNAN}"
        for _ in range(30):
            assert (await client.get(url)).status_code == 200
        refused = await client.get(url)
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) > 0
    other = httpx.ASGITransport(app=limited, client=("198.51.100.8", 40000))
    async with httpx.AsyncClient(transport=other, base_url="http://ereg") as client:
        assert (await client.get(url)).status_code == 200


async def test_the_paper_check_item_by_item_returns_with_the_missing_items(stack, faker):
    """The officer records each required document; a checklist that skips one, names one not
    required or refuses one without a note is refused beside what is wrong. One missing and one
    not acceptable return the application: the physician's page, the SMS and the reprinted
    form list them; resubmitted, it comes back to the counter and all present accepts it."""
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    no = await filed(
        stack, doc.headers, "registration", institution_code=HUNAN, category="clinical",
        scope="内科",
    )  # fmt: skip
    staff, officer = await desk(stack, "staff_hunan"), await desk(stack, "officer_hunan")
    await decided(stack, staff, no, "institution-decision", "awaiting_documents",
                  decision="approve")  # fmt: skip
    kinds = [
        d["kind"]
        for d in (await get(stack, f"/api/v1/applications/{no}/documents", officer)).json()[
            "documents"
        ]
    ]
    present = [{"kind": kind, "status": "present"} for kind in kinds]
    url = f"/api/v1/applications/{no}/paper-check"

    async def refused(items, code, *words, headers=officer):
        response = await stack.api.post(url, headers=headers, json={"items": items})
        assert (response.status_code, response.json()["code"]) == (422, code), response.text
        for word in words:
            assert word in response.json()["message"]

    await refused(present[1:], "document_checklist_incomplete", "医师执业注册申请审核表")
    await refused(
        [*present, {"kind": "filing_agreement", "status": "present"}],
        "document_not_required",
        "备案机构同意执业证明",
    )
    no_note = {"kind": "photo", "status": "not_acceptable"}
    await refused([present[0], no_note, *present[2:]], "document_note_required", "近期免冠照片")
    await refused(
        [present[0], no_note, *present[2:]],
        "document_note_required",
        "Say why 'Recent photos' is not acceptable",
        headers={**officer, **EN},
    )
    assert (await application(stack, doc.headers, no))["state"] == "awaiting_documents"

    findings = [
        {**item, "status": "missing"} if item["kind"] == "employment_proof" else item
        for item in present
    ]
    findings[kinds.index("health_certificate")] = {
        "kind": "health_certificate",
        "status": "not_acceptable",
        "note": "体检表出具于8个月前",
    }
    await decided(stack, officer, no, "paper-check", "returned", items=findings)
    missing = "缺少：聘用证明；不符合要求：健康体检证明（体检表出具于8个月前）"
    await stack.message_about(doc.phone, no, "退回补正", missing)
    seen = await application(stack, {**doc.headers, **EN}, no)
    assert seen["timeline"][-1]["comment"] == (
        "missing: Proof of employment; not acceptable: Health certificate (体检表出具于8个月前)"
    )

    # The physician's page lists them, beside the documents to bring.
    async with portal(stack) as client:
        assert (await sign_in(client, doc.who["username"], doc.who["password"])).status_code == 303
        page = (await client.get(f"/me/applications/{no}")).text
    listed = page.split('id="missing"', 1)[1].split("</section>", 1)[0]
    assert "聘用证明" in listed and "缺少" in listed
    assert "健康体检证明" in listed and "体检表出具于8个月前" in listed
    assert "近期免冠照片" not in listed  # present

    await decided(stack, doc.headers, no, "resubmit", "awaiting_documents")
    pdf = (await get(stack, f"/api/v1/applications/{no}/form.pdf", doc.headers)).content
    text = text_of(pdf).replace("\n", "")
    assert "退回补正" in text and "聘用证明" in text and "体检表出具于8个月前" in text
    first_page(pdf, "application-form-after-return")
    await decided(stack, officer, no, "paper-check", "under_review", items=present)


async def test_the_register_lookup_is_posted_and_its_budget_holds(stack, faker):
    """POST /public/register takes the name in the body (never in a URL); it answers as the
    deprecated GET does, never with an ID number, and spends the same budget per address."""
    doc, registration = await _registered(stack, faker)
    query = {"name": doc.name, "certificate_no": registration["certificate_no"]}
    posted = await stack.api.post("/api/v1/public/register", json=query)
    assert posted.status_code == 200, posted.text
    old = await get(stack, f"/api/v1/public/register?{httpx.QueryParams(query)}", {})
    assert posted.json() == old.json()
    [person] = posted.json()["people"]
    assert person["registrations"][0]["certificate_no"] == registration["certificate_no"]
    seen = posted.text
    for private in (doc.id_number, doc.phone, doc.who["email"]):
        assert private not in seen
    refused = await stack.api.post("/api/v1/public/register", json={"name": doc.name})
    assert (refused.status_code, refused.json()["code"]) == (422, "register_query")

    limited = create_app(
        stack.settings.model_copy(update={"rate_limit_per_address": True}), stack.client
    )
    limited.state.temporal = stack.client  # the pages' dependency (no lifespan here)
    transport = httpx.ASGITransport(app=limited, client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ereg") as client:
        body = {"name": "无此人", "institution": HUNAN}
        for _ in range(30):
            assert (await client.post("/api/v1/public/register", json=body)).status_code == 200
        over = await client.post("/api/v1/public/register", json=body)
        assert (over.status_code, over.json()["code"]) == (429, "rate_limited")
        # The page spends the same budget: its answer says so beside the form.
        page = await client.get("/register")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        answer = await client.post(
            "/register",
            data={"csrf_token": token, **body},
            headers={"Origin": "http://ereg"},
        )
        assert answer.status_code == 429
        assert "操作过于频繁" in answer.text


async def test_the_physician_downloads_the_certificate_from_the_portal(stack, faker):
    """The home page links each registration in force to its certificate; the PDF is the one
    the API gives (same certificate number and check code)."""
    doc, registration = await _registered(stack, faker)
    async with portal(stack) as client:
        assert (await sign_in(client, doc.who["username"], doc.who["password"])).status_code == 303
        home = (await client.get("/me")).text
        link = f"/me/registrations/{registration['id']}/certificate.pdf"
        assert f'href="{link}"' in home
        pdf = await client.get(link)
    assert pdf.headers["content-type"] == "application/pdf"
    text = text_of(pdf.content)
    assert registration["certificate_no"] in text and doc.name in text
    api = await get(stack, f"/api/v1{link}", doc.headers)
    assert codes(first_page(api.content, "certificate-api")) == codes(
        first_page(pdf.content, "certificate-portal")
    )
