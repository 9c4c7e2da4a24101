"""Reading a PDF as a person does: its text (pypdf; Chinese is real text), its embedded
pictures, and the codes a scanner reads off the printed page (a region rendered by pdftoppm,
read by zxing-cpp). Not a test module: helpers for the PDF tests."""

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


def off_the_page(pdf: bytes) -> list[tuple[int, str]]:
    """The lines of text that do not fit on their page (page index, text): drawn beyond an
    edge, no reader sees them. A line's pieces share its starting point; its width is
    measured in the fonts it is set in."""
    reader = PdfReader(io.BytesIO(pdf))
    lines: dict[tuple[int, float, float, float], str] = {}
    boxes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]
    for number, page in enumerate(reader.pages):

        def visit(text, cm, tm, font, size, number=number):
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            key = (number, round(x, 2), round(y, 2), size * tm[0])
            lines[key] = lines.get(key, "") + text

        page.extract_text(visitor_text=visit)
    return [
        (number, text)
        for (number, x, y, size), text in lines.items()
        if text.strip()
        and not (
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
