"""Drawing text, boxes, QR codes and barcodes on A4 pages with reportlab.

Fonts: Chinese is set in ``STSong-Light``, one of the CID fonts every PDF reader knows (Adobe's
Asian font packs, poppler with any CJK font, pdf.js, the system fonts of every Chinese desktop)
and that reportlab writes without embedding anything; Latin text and the punctuation Adobe-GB1
renders poorly (the middle dot of minority names, ``·``) are set in Helvetica, one of the 14
standard fonts. So generating a PDF needs no font file, text stays real text (copied, searched,
extracted), and a file weighs a few kilobytes plus the photo. Chinese has no bold face here:
headings are drawn filled and stroked (text render mode 2).
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import zxingcpp
from reportlab import rl_config
from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

CJK = "STSong-Light"
LATIN = "Helvetica"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))
rl_config.useA85 = 0  # binary streams: ASCII85 only made files larger and slower to write

WIDTH, HEIGHT = A4
MARGIN = 16 * mm
GREY = (0.45, 0.45, 0.45)


def _font_of(char: str) -> str:
    return LATIN if ord(char) < 0x100 else CJK


@lru_cache(maxsize=8192)
def runs(text: str) -> tuple[tuple[str, str], ...]:
    """``text`` cut into (font, piece) runs: Latin-1 in Helvetica, the rest in STSong. Labels
    repeat from one document to the next: remembered."""
    found, start, current = [], 0, None
    for i, char in enumerate(text):
        font = _font_of(char)
        if font != current and i > start:
            found.append((current, text[start:i]))
            start = i
        current = font
    if text:
        found.append((current, text[start:]))
    return tuple(found)


@lru_cache(maxsize=8192)
def width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in runs(text))


def wrap(text: str, limit: float, size: float) -> list[str]:
    """Lines no wider than ``limit``: Chinese breaks anywhere, Latin words at spaces, and a
    word longer than a line (an address) on lines of its own, broken after a ``/``, ``.``,
    ``?``, ``&``, ``=``, ``-`` or ``_`` where it can be."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _tokens(paragraph):
            if width(token.lstrip(), size) > limit:
                if line:
                    lines.append(line.rstrip())
                *full, token = _pieces(token.lstrip(), limit, size)
                lines += full
                line, used = "", 0.0
            wide = width(token, size)
            if line and used + wide > limit:
                lines.append(line.rstrip())
                line = token.lstrip()
                used = width(line, size)
            else:
                line += token
                used += wide
        lines.append(line.rstrip())
    return lines


_BREAKS = "/.?&=-_"


def _pieces(word: str, limit: float, size: float) -> list[str]:
    """``word`` in pieces no wider than a line: each ends after the last break mark in the
    second half of what fits, else where the line is full (a character at least)."""
    pieces = []
    while len(word) > 1 and width(word, size) > limit:
        fit = next((n for n in range(len(word) - 1, 1, -1) if width(word[:n], size) <= limit), 1)
        mark = max(word.rfind(char, 0, fit) for char in _BREAKS) + 1
        cut = mark if mark > fit // 2 else fit
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def _tokens(text: str) -> Iterator[str]:
    """Words (with the space before them) for Latin, single characters for Chinese."""
    word = ""
    for char in text:
        if _font_of(char) == LATIN and char != " ":
            word += char
            continue
        if word:
            yield word
            word = ""
        if char == " ":
            word = " "
        else:
            yield char
    if word:
        yield word


