"""Reading a PDF as a person does: its text (pypdf; Chinese is real text), its embedded
pictures, and the codes a scanner reads off the printed page (a region rendered by pdftoppm,
read by zxing-cpp). Not a test module: helpers for the PDF tests."""

import hashlib
import io
import subprocess

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from registry.pdf.layout import width

INVISIBLE = {3, 7}  # text render modes that put no ink on the page (ISO 32000 §9.3.6)

A4_HEIGHT = 842  # points, as reportlab's A4 (595.27 × 841.89)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return "\n".join(pages_of(pdf))


def images_of(pdf: bytes, page: int = 0) -> list[bytes]:
    """The pictures embedded on a page, as stored (a JPEG stays the JPEG it was)."""
    return [image.data for image in PdfReader(io.BytesIO(pdf)).pages[page].images]


def text_lines(pdf: bytes) -> list[tuple[int, float, float, float, str]]:
    """Each line of text drawn, as (page index, x, y, size, text): a line's pieces (a run of
    Chinese, a run of Latin) share its starting point, and are joined."""
    lines: dict[tuple[int, float, float, float], str] = {}
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):

        def visit(text, cm, tm, font, size, number=number):
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            key = (number, round(x, 2), round(y, 2), size * tm[0])
            lines[key] = lines.get(key, "") + text

        page.extract_text(visitor_text=visit)
    return [(*key, text) for key, text in lines.items() if text.strip()]


def off_the_page(pdf: bytes) -> list[tuple[int, str]]:
    """The lines of text that do not fit on their page (page index, text): drawn beyond an
    edge, no reader sees them. A line's width is measured in the fonts it is set in."""
    boxes = [
        (float(page.mediabox.width), float(page.mediabox.height))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]
    return [
        (number, text)
        for number, x, y, size, text in text_lines(pdf)
        if not (
            x >= 0
            and x + width(text, size) <= boxes[number][0]
            and 0 <= y <= boxes[number][1] - 0.8 * size
        )
    ]


def render_modes(pdf: bytes) -> set[int]:
    """The text render modes a PDF sets (0 is the default: filled)."""
    reader = PdfReader(io.BytesIO(pdf))
    return {
        int(operands[0])
        for page in reader.pages
        for operands, operator in ContentStream(page.get_contents(), reader).operations
        if operator == b"Tr"
    }


def codes_in(pdf: bytes, top: float, height: float, dpi: int = 150) -> dict[str, str]:
    """The QR codes and barcodes a scanner reads in a band of page 1, ``top`` points from the
    top edge and ``height`` points high (a band, not the page: rendering a whole A4 page takes
    a few tenths of a second)."""
    scale = dpi / 72
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-f", "1", "-l", "1", "-singlefile",
         "-x", "0", "-y", str(int(top * scale)), "-W", str(int(596 * scale)),
         "-H", str(int(height * scale)), "-"],
        input=pdf, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return {
        str(found.format): found.text
        for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    }


def drawing_of(pdf: bytes) -> list[str]:
    """What the pages draw, in the order drawn, one line per line of text, path painted and
    image placed: where the ink lands (points from the bottom left, rounded to 0.01), in which
    font, size, render mode, line width and colour. Text is decoded, so the lines read as the
    page does; a run of more than four filled rectangles in one style (the modules of a QR
    code, the bars of a barcode) is one line: how many, their bounds and a digest of their
    coordinates. Each line starts with its page number, so that a diff says where."""
    reader = PdfReader(io.BytesIO(pdf))
    drawn: list[str] = []
    for number, page in enumerate(reader.pages, 1):
        ink = _Ink(_fonts_of(page))
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            ink.do(operator.decode(), operands)
        drawn += [f"p{number} {line}" for line in _collapse(ink.drawn)]
    return drawn


def _fonts_of(page) -> dict[str, tuple[str, str]]:
    """A page's font resources: name → (base font, codec of its strings). reportlab writes
    Helvetica in WinAnsi and STSong-Light in UCS-2 (two bytes a character)."""
    fonts = page["/Resources"].get("/Font", {})
    found = {}
    for name, font in fonts.items():
        font = font.get_object()
        two_bytes = "UCS2" in str(font.get("/Encoding", ""))
        found[name] = (str(font["/BaseFont"]).lstrip("/"), "utf-16-be" if two_bytes else "cp1252")
    return found


