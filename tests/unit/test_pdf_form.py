"""The application and review form (registry/pdf/form.py) as the officer and the physician read
it: the facts in words, the institution's confirmation (who, when, what they said), the
documents to bring with their reasons and articles, the commission's part, the photo in force,
and the application number in the QR code and the barcode for the counter's scanner.

Built from ``FormData`` directly (no database, no server); the end-to-end test
``tests/e2e/test_documents.py::test_the_form_of_a_confirmed_application`` builds the same form
from a real application.
"""

import io
from dataclasses import replace
from datetime import date, datetime

from PIL import Image
from pypdf import PdfReader

from registry.application_types import ApplicationType as T
from registry.documents import Facts, required
from registry.pdf.form import Confirmation, FormData, render
from registry.reference import CHINA_TIME
from tests.unit.pdf_reading import (
    INVISIBLE,
    codes_in,
    images_of,
    off_the_page,
    pages_of,
    render_modes,
    text_of,
)

NO = "A2026112600017"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (354, 472), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


PHOTO = jpeg()
# A first registration almost three years after the qualification: the training proof too.
LATE = Facts(T.registration, date(2026, 11, 26), qualification_issued_on=date(2024, 1, 5))

FORM = FormData(
    application_no=NO,
    business=("首次注册", "First registration"),
    submitted_at=datetime(2026, 11, 26, 9, 30, tzinfo=CHINA_TIME),
    applicant=[
        (("姓名", "Name"), "买买提·艾力"),
        (("性别", "Sex"), "男 Male"),
        (("身份证号", "ID number"), "650102198806124717"),
        (("民族", "Ethnicity"), "维吾尔族"),
        (("通讯地址", "Address"), "湖南省长沙市芙蓉区解放西路61号"),
    ],
    request=[
        (("执业类别", "Category"), "临床 Clinical"),
        (("执业范围", "Scope"), "内科 Internal medicine"),
        (("主要执业机构", "Primary institution"), "湖南省人民医院（H4301020001）"),
    ],
    qualification=[
        (("资格证书编码", "Certificate no."), "200065000000004"),
        (("取得日期", "Issued on"), "2024-01-05"),
    ],
    confirmation=Confirmation(
        institution="湖南省人民医院（H4301020001）",
        by="王芳",
        at=datetime(2026, 11, 27, 14, 5, tzinfo=CHINA_TIME),
        comment="经核实信息属实",
    ),
    commission=("湖南省卫生健康委员会", "湖南省长沙市开福区湘雅路30号"),
    documents=required(LATE, date(2026, 11, 28)),
    photo=PHOTO,
    printed_at=datetime(2026, 11, 28, 10, 0, tzinfo=CHINA_TIME),
)


def lines(pdf: bytes) -> list[str]:
    return [line.strip() for line in text_of(pdf).splitlines()]


def test_the_form_states_the_application_and_its_applicant_in_words():
    pdf = render(FORM)
    found = lines(pdf)
    for line in (
        "医师执业注册申请审核表",
        "Application and review form — physician practice registration",
        "业务类型：首次注册",
        "Business: First registration",
        f"申请编号 Application no.：{NO}",
        "网上提交 Filed online：2026-11-26 09:30",
        "一、申请人信息 Applicant",
        "二、申请事项 Request",
        "三、医师资格 Qualification",
    ):
        assert line in found, line
    text = text_of(pdf)
    for label_zh, label_en, value in [
        (zh, en, value) for rows in (FORM.applicant, FORM.request, FORM.qualification)
        for (zh, en), value in rows
    ]:  # fmt: skip
        assert label_zh in text and label_en in text and value in text, (label_en, value)
    # Sections in the order the officer works through them.
    order = ["一、申请人信息", "二、申请事项", "三、医师资格", "四、医疗机构确认",
             "五、须提交的纸质材料", "六、卫生健康委审核意见"]  # fmt: skip
    assert [text.index(heading) for heading in order] == sorted(text.index(h) for h in order)
    assert not render_modes(pdf) & INVISIBLE  # every word in ink
    assert PdfReader(io.BytesIO(pdf)).metadata.title == f"医师执业注册申请审核表 {NO}"
    assert PdfReader(io.BytesIO(pdf)).metadata.author == "ereg"