class _Jpeg(ImageReader):
    """A JPEG for ``drawImage``. reportlab names an image by the digest of its decoded pixels
    (about 10 ms for a photo); the JPEG's own bytes name it as well, and the image itself is
    passed through undecoded."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._bytes = data
        self._dataA = None  # no alpha channel (set by getRGBData in the original)

    def getRGBData(self) -> bytes:  # noqa: N802 (reportlab's name)
        return self._bytes


@dataclass
class Page:
    """A canvas with a cursor that moves down the page and turns it when full."""

    canvas: Canvas
    y: float = HEIGHT - MARGIN
    number: int = 1
    footer: str = ""

    @classmethod
    def new(cls, title: str, footer: str = "") -> tuple["Page", io.BytesIO]:
        out = io.BytesIO()
        canvas = Canvas(out, pagesize=A4, pageCompression=1)
        canvas.setTitle(title)
        canvas.setAuthor("ereg")
        return cls(canvas, footer=footer), out

    # --- text ----------------------------------------------------------------------------------

    def text(
        self, x: float, y: float, text: str, size: float = 10, *, bold=False, color=None
    ) -> float:
        """Draw one line at (x, y); returns its width."""
        # Render mode and colour are graphics state that outlives the text object (and that
        # reportlab's objects cache): set them inside a saved state, so nothing leaks.
        self.canvas.saveState()
        obj = self.canvas.beginText(x, y)
        if bold:
            obj.setTextRenderMode(2)
            self.canvas.setLineWidth(0.25)
        if color:
            self.canvas.setFillColorRGB(*color)
        for font, piece in runs(text):
            obj.setFont(font, size)
            obj.textOut(piece)
        self.canvas.drawText(obj)
        self.canvas.restoreState()
        return width(text, size)

    def centred(self, y: float, text: str, size: float, *, bold=False, color=None) -> None:
        self.text((WIDTH - width(text, size)) / 2, y, text, size, bold=bold, color=color)

    def paragraph(
        self, x: float, text: str, limit: float, size: float = 9.5, *, color=None
    ) -> None:
        """Wrapped lines from the cursor down (turning the page if needed)."""
        leading = size * 1.45
        for line in wrap(text, limit, size):
            self.need(leading)
            self.y -= leading
            self.text(x, self.y + size * 0.3, line, size, color=color)

    # --- layout --------------------------------------------------------------------------------

    def need(self, height: float) -> None:
        """Turn the page unless ``height`` still fits above the bottom margin."""
        if self.y - height < MARGIN + 14:
            self.turn()

    def turn(self) -> None:
        self._footer()
        self.canvas.showPage()
        self.number += 1
        self.y = HEIGHT - MARGIN

    def finish(self, out: io.BytesIO) -> bytes:
        self._footer()
        self.canvas.save()
        return out.getvalue()

    def _footer(self) -> None:
        if self.footer:
            self.text(MARGIN, MARGIN - 4, self.footer, 7.5, color=GREY)
        label = f"第 {self.number} 页 · page {self.number}"
        self.text(WIDTH - MARGIN - width(label, 7.5), MARGIN - 4, label, 7.5, color=GREY)

    def heading(self, zh: str, en: str) -> None:
        """A section heading with a rule under it."""
        self.need(40)
        self.y -= 20
        drawn = self.text(MARGIN, self.y, zh, 12, bold=True)
        self.text(MARGIN + drawn + 6, self.y, en, 9, color=GREY)
        self.y -= 5
        self.canvas.setLineWidth(0.8)
        self.canvas.line(MARGIN, self.y, WIDTH - MARGIN, self.y)

    def rows(self, rows: list[tuple[tuple[str, str], str]], columns: int = 1) -> None:
        """Label (zh over en) and value cells in a ruled grid, ``columns`` pairs a line."""
        label_w = 30 * mm
        cell_w = (WIDTH - 2 * MARGIN) / columns
        value_w = cell_w - label_w - 8
        for start in range(0, len(rows), columns):
            line = rows[start : start + columns]
            wrapped = [wrap(value or "—", value_w, 10) for _, value in line]
            height = max(24, max(len(w) for w in wrapped) * 13 + 10)
            self.need(height)
            top = self.y
            for i, (((zh, en), _), lines) in enumerate(zip(line, wrapped, strict=True)):
                x = MARGIN + i * cell_w
                self.canvas.setFillColorRGB(0.95, 0.95, 0.95)
                self.canvas.rect(x, top - height, label_w, height, stroke=0, fill=1)
                self.canvas.setFillColorRGB(0, 0, 0)
                self.text(x + 4, top - 11, zh, 9)
                self.text(x + 4, top - 20, en, 6.5, color=GREY)
                for j, value_line in enumerate(lines):
                    self.text(x + label_w + 5, top - 14 - j * 13, value_line, 10)
            self.canvas.setLineWidth(0.4)
            self.canvas.rect(MARGIN, top - height, WIDTH - 2 * MARGIN, height)
            for i in range(len(line)):
                x = MARGIN + i * cell_w
                self.canvas.line(x + label_w, top, x + label_w, top - height)
                if i:
                    self.canvas.line(x, top, x, top - height)
            self.y = top - height

    # --- pictures and codes --------------------------------------------------------------------

    def image(self, jpeg: bytes, x: float, y: float, w: float, h: float) -> None:
        """A JPEG, embedded as it is (DCTDecode): never decoded here."""
        self.canvas.drawImage(_Jpeg(jpeg), x, y, w, h)

    def qr_code(self, content: str, x: float, y: float, size: float, level: str = "M") -> None:
        """A QR code ``size`` wide with its bottom-left corner at (x, y), drawn as vector
        squares; zxing-cpp encodes it (reportlab's pure-Python encoder took 300 ms for a
        certificate's 750 characters)."""
        code = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.QRCode, ec_level=level)
        matrix = memoryview(code.to_image(scale=1, add_quiet_zones=False)).tolist()
        module = size / len(matrix)
        path = self.canvas.beginPath()
        for row, values in enumerate(matrix):
            top = y + size - (row + 1) * module
            column = 0
            while column < len(values):  # one rectangle per run of dark modules
                if values[column]:
                    column += 1
                    continue
                start = column
                while column < len(values) and not values[column]:
                    column += 1
                path.rect(x + start * module, top, (column - start) * module, module)
        self.canvas.drawPath(path, stroke=0, fill=1)

    def barcode(self, content: str, x: float, y: float, height: float = 12 * mm) -> float:
        """A Code 128 barcode with its text under it; returns its width."""
        code = code128.Code128(content, barHeight=height, barWidth=0.9, humanReadable=False)
        code.drawOn(self.canvas, x, y)
        self.text(x + (code.width - width(content, 8)) / 2, y - 9, content, 8)
        return code.width