def _n(value) -> str:
    """A number rounded to 0.01 and written short: 45.35433 → 45.35, 24.0 → 24, -0.0 → 0."""
    return f"{round(float(value), 2) + 0.0:.2f}".rstrip("0").rstrip(".")


def _ns(values) -> str:
    return " ".join(_n(v) for v in values)


def _operand(value) -> str:
    return _n(value) if isinstance(value, (int, float)) else str(value)


def _times(m, n):
    """The product of two PDF matrices [a b c d e f]: ``m`` applied, then ``n``."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n  # as in the PDF reference
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)  # fmt: skip


def _point(m, x, y) -> tuple[float, float]:
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


IDENTITY = (1, 0, 0, 1, 0, 0)
STROKED_TEXT = {1, 2, 5, 6}  # render modes that stroke the glyphs' outlines


class _Ink:
    """Follows a content stream's graphics state (transform, line width, colours, render
    mode, saved and restored with q/Q) and writes down each thing it draws. Operators it
    does not know are written down as they are, so nothing drawn passes unseen."""

    IGNORED = {"TL", "n"}  # leading (used by T*, which reportlab does not write); no-op paint

    def __init__(self, fonts: dict[str, tuple[str, str]]) -> None:
        self.fonts = fonts
        self.state = {"ctm": IDENTITY, "w": 1.0, "RG": (0, 0, 0), "rg": (0, 0, 0), "Tr": 0}
        self.saved: list[dict] = []
        self.path: list[tuple] = []
        self.text: list[tuple[str, float, str]] = []  # (font, size, piece)
        self.tm, self.font = IDENTITY, ("?", "cp1252", 0.0)
        self.drawn: list = []  # lines, and (style, rectangles) for painted rectangles

    def do(self, operator: str, operands: list) -> None:
        handler = getattr(self, "op_" + operator, None)
        if handler:
            handler(*operands)
        elif operator in {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}:
            self.paint(operator)
        elif operator not in self.IGNORED:
            self.drawn.append(" ".join([operator, *map(_operand, operands)]))

    # graphics state

    def op_q(self) -> None:
        self.saved.append(dict(self.state))

    def op_Q(self) -> None:  # named as the operator
        self.state = self.saved.pop()

    def op_cm(self, *matrix) -> None:
        self.state["ctm"] = _times([float(v) for v in matrix], self.state["ctm"])

    def op_w(self, width) -> None:
        self.state["w"] = float(width)

    def op_RG(self, *rgb) -> None:
        self.state["RG"] = tuple(float(v) for v in rgb)

    def op_rg(self, *rgb) -> None:
        self.state["rg"] = tuple(float(v) for v in rgb)

    def op_G(self, grey) -> None:
        self.state["RG"] = (float(grey),) * 3

    def op_g(self, grey) -> None:
        self.state["rg"] = (float(grey),) * 3

    # text

    def op_BT(self) -> None:
        self.tm, self.text = IDENTITY, []

    def op_Tm(self, *matrix) -> None:
        self.flush_text()
        self.tm = tuple(float(v) for v in matrix)

    def op_Td(self, tx, ty) -> None:
        self.flush_text()
        self.tm = _times((1, 0, 0, 1, float(tx), float(ty)), self.tm)

    def op_Tf(self, name, size) -> None:
        base, codec = self.fonts.get(str(name), (str(name), "cp1252"))
        self.font = (base, codec, float(size))

    def op_Tr(self, mode) -> None:
        self.state["Tr"] = int(mode)

    def op_Tj(self, string) -> None:
        base, codec, size = self.font
        raw = string.original_bytes if hasattr(string, "original_bytes") else bytes(string)
        self.text.append((base, size, raw.decode(codec, errors="replace")))

    def op_TJ(self, array) -> None:
        for item in array:
            if not isinstance(item, (int, float)):
                self.op_Tj(item)

    def op_ET(self) -> None:
        self.flush_text()

    def flush_text(self) -> None:
        """One drawn line of text: where it starts, its style, then its runs of one font."""
        if not self.text:
            return
        x, y = _point(self.state["ctm"], self.tm[4], self.tm[5])
        style = f"Tr {self.state['Tr']} rg {_ns(self.state['rg'])}"
        if self.state["Tr"] in STROKED_TEXT:
            style += f" w {_n(self.state['w'])} RG {_ns(self.state['RG'])}"
        sizes = {size for _, size, _ in self.text}
        head = f"text {_n(x)} {_n(y)} {' '.join(map(_n, sizes)) if len(sizes) == 1 else ''}"
        runs, last = [], None
        for base, size, piece in self.text:
            if (base, size) != last:
                runs.append(base if len(sizes) == 1 else f"{base} {_n(size)}")
                last = (base, size)
            runs.append(f'"{piece}"')
        self.drawn.append(f"{head.rstrip()} {style} | {' '.join(runs)}")
        self.text = []

    # paths and images

    def op_m(self, x, y) -> None:
        self.path.append(["line", _point(self.state["ctm"], float(x), float(y))])

    def op_l(self, x, y) -> None:
        self.path[-1].append(_point(self.state["ctm"], float(x), float(y)))

    def op_re(self, x, y, w, h) -> None:
        x0, y0 = _point(self.state["ctm"], float(x), float(y))
        x1, y1 = _point(self.state["ctm"], float(x) + float(w), float(y) + float(h))
        self.path.append(["rect", (x0, y0), (x1 - x0, y1 - y0)])

    def op_h(self) -> None:
        self.path[-1][0] = "closed"

    def paint(self, operator: str) -> None:
        stroked = operator not in {"f", "F", "f*"}
        style = operator + (f" w {_n(self.state['w'])} RG {_ns(self.state['RG'])}" * stroked)
        if operator not in {"S", "s"}:
            style += f" rg {_ns(self.state['rg'])}"
        self.drawn.append((style, [tuple(shape) for shape in self.path]))
        self.path = []

    def op_Do(self, name) -> None:
        a, _, _, d, e, f = self.state["ctm"]
        self.drawn.append(f"image {_n(e)} {_n(f)} size {_n(a)} {_n(d)}")


def _shape(shape: tuple) -> str:
    kind, *points = shape
    return f"{kind} {' '.join(_ns(point) for point in points)}"


def _collapse(drawn: list) -> list[str]:
    """Painted paths as lines; consecutive fills of rectangles alone, in one style, of more
    than four rectangles in all, as one line (a QR code is hundreds: their count, bounds and
    digest say where it is and that it is the same code)."""
    lines: list[str] = []
    style, group = None, []
    for item in drawn:
        if isinstance(item, tuple) and _rects(item[1]) and item[0] == style:
            group += item[1]
            continue
        lines += _painted(style, group)
        style, group = None, []
        if isinstance(item, str):
            lines.append(item)
        elif _rects(item[1]):
            style, group = item[0], list(item[1])
        else:
            lines += _painted(*item)
    return lines + _painted(style, group)


def _rects(shapes: list[tuple]) -> bool:
    return bool(shapes) and all(shape[0] == "rect" for shape in shapes)


def _painted(style: str | None, shapes: list[tuple]) -> list[str]:
    if not shapes:
        return []
    if len(shapes) <= 4 or not _rects(shapes):
        return [f"{style} | {'; '.join(_shape(shape) for shape in shapes)}"]
    corners = [(x, y, x + w, y + h) for _, (x, y), (w, h) in shapes]
    bounds = [min(c[0] for c in corners), min(c[1] for c in corners),
              max(c[2] for c in corners), max(c[3] for c in corners)]  # fmt: skip
    digest = hashlib.sha256("; ".join(map(_shape, shapes)).encode()).hexdigest()[:12]
    return [f"{style} | {len(shapes)} rects within {_ns(bounds)} #{digest}"]
