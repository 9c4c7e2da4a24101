"""Where the ink lands on the certificate and the form, pinned.

A certificate and a form are printed paper with a fixed layout. The other PDF tests check what
a reader reads; these check where and how it is drawn: each page's content stream as a list of
what is drawn (``drawing_of`` in ``tests/unit/pdf_reading.py``: text with its position, font,
size, render mode and colour, lines and rectangles with their width and colour, the photo's
placement), compared with the list committed in ``tests/unit/snapshots/``. A difference fails
with the first lines that moved.

When a layout is changed on purpose, look at the rendered pages first, then rewrite the
snapshots and commit them with the change::

    EREG_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/unit/test_pdf_snapshots.py

An upgrade of reportlab or zxing-cpp may redraw them too (the same way: look, then rewrite).
"""

import difflib
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from registry.pdf import certificate, form
from registry.reference import CHINA_TIME
from tests.unit.pdf_reading import drawing_of, off_the_page
from tests.unit.test_pdf_certificate import certificate_data, signing_keys
from tests.unit.test_pdf_form import FORM

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("EREG_UPDATE_SNAPSHOTS") == "1"
SHOWN = 40  # lines of the diff in a failure: the first differences say what moved

# A fixed signing key: the check code and the QR code are the same at every run.
CERTIFICATE = certificate_data(signing_keys(bytes(range(32))))
RETURNED = replace(
    FORM,
    photo=None,
    returned_for=(datetime(2026, 11, 27, 16, 0, tzinfo=CHINA_TIME), "缺少：聘用证明"),
)

# Long texts where a physician, a commission and an officer may write them: each wraps within
# the paper (an address over several lines of its row).
LONG_TEXTS = replace(
    FORM,
    applicant=[
        *FORM.applicant[:4],
        (
            ("通讯地址", "Address"),
            "新疆维吾尔自治区乌鲁木齐市天山区解放南路街道人民路社区幸福小区3号楼2单元1101室"
            "（Apartment 1101, Unit 2, Building 3, Xingfu Residential Quarter）",
        ),
    ],
    commission=(
        "湖南省卫生健康委员会（政务服务中心医师执业注册窗口，受理时间：工作日上午9:00—12:00，"
        "下午14:00—17:00）",
        "湖南省长沙市开福区湘雅路30号湖南省政务服务中心一楼东区医疗卫生服务专区12号至15号窗口"
        "（地铁1号线湘雅路站2号出口向北200米）",
    ),
    returned_for=(
        datetime(2026, 11, 27, 16, 0, tzinfo=CHINA_TIME),
        "缺少：聘用证明；健康体检证明出具日期早于2026-08-28，须重新出具；身份证复印件不清晰，"
        "须提交原件核对并重新复印；培训考核合格证明未加盖培训机构公章",
    ),
)


def assert_drawn_as_pinned(name: str, pdf: bytes) -> None:
    """``pdf`` draws what ``snapshots/<name>.txt`` says (or, when updating, writes it)."""
    __tracebackhide__ = True  # the failure is the diff, not this function's code
    drawn = drawing_of(pdf)
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(drawn) + "\n", encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path}: EREG_UPDATE_SNAPSHOTS=1 writes it")
    pinned = path.read_text(encoding="utf-8").splitlines()
    if drawn != pinned:
        diff = difflib.unified_diff(pinned, drawn, f"{name} (pinned)", f"{name} (drawn)", n=1)
        lines = [line.rstrip("\n") for line in diff]
        more = f"\n… {len(lines) - SHOWN} more diff lines" if len(lines) > SHOWN else ""
        pytest.fail(f"{name}: the drawing moved\n" + "\n".join(lines[:SHOWN]) + more)


def test_the_certificate_is_drawn_as_pinned():
    assert_drawn_as_pinned("certificate", certificate.render(CERTIFICATE))


def test_the_form_is_drawn_as_pinned():
    assert_drawn_as_pinned("form", form.render(FORM))


def test_a_returned_form_without_a_photo_is_drawn_as_pinned():
    """The other branches of the form: the box to affix a photo in, and the note of what the
    last paper check found missing."""
    assert_drawn_as_pinned("form-returned-without-photo", form.render(RETURNED))


def test_a_form_with_long_addresses_and_notes_is_drawn_as_pinned():
    """Where the commission's name and address and the last check's note wrap: within the
    paper, every word printed."""
    pdf = form.render(LONG_TEXTS)
    assert off_the_page(pdf) == []
    assert_drawn_as_pinned("form-long-texts", pdf)
