"""The application and review form (医师执业注册申请审核表) as a PDF.

Pure: ``FormData`` in, bytes out. The service (``starter.services.documents``) puts the
application's facts into words; this module only lays them out: the barcode and the photo at
the top, the applicant, the request, the qualification, the institution's confirmation, the
documents to bring as a checklist the officer ticks, and the commission's part left blank.
The QR code and the barcode both carry the application number alone, which a counter's
scanner types into the officer's search field.
"""

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm

from registry.documents import Document
from registry.pdf.layout import GREY, HEIGHT, MARGIN, WIDTH, Page, width

Label = tuple[str, str]


@dataclass(frozen=True)
class Confirmation:
    """The institution's approval, as the timeline recorded it."""

    institution: str
    by: str
    at: datetime  # China time
    comment: str | None


@dataclass(frozen=True)
class FormData:
    application_no: str
    business: Label
    submitted_at: datetime  # China time
    applicant: list[tuple[Label, str]]
    request: list[tuple[Label, str]]
    qualification: list[tuple[Label, str]]
    confirmation: Confirmation
    commission: tuple[str, str]  # name, address where documents are received
    documents: list[Document]
    photo: bytes | None  # the photo in force, a JPEG at the size printed
    printed_at: datetime  # China time
    # The last paper check returned it: when, and what was missing or not acceptable (zh).
    returned_for: tuple[datetime, str] | None = None


PHOTO_W, PHOTO_H = 30 * mm, 40 * mm


def render(data: FormData) -> bytes:
    page, out = Page.new(
        f"医师执业注册申请审核表 {data.application_no}",
        footer=f"申请编号 {data.application_no} · 打印于 {data.printed_at:%Y-%m-%d %H:%M}"
        "（北京时间）",
    )
    _header(page, data)
    page.heading("一、申请人信息", "Applicant")
    page.rows(data.applicant, columns=2)
    page.heading("二、申请事项", "Request")
    page.rows(data.request)
    if data.qualification:
        page.heading("三、医师资格", "Qualification")
        page.rows(data.qualification, columns=2)
    _confirmation(page, data.confirmation)
    _documents(page, data)
    _commission(page, data)
    return page.finish(out)


def _header(page: Page, data: FormData) -> None:
    top = HEIGHT - MARGIN
    page.text(MARGIN, top - 16, "医师执业注册申请审核表", 18, bold=True)
    page.text(MARGIN, top - 30, "Application and review form — physician practice registration",
              9, color=GREY)  # fmt: skip
    zh, en = data.business
    page.text(MARGIN, top - 52, f"业务类型：{zh}", 11)
    page.text(MARGIN, top - 64, f"Business: {en}", 8.5, color=GREY)
    page.text(MARGIN, top - 84, f"申请编号 Application no.：{data.application_no}", 10.5)
    page.text(MARGIN, top - 98, f"网上提交 Filed online：{data.submitted_at:%Y-%m-%d %H:%M}", 9)
    # The barcode and QR code carry the number only: a scanner types it into the counter page.
    page.barcode(data.application_no, MARGIN + 250, top - 44, 11 * mm)
    page.qr_code(data.application_no, MARGIN + 250, top - 112, 18 * mm)
    page.text(MARGIN + 250 + 20 * mm, top - 90, "扫码办理", 8, color=GREY)
    page.text(MARGIN + 250 + 20 * mm, top - 100, "Scan at the counter", 7, color=GREY)
    x, y = WIDTH - MARGIN - PHOTO_W, top - PHOTO_H
    if data.photo:
        page.image(data.photo, x, y, PHOTO_W, PHOTO_H)
    else:
        page.text(x + 6, y + PHOTO_H / 2 + 4, "请粘贴近期照片", 8, color=GREY)
        page.text(x + 6, y + PHOTO_H / 2 - 6, "Affix a photo", 7, color=GREY)
    page.canvas.setLineWidth(0.5)
    page.canvas.rect(x, y, PHOTO_W, PHOTO_H)
    page.y = min(top - 112, y) - 4


def _confirmation(page: Page, confirmation: Confirmation) -> None:
    page.heading("四、医疗机构确认", "Institution's confirmation")
    page.rows(
        [
            (("确认机构", "Institution"), confirmation.institution),
            (("确认结果", "Decision"), "同意，已确认申请信息属实 · Approved"),
            (("经办人", "Confirmed by"), confirmation.by),
            (("确认时间", "Confirmed at"),
             f"{confirmation.at:%Y-%m-%d %H:%M}（北京时间 China time）"),
            (("意见", "Comment"), confirmation.comment or "—"),
        ]
    )  # fmt: skip
    page.need(22)
    page.y -= 16
    page.text(WIDTH - MARGIN - 150, page.y, "（机构盖章 Stamp）", 9, color=GREY)


def _documents(page: Page, data: FormData) -> None:
    page.heading("五、须提交的纸质材料", "Paper documents to bring (officer ticks)")
    limit = WIDTH - 2 * MARGIN - 150
    for index, document in enumerate(data.documents, 1):
        page.need(40)
        page.y -= 15
        page.text(MARGIN, page.y, f"{index}. {document.name[0]}", 10.5)
        page.text(MARGIN + width(f"{index}. {document.name[0]}", 10.5) + 5, page.y,
                  document.name[1], 8, color=GREY)  # fmt: skip
        x = WIDTH - MARGIN - 140
        for box in ("□ 齐全", "□ 缺", "□ 不符合"):
            x += page.text(x, page.y, box, 9.5) + 10
        detail = document.detail[0]
        if document.reason:
            detail += f"（因：{document.reason[0]}）"
        page.paragraph(MARGIN + 14, f"{detail}  依据：{document.basis[0]}", limit, 8.5)
    if data.returned_for:
        at, missing = data.returned_for
        page.need(30)
        page.y -= 6
        page.paragraph(
            MARGIN,
            f"前次核验（{at:%Y-%m-%d}）退回补正 Returned at the last check：{missing}",
            WIDTH - 2 * MARGIN,
            9.5,
        )


def _commission(page: Page, data: FormData) -> None:
    page.heading("六、卫生健康委审核意见", "Commission's review")
    name, address = data.commission
    page.paragraph(MARGIN, f"受理机关 Commission：{name}", WIDTH - 2 * MARGIN, 10)
    page.paragraph(MARGIN, f"受理地址 Where：{address}", WIDTH - 2 * MARGIN, 10)
    page.need(70)
    page.y -= 22
    page.text(MARGIN, page.y, "材料核验 Documents：□ 齐全 complete  □ 须补正 to complete", 10)
    page.y -= 22
    page.text(MARGIN, page.y, "审核意见 Decision：", 10)
    page.canvas.setLineWidth(0.4)
    page.canvas.line(MARGIN + 95, page.y - 2, WIDTH - MARGIN, page.y - 2)
    page.y -= 24
    page.text(MARGIN, page.y, "经办人 Officer：", 10)
    page.text(MARGIN + 200, page.y, "日期 Date：", 10)
    page.text(WIDTH - MARGIN - 110, page.y, "（盖章 Stamp）", 9, color=GREY)
