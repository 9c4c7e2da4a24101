"""Laying text out on a page (registry/pdf/layout.py): where a line breaks, that no text is
lost or cut at a page's end, and what each page says at its foot.

Where exactly ink lands (coordinates, sizes, colours) is pinned by ``test_pdf_snapshots.py``;
here, what a reader reads.
"""

from reportlab.lib.units import mm

from registry.pdf.layout import HEIGHT, MARGIN, WIDTH, Page, width, wrap
from tests.unit.pdf_reading import INVISIBLE, off_the_page, pages_of, render_modes


def test_chinese_breaks_between_any_two_characters_and_fills_each_line():
    text = "医疗机构出具的健康体检表，出具不超过6个月，须本人携带原件到卫生健康委现场办理。"
    limit = width("医疗机构出具的健康", 10) + 1  # nine characters a line
    lines = wrap(text, limit, 10)
    assert "".join(lines) == text  # nothing lost, nothing added
    assert all(width(line, 10) <= limit for line in lines)
    assert lines[0] == "医疗机构出具的健康"  # as many as fit, not fewer
    assert len(lines) == 5


def test_latin_breaks_at_spaces_and_keeps_words_whole():
    text = "Issued and stamped by your primary institution within thirty days"
    limit = width("Issued and stamped by", 10) + 1
    lines = wrap(text, limit, 10)
    assert lines == [
        "Issued and stamped by",
        "your primary institution",
        "within thirty days",
    ]  # no line starts or ends with the space it broke at
    assert all(width(line, 10) <= limit for line in lines)
    for line, after in zip(lines, lines[1:], strict=False):  # the next word did not fit
        assert width(f"{line} {after.split()[0]}", 10) > limit


def test_a_word_longer_than_a_line_breaks_after_an_addresss_marks_on_lines_of_its_own():
    """An address wider than the space for it must not run on into what is beside it (the QR
    code): it starts a line, breaks after a ``/``, ``.``, ``?``, ``&``, ``=``, ``-`` or ``_``
    in the second half of what fits, else where the line is full."""
    text = "see https://ereg.example/verify?certificate_no=1 now"
    assert wrap(text, 120, 10) == ["see", "https://ereg.example/", "verify?certificate_no=1", "now"]
    narrow = wrap(text, 60, 10)
    assert narrow == ["see", "https://ereg.", "example/", "verify?certific", "ate_no=1", "now"]
    assert all(width(line, 10) <= 60 for line in narrow)
    assert "".join(narrow[1:-1]) == "https://ereg.example/verify?certificate_no=1"
    # no mark in the second half: as much as fits; nothing fits: a character a line
    assert wrap("a" * 12, width("aaaaa", 10), 10) == ["aaaaa", "aaaaa", "aa"]
    assert wrap("WW", 1, 10) == ["W", "W"]


def test_mixed_text_keeps_latin_words_whole_between_chinese_characters():
    lines = wrap("依据Registration Measures第十二条", width("依据Registration", 10) + 1, 10)
    assert lines == ["依据Registration", "Measures第十二", "条"]


def test_line_breaks_in_the_text_start_new_lines_and_an_empty_text_is_one_empty_line():
    assert wrap("缺少：聘用证明\n说明：请补正", 500, 10) == ["缺少：聘用证明", "说明：请补正"]
    assert wrap("", 500, 10) == [""]
    assert wrap("a  b", 500, 10) == ["a  b"]  # spaces inside a line are kept


def test_a_paragraph_that_reaches_the_bottom_continues_on_a_new_page_with_every_line():
    page, out = Page.new("测试", footer="申请编号 A2026112600017")
    sentences = [f"第{n}句：医疗机构出具的健康体检表，出具不超过6个月。" for n in range(1, 121)]
    page.paragraph(MARGIN, "\n".join(sentences), WIDTH - 2 * MARGIN)
    pages = pages_of(page.finish(out))
    assert len(pages) == 3
    text = "\n".join(pages)
    for sentence in sentences:  # none lost at a page's end, each once
        assert text.count(sentence) == 1, sentence
    # In order, and each page ends with its foot: the footer, then its number.
    assert [text.index(s) for s in sentences] == sorted(text.index(s) for s in sentences)
    for number, content in enumerate(pages, 1):
        last = content.strip().splitlines()[-1]
        assert last == f"申请编号 A2026112600017 第 {number} 页 · page {number}"


def test_a_page_without_a_footer_still_numbers_itself():
    page, out = Page.new("测试")
    page.text(MARGIN, HEIGHT - MARGIN, "只有一行", 10)
    assert [p.strip() for p in pages_of(page.finish(out))] == ["只有一行\n第 1 页 · page 1"]


def test_the_cursor_turns_the_page_only_when_the_next_block_would_not_fit():
    page, _ = Page.new("测试")
    page.y = MARGIN + 14 + 30
    page.need(30)  # fits exactly
    assert page.number == 1
    page.need(31)
    assert (page.number, page.y) == (2, HEIGHT - MARGIN)


def test_rows_print_each_label_in_both_languages_beside_its_value():
    page, out = Page.new("测试")
    page.rows(
        [
            (("姓名", "Name"), "刘洋"),
            (("性别", "Sex"), "男 Male"),
            (("通讯地址", "Address"), ""),  # nothing to say: a dash, not an empty cell
        ],
        columns=2,
    )
    page.heading("二、申请事项", "Request")
    words = pages_of(page.finish(out))[0].split()
    assert words[:11] == [
        "姓名", "Name", "刘洋", "性别", "Sex", "男", "Male", "通讯地址", "Address", "—",
        "二、申请事项",
    ]  # fmt: skip


def test_a_barcode_prints_its_text_under_it_and_says_how_wide_it_is():
    page, out = Page.new("测试")
    drawn = page.barcode("A2026112600017", MARGIN, HEIGHT / 2, 11 * mm)
    assert 100 < drawn < WIDTH - 2 * MARGIN
    assert pages_of(page.finish(out))[0].strip().splitlines()[0] == "A2026112600017"


def test_headings_are_drawn_in_ink_not_as_invisible_text():
    page, out = Page.new("测试")
    page.heading("四、医疗机构确认", "Institution's confirmation")
    page.text(MARGIN, HEIGHT / 2, "医师执业注册申请审核表", 18, bold=True)
    pdf = page.finish(out)
    assert render_modes(pdf) and not render_modes(pdf) & INVISIBLE
    assert pages_of(pdf)[0].splitlines()[:2] == [
        "四、医疗机构确认 Institution's confirmation",
        "医师执业注册申请审核表",
    ]


def test_a_page_full_of_rows_and_headings_keeps_every_line_on_the_paper():
    page, out = Page.new("测试", footer="申请编号 A2026112600017")
    for n in range(1, 13):
        page.heading(f"第{n}节", f"Section {n}")
        page.rows(
            [((f"项目{n}", "Item"), "一段较长的说明文字，" * 6), (("编号", "No."), str(n))], 2
        )
        page.paragraph(MARGIN, "依据《医师执业注册管理办法》第十二条。" * 3, WIDTH - 2 * MARGIN)
    pdf = page.finish(out)
    assert len(pages_of(pdf)) > 1
    assert off_the_page(pdf) == []
    text = "".join(pages_of(pdf))
    assert all(f"第{n}节" in text for n in range(1, 13))
