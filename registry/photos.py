"""The physician's photo: what is accepted, and what is kept of it.

A photo is recognised by its content, never by its file name or declared type: the first bytes
must be a JPEG or PNG signature and Pillow must decode it as that same format. The header's
dimensions are checked before any pixel is decoded, so a small file claiming a huge image (a
decompression bomb) costs nothing; after decoding, a JPEG must hold enough coded data for the
size its header claims (a patched header decodes to grey, not to an error). Decoding runs off
the event loop (``accept_async``, ``registry.cpu``). What is stored is a re-encoding of the
decoded pixels, turned upright as the camera meant it: EXIF (with its GPS position), XMP,
comments and text chunks never reach the database.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from registry import cpu
from registry.errors import DomainError

MAX_BYTES = 2 * 1024 * 1024
MIN_WIDTH, MIN_HEIGHT = 300, 400
# Far above any ID photo (a phone's 12 MP fits), and what four decodes at once can hold in memory
# (about 48 MB each in RGB, twice that at 16 bits a channel). A header may claim anything: one
# patched to 6000×6600 on a small JPEG was stored at that size while the bound was 40 MP.
MAX_PIXELS = 16_000_000
JPEG_QUALITY = 90

_SIGNATURES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class Photo:
    """A photo as stored: re-encoded, without metadata."""

    data: bytes
    media_type: str
    width: int
    height: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """``JPEG`` or ``PNG`` from the first bytes, else None."""
    return next((kind for sig, kind in _SIGNATURES.items() if data.startswith(sig)), None)


def accept(data: bytes) -> Photo:
    """Check an upload and return what may be stored; raises ``DomainError`` otherwise."""
    if len(data) > MAX_BYTES:
        raise DomainError("photo_too_large", {"max_mb": MAX_BYTES // (1024 * 1024)})
    kind = sniff(data)
    if kind is None:
        raise DomainError("photo_format")
    image = _decode(data, kind)
    image = ImageOps.exif_transpose(image)  # upright, as the camera meant it
    width, height = image.size
    if height <= width or width < MIN_WIDTH or height < MIN_HEIGHT:
        raise DomainError(
            "photo_dimensions",
            {"width": width, "height": height, "min_width": MIN_WIDTH, "min_height": MIN_HEIGHT},
        )
    encoded = _encode(image, kind)
    return Photo(
        data=encoded,
        media_type=MEDIA_TYPES[kind],
        width=width,
        height=height,
        sha256=hashlib.sha256(encoded).hexdigest(),
    )


async def accept_async(data: bytes) -> Photo:
    """``accept`` in the bounded pool of CPU work: decoding a large photo takes a second of one
    core, during which the API must keep answering."""
    return await cpu.run(accept, data)


def _decode(data: bytes, kind: str) -> Image.Image:
    """Open as ``kind`` only, check the claimed size, then decode every pixel."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[kind])
            if image.width * image.height > MAX_PIXELS:
                raise DomainError("photo_too_many_pixels", {"max_pixels": MAX_PIXELS})
            image.load()
            if kind == "JPEG" and not _data_covers_frame(data, image.size):
                raise DomainError("photo_damaged")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise DomainError("photo_too_many_pixels", {"max_pixels": MAX_PIXELS}) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise DomainError("photo_format") from None
    return image


# Sequential Huffman-coded frames (SOF0, SOF1): every 8×8 block costs at least two bits (a DC
# code and an end-of-block or AC code). Progressive and arithmetic-coded frames can code runs of
# blocks in a few bits, so only the pixel bound holds for them.
_SEQUENTIAL_HUFFMAN = {0xC0, 0xC1}
_NOT_FRAMES = {0xC4, 0xC8, 0xCC}  # DHT, JPG, DAC share the SOF range


def _data_covers_frame(data: bytes, size: tuple[int, int]) -> bool:
    """Whether a JPEG holds enough coded data for the size its header claims. A header patched
    to claim more pixels than were coded decodes without error (the decoder fills the rest with
    grey), so the decoded image alone cannot tell; the bytes can."""
    if _frame_marker(data) not in _SEQUENTIAL_HUFFMAN:
        return True
    width, height = size
    luma_blocks = -(-width // 8) * -(-height // 8)
    return len(data) * 8 >= 2 * luma_blocks


def _frame_marker(data: bytes) -> int | None:
    """The SOFn marker of a JPEG (0xC0…0xCF), walking its segments from the start."""
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if 0xC0 <= marker <= 0xCF and marker not in _NOT_FRAMES:
            return marker
        if marker == 0xD9 or marker == 0xDA:  # end of image, start of scan: no frame before
            return None
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return None


def _encode(image: Image.Image, kind: str) -> bytes:
    """Pixels only: no ``exif``, ``icc_profile``, ``pnginfo`` or comment is passed on."""
    if kind == "JPEG":
        mode = "RGB"
    else:
        mode = image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else "RGBA"
    pixels = image.convert(mode)
    # A new image from the raw pixels carries no ``info`` a plugin could write back by default.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()
