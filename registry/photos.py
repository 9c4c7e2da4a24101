"""The physician's photo: what is accepted, and what is kept of it.

A photo is recognised by its content, never by its file name or declared type: the first bytes
must be a JPEG or PNG signature and Pillow must decode it as that same format. The header's
dimensions are checked before any pixel is decoded, so a small file claiming a huge image (a
decompression bomb) costs nothing. What is stored is a re-encoding of the decoded pixels, turned
upright as the camera meant it: EXIF (with its GPS position), XMP, comments and text chunks never
reach the database.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from registry.errors import DomainError

MAX_BYTES = 2 * 1024 * 1024
MIN_WIDTH, MIN_HEIGHT = 300, 400
# Far above any ID photo, far below what would exhaust memory when decoded (about 120 MB RGB).
MAX_PIXELS = 40_000_000
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


def _decode(data: bytes, kind: str) -> Image.Image:
    """Open as ``kind`` only, check the claimed size, then decode every pixel."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[kind])
            if image.width * image.height > MAX_PIXELS:
                raise DomainError("photo_too_many_pixels", {"max_pixels": MAX_PIXELS})
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise DomainError("photo_too_many_pixels", {"max_pixels": MAX_PIXELS}) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise DomainError("photo_format") from None
    return image


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
