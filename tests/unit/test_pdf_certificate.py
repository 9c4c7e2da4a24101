"""The electronic certificate (registry/pdf/certificate.py) as its holder and a checker read it:
the facts in words, who issued it and when, how to verify it (the link, the check code, the
signing key, where the public keys are) and a QR code that a phone scans to the signed facts.

Built from ``CertificateData`` with a real signature (no database, no server); the end-to-end
test ``test_the_certificate_verifies_offline_and_online_until_cancelled`` (tests/e2e/
test_documents.py) builds the same certificate from a registration and verifies it online.
"""

import base64
import io
import json
import os
from dataclasses import replace
from datetime import date

from pypdf import PdfReader

from registry import certificates as c
from registry.pdf.certificate import CertificateData, render
from registry.pdf.layout import width
from tests.unit.pdf_reading import (
    INVISIBLE,
    codes_in,
    drawing_of,
    off_the_page,
    pages_of,
    render_modes,
    text_lines,
    text_of,
)

BASE = "https://ereg.example"
FACTS = c.Facts(
    certificate_no="110430000000005",
    name="刘洋",
    level="physician",
    category="clinical",
    scope="内科",
    location_code="430000",
    institution=("H4301020001", "湖南省人民医院"),
    commission=("430000", "湖南省卫生健康委员会"),
    registered_on=date(2021, 3, 1),
)


def certificate_data(keys: c.SigningKeys) -> CertificateData:
    """The certificate of ``FACTS`` issued on 2026-11-27, signed with ``keys``'s active key
    (Ed25519 signs deterministically: the same key gives the same code and QR code)."""
    token = c.sign(keys, FACTS, date(2026, 11, 27))
    code = c.check_code(token)
    return CertificateData(
        certificate_no=FACTS.certificate_no,
        rows=[
            (("姓名", "Name"), "刘洋"),
            (("执业证书编码", "Certificate no."), FACTS.certificate_no),
            (("医师级别", "Level"), "执业医师 Practising physician"),
            (("执业类别", "Category"), "临床 Clinical"),
            (("执业范围", "Scope"), "内科 Internal medicine"),
            (("执业地点", "Location"), "湖南省 · Hunan"),
            (("主要执业机构", "Primary institution"), "湖南省人民医院"),
            (("注册日期", "Registered on"), "2021-03-01"),
        ],
        commission="湖南省卫生健康委员会",
        issued_on=date(2026, 11, 27),
        link=c.verification_link(BASE, FACTS.certificate_no, code),
        check_code=code,
        key_id=keys.active,
        qr=c.qr_text(BASE, FACTS.certificate_no, token),
        keys_url=f"{BASE}{c.KEYS_PATH}",
    )


def signing_keys(seed: bytes) -> c.SigningKeys:
    """Keys with one active key, ``c7``, from a 32-byte seed."""
    return c.SigningKeys.parse(
        json.dumps({"active": "c7", "keys": {"c7": base64.b64encode(seed).decode()}})
    )


KEYS = signing_keys(os.urandom(32))
DATA = certificate_data(KEYS)
CODE = DATA.check_code


def lines(pdf: bytes) -> list[str]:
    return [line.strip() for line in text_of(pdf).splitlines()]


def test_the_certificate_states_the_registration_and_who_issued_it():
    pdf = render(DATA)
    found = lines(pdf)
    assert found[:2] == ["医师执业电子证照", "Electronic Physician Practice Certificate"]
    rows = found[2 : 2 + 3 * len(DATA.rows)]
    assert rows == [part for (zh, en), value in DATA.rows for part in (zh, en, value)]
    after = found[2 + 3 * len(DATA.rows) :]
    assert after[:2] == [
        "发证机关 Issued by：湖南省卫生健康委员会",
        "发证日期 Issued on：2026-11-27",
    ]
    assert not render_modes(pdf) & INVISIBLE  # the title in ink
    assert PdfReader(io.BytesIO(pdf)).metadata.title == f"医师执业电子证照 {FACTS.certificate_no}"


def test_the_certificate_says_how_to_verify_it_online_and_offline():
    pdf = render(DATA)
    pages = pages_of(pdf)
    assert len(pages) == 1
    found = lines(pdf)
    start = found.index("扫描二维码或访问以下网址，查询本证照是否有效：")
    assert found[start : start + 8] == [
        "扫描二维码或访问以下网址，查询本证照是否有效：",
        "Scan the QR code or open this address to check that it is still valid:",
        f"{BASE}/verify?certificate_no={FACTS.certificate_no}&check={CODE}",
        f"核验码 Check code：{CODE}",
        "签名密钥 Signing key：c7（Ed25519）",
        "离线核验：二维码中“#”之后为 EdDSA 签名的 JWS，公钥见",
        "Offline: the part after “#” is a JWS signed with EdDSA; public keys at",
        f"{BASE}/.well-known/ereg-certificate-keys.json",
    ]
    assert found[-1] == f"执业证书编码 {FACTS.certificate_no} · 核验码 {CODE} 第 1 页 · page 1"


def test_the_qr_code_scans_to_the_signed_facts_which_verify_offline():
    pdf = render(DATA)
    # The bottom band of the page, where the QR code is printed.
    found = codes_in(pdf, top=560, height=282)
    assert found == {"QR Code": DATA.qr}
    verified = c.verify_offline(found["QR Code"], KEYS.public_keys())
    assert verified.facts == FACTS and verified.issued_on == date(2026, 11, 27)


def test_every_line_of_the_certificate_is_on_the_paper():
    assert off_the_page(render(DATA)) == []


def test_the_lines_beside_the_qr_code_keep_clear_of_it_however_long_the_address():
    """A deployment's address may be long; the lines beside the QR code wrap before it, so
    that no word runs into the code (a scanner needs the light margin round it) and every
    word is still printed."""
    base = "https://ereg.wsjkw.hunan.gov.cn/physician-electronic-registration/public-service"
    code = DATA.check_code
    data = replace(
        DATA,
        link=c.verification_link(base, FACTS.certificate_no, code),
        keys_url=f"{base}{c.KEYS_PATH}",
    )
    pdf = render(data)
    qr_left = _qr_left(pdf)
    # page 1, below the facts and above the footer
    beside = [(x, text, size) for page, x, y, size, text in text_lines(pdf) if 60 < y < 260]
    assert len(beside) == 10  # each address on two lines
    for x, text, size in beside:
        assert x + width(text, size) <= qr_left - 11, text
    printed = "".join(text for _, text, _ in beside)
    assert data.link in printed and data.keys_url in printed


def _qr_left(pdf: bytes) -> float:
    """Where the QR code's dark modules begin on the left (the only many-rect drawing)."""
    [line] = [d for d in drawing_of(pdf) if " rects within " in d]
    return float(line.split(" rects within ")[1].split()[0])
