"""Reading a PDF as a person does: its text (pypdf; Chinese is real text), its embedded
pictures, and the codes a scanner reads off the printed page (a region rendered by pdftoppm,
read by zxing-cpp). Not a test module: helpers for the PDF tests."""

import io
import subprocess

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

INVISIBLE = {3, 7}  # text render modes that put no ink on the page (ISO 32000 §9.3.6)

A4_HEIGHT = 842  # points, as reportlab's A4 (595.27 × 841.89)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return "\n".join(pages_of(pdf))


def images_of(pdf: bytes, page: int = 0) -> list[bytes]:
    """The pictures embedded on a page, as stored (a JPEG stays the JPEG it was)."""
    return [image.data for image in PdfReader(io.BytesIO(pdf)).pages[page].images]


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
