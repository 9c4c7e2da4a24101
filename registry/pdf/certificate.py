"""The electronic practice certificate (医师执业电子证照) as a PDF.

Pure: ``CertificateData`` in, bytes out. The QR code holds the verification link with the
signed facts after ``#`` (``registry.certificates.qr_text``); the link and the check code are
printed too, for those who type.
"""

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm

from registry.pdf.layout import GREY, HEIGHT, MARGIN, WIDTH, Page, wrap

Label = tuple[str, str]


@dataclass(frozen=True)
class CertificateData:
    certificate_no: str
    rows: list[tuple[Label, str]]  # the facts in words, in the order printed
    commission: str
    issued_on: date
    link: str  # the verification page, with the certificate number and check code
    check_code: str
    key_id: str
    qr: str  # the link and the signed facts
    keys_url: str


QR_SIZE = 58 * mm


def render(data: CertificateData) -> bytes:
    page, out = Page.new(
        f"医师执业电子证照 {data.certificate_no}",
        footer=f"执业证书编码 {data.certificate_no} · 核验码 {data.check_code}",
    )
    canvas = page.canvas
    canvas.setStrokeColorRGB(0.55, 0.1, 0.1)
    canvas.setLineWidth(2.2)
    canvas.rect(MARGIN - 6, MARGIN + 6, WIDTH - 2 * MARGIN + 12, HEIGHT - 2 * MARGIN - 6)
    canvas.setLineWidth(0.6)
    canvas.rect(MARGIN - 2, MARGIN + 10, WIDTH - 2 * MARGIN + 4, HEIGHT - 2 * MARGIN - 14)
    canvas.setStrokeColorRGB(0, 0, 0)
    top = HEIGHT - MARGIN
    page.centred(top - 40, "医师执业电子证照", 24, bold=True, color=(0.55, 0.1, 0.1))
    page.centred(top - 58, "Electronic Physician Practice Certificate", 11, color=GREY)
    page.y = top - 80
    page.rows(data.rows)
    page.y -= 24
    page.text(MARGIN, page.y, f"发证机关 Issued by：{data.commission}", 11)
    page.y -= 18
    page.text(MARGIN, page.y, f"发证日期 Issued on：{data.issued_on:%Y-%m-%d}", 11)
    _verification(page, data)
    return page.finish(out)


def _verification(page: Page, data: CertificateData) -> None:
    """The QR code bottom right; how to verify, online and offline, beside it."""
    x_qr = WIDTH - MARGIN - QR_SIZE - 4
    y_qr = MARGIN + 28
    page.qr_code(data.qr, x_qr, y_qr, QR_SIZE, level="L")
    limit = x_qr - MARGIN - 16
    y = y_qr + QR_SIZE - 8
    lines = [
        ("扫描二维码或访问以下网址，查询本证照是否有效：", 9.5, None),
        ("Scan the QR code or open this address to check that it is still valid:", 8, GREY),
        (data.link, 8, None),
        (f"核验码 Check code：{data.check_code}", 11, None),
        (f"签名密钥 Signing key：{data.key_id}（Ed25519）", 8.5, None),
        ("离线核验：二维码中“#”之后为 EdDSA 签名的 JWS，公钥见", 8, GREY),
        ("Offline: the part after “#” is a JWS signed with EdDSA; public keys at", 7.5, GREY),
        (data.keys_url, 7.5, GREY),
    ]
    for text, size, color in lines:
        for line in wrap(text, limit, size):
            page.text(MARGIN + 4, y, line, size, color=color)
            y -= size * 1.5
        y -= 2