def test_the_form_carries_the_institutions_confirmation_who_and_when():
    found = lines(render(FORM))
    block = found[found.index("四、医疗机构确认 Institution's confirmation") :]
    expected = [
        "确认机构", "Institution", "湖南省人民医院（H4301020001）",
        "确认结果", "Decision", "同意，已确认申请信息属实 · Approved",
        "经办人", "Confirmed by", "王芳",
        "确认时间", "Confirmed at", "2026-11-27 14:05（北京时间 China time）",
        "意见", "Comment", "经核实信息属实",
        "（机构盖章 Stamp）",
    ]  # fmt: skip
    assert block[1 : 1 + len(expected)] == expected
    # No comment: a dash where it would be, not an empty cell.
    silent = lines(render(replace(FORM, confirmation=replace(FORM.confirmation, comment=None))))
    at = silent.index("Comment")
    assert silent[at + 1] == "—"


def test_the_documents_to_bring_are_numbered_with_their_reason_and_article():
    text = text_of(render(FORM)).replace("\n", "")  # paragraphs wrap across lines
    names = [d.name for d in FORM.documents]
    assert len(names) == 7  # the form, photo, qualification, health, ID, employment, training
    for number, (zh, en) in enumerate(names, 1):
        assert f"{number}. {zh} {en} □ 齐全 □ 缺 □ 不符合" in text, (number, zh)
    assert "五、须提交的纸质材料 Paper documents to bring (officer ticks)" in text
    training = FORM.documents[-1]
    assert f"{training.detail[0]}（因：{training.reason[0]}）  依据：{training.basis[0]}" in text
    photo = FORM.documents[1]  # no reason: the detail and the article only
    assert f"{photo.detail[0]}  依据：{photo.basis[0]}" in text
    assert "（因：" not in text.split("7. ")[0]  # only the training proof has a reason
    health = FORM.documents[3]
    assert "2026-11-28提交的，出具日期不早于2026-05-28" in health.detail[0]
    assert health.detail[0] in text


def test_a_form_returned_at_the_paper_check_says_what_was_missing():
    plain = text_of(render(FORM))
    assert "退回补正" not in plain
    returned = replace(
        FORM, returned_for=(datetime(2026, 11, 27, 16, 0, tzinfo=CHINA_TIME), "缺少：聘用证明")
    )
    text = text_of(render(returned)).replace("\n", "")
    assert "前次核验（2026-11-27）退回补正 Returned at the last check：缺少：聘用证明" in text
    # After the documents, before the commission's part.
    assert text.index("7. 培训考核合格证明") < text.index("前次核验") < text.index("六、")


def test_the_commissions_part_names_where_to_go_and_is_left_blank():
    found = lines(render(FORM))
    block = found[found.index("六、卫生健康委审核意见 Commission's review") :]
    assert block[1:6] == [
        "受理机关 Commission：湖南省卫生健康委员会",
        "受理地址 Where：湖南省长沙市开福区湘雅路30号",
        "材料核验 Documents：□ 齐全 complete  □ 须补正 to complete",
        "审核意见 Decision：",
        "经办人 Officer： 日期 Date： （盖章 Stamp）",
    ]


def test_every_page_names_the_application_its_printing_time_and_its_number():
    pages = pages_of(render(FORM))
    assert len(pages) == 2  # seven documents do not fit on the first page
    for number, page in enumerate(pages, 1):
        footer = page.strip().splitlines()[-1]
        assert footer == (
            f"申请编号 {NO} · 打印于 2026-11-28 10:00（北京时间） 第 {number} 页 · page {number}"
        )
    # The page turns between documents: none is split, the commission's part ends the form.
    assert "六、卫生健康委审核意见" in pages[-1] and "六、" not in pages[0]
    assert all(f"{n}. " in "".join(pages) for n in range(1, 8))


def test_the_photo_in_force_is_printed_as_it_was_stored():
    assert images_of(render(FORM)) == [PHOTO]  # embedded as the JPEG it is, not re-encoded
    none = render(replace(FORM, photo=None))
    assert images_of(none) == []
    assert "请粘贴近期照片" in lines(none) and "Affix a photo" in lines(none)
    assert "请粘贴近期照片" not in lines(render(FORM))


def test_the_counters_scanner_reads_the_application_number_alone():
    pdf = render(FORM)
    # The header band, where the barcode and the QR code are printed.
    assert codes_in(pdf, top=0, height=175) == {"QR Code": NO, "Code 128": NO}
    found = lines(pdf)
    assert found.count(NO) == 1  # printed once under the barcode, in words a person can type
    assert found.index(NO) < found.index("扫码办理")
    assert "Scan at the counter" in found


def test_every_line_of_the_form_is_on_the_paper():
    assert off_the_page(render(FORM)) == []
    returned = replace(
        FORM, returned_for=(datetime(2026, 11, 27, 16, 0, tzinfo=CHINA_TIME), "缺少：聘用证明")
    )
    assert off_the_page(render(replace(returned, photo=None))) == []
