"""Photo acceptance on real files made here with Pillow: recognised by content, checked for
size and shape, stripped of metadata, and safe against decompression bombs."""

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from registry import photos
from registry.errors import DomainError

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image(width=360, height=480, mode="RGB", color=(200, 120, 80)) -> Image.Image:
    picture = Image.new(mode, (width, height), color if mode != "L" else 128)
    for x in range(0, width, 7):  # some detail, so the encoders have something to do
        picture.putpixel((x, x % height), (10, 20, 30) if mode != "L" else 10)
    return picture


def jpeg(picture=None, **save) -> bytes:
    out = io.BytesIO()
    (picture or image()).save(out, "JPEG", quality=92, **save)
    return out.getvalue()


def png(picture=None, **save) -> bytes:
    out = io.BytesIO()
    (picture or image()).save(out, "PNG", **save)
    return out.getvalue()


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "CameraApp 1.0"  # Software
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (28.0, 11.0, 30.0), 3: "E", 4: (112.0, 58.0, 0.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return exif


def refused(data: bytes) -> DomainError:
    with pytest.raises(DomainError) as info:
        photos.accept(data)
    return info.value


def test_a_portrait_jpeg_is_accepted():
    photo = photos.accept(jpeg())
    assert (photo.media_type, photo.width, photo.height) == ("image/jpeg", 360, 480)
    assert photos.sniff(photo.data) == "JPEG"
    assert len(photo.sha256) == 64
    assert Image.open(io.BytesIO(photo.data)).size == (360, 480)


def test_a_portrait_png_is_accepted_and_stays_png():
    photo = photos.accept(png(image(mode="RGBA", color=(1, 2, 3, 255))))
    assert (photo.media_type, photo.width, photo.height) == ("image/png", 360, 480)
    assert Image.open(io.BytesIO(photo.data)).format == "PNG"


def test_the_smallest_portrait_accepted_is_300_by_400():
    assert photos.accept(jpeg(image(300, 400))).height == 400


def test_exif_and_gps_are_stripped_from_a_jpeg():
    original = jpeg(exif=exif_with_gps().tobytes(), comment=b"shot at home")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # it was there
    stored = photos.accept(original).data
    reopened = Image.open(io.BytesIO(stored))
    assert not reopened.getexif()
    assert "exif" not in reopened.info and "comment" not in reopened.info
    assert b"Exif" not in stored and b"PhoneMaker" not in stored and b"shot at home" not in stored


def test_text_chunks_and_exif_are_stripped_from_a_png():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Home address: somewhere")
    original = png(pnginfo=info, exif=exif_with_gps().tobytes())
    stored = photos.accept(original).data
    reopened = Image.open(io.BytesIO(stored))
    assert not reopened.getexif() and not reopened.text
    assert b"somewhere" not in stored and b"PhoneMaker" not in stored


def test_a_photo_taken_sideways_is_turned_upright_before_checking():
    # Stored landscape, but EXIF says "rotate 90°": the person is upright in portrait.
    sideways = jpeg(image(480, 360), exif=exif_with_gps(orientation=6).tobytes())
    photo = photos.accept(sideways)
    assert (photo.width, photo.height) == (360, 480)
    assert not Image.open(io.BytesIO(photo.data)).getexif()


@pytest.mark.parametrize("size", [(480, 360), (400, 400), (299, 480), (360, 399)])
def test_landscape_square_or_too_small_is_refused(size):
    error = refused(jpeg(image(*size)))
    assert error.code == "photo_dimensions"
    assert (error.params["width"], error.params["height"]) == size
    assert error.status == 422
    width, height = size
    assert error.message() == f"照片须为竖版，且不小于300×400像素；当前为{width}×{height}。"


def test_more_than_2_mb_is_refused():
    big = jpeg() + b"\0" * (photos.MAX_BYTES)  # a valid JPEG padded beyond the limit
    error = refused(big)
    assert (error.code, error.status, error.params["max_mb"]) == ("photo_too_large", 413, 2)
    assert error.message() == "照片不能超过2MB。"
    # exactly the limit is within it
    exact = jpeg() + b"\0" * (photos.MAX_BYTES - len(jpeg()))
    assert len(exact) == photos.MAX_BYTES and photos.accept(exact).width == 360


def test_a_text_file_named_jpg_is_refused(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_text("this is not a picture\n")
    assert refused(path.read_bytes()).code == "photo_format"


def test_a_gif_is_refused():
    out = io.BytesIO()
    image().save(out, "GIF")
    error = refused(out.getvalue())
    assert (error.code, error.status) == ("photo_format", 415)


def test_a_jpeg_signature_on_a_png_body_is_refused():
    assert refused(b"\xff\xd8\xff" + png()[3:]).code == "photo_format"


def test_a_truncated_jpeg_is_refused():
    assert refused(jpeg()[:2000]).code == "photo_format"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_a_decompression_bomb_is_refused_before_decoding():
    # A PNG whose header claims 100000×100000 pixels: 10 gigapixels in a few dozen bytes.
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + _chunk(b"IEND", b"")
    )
    assert len(bomb) < 200
    error = refused(bomb)
    assert error.code == "photo_too_many_pixels"
    assert error.message() == "图片像素过多（上限16000000像素），请缩小后再上传。"


def test_a_large_but_honest_image_within_the_pixel_limit_is_not_mistaken_for_a_bomb():
    assert photos.MAX_PIXELS >= 4032 * 3024  # a phone's 12 MP
    assert photos.accept(jpeg(image(1200, 1600))).width == 1200


def patched(data: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header (SOF0) claiming another size; the coded data unchanged."""
    at = data.index(b"\xff\xc0") + 5
    return data[:at] + struct.pack(">HH", height, width) + data[at + 4 :]


def test_a_jpeg_header_patched_to_claim_a_huge_size_is_refused():
    # Issue #19: a small JPEG patched to claim 6000×6600 was stored at that size.
    claim = patched(jpeg(image(600, 800)), 6000, 6600)
    assert refused(claim).code == "photo_too_many_pixels"
    assert "上限16000000像素" in refused(claim).message()
    # exactly the pixel limit is within it (and then found short of coded data)
    assert photos.MAX_PIXELS == 4000 * 4000
    assert refused(patched(jpeg(image(600, 800)), 4000, 4000)).code == "photo_damaged"


def camera_exif() -> bytes:
    """What a phone writes before the frame: an Exif block longer than 256 bytes."""
    exif = Image.Exif()
    exif[0x010E] = "门诊楼前 " * 60  # ImageDescription
    exif[0x010F] = "Huawei"  # Make
    return exif.tobytes()


@pytest.mark.parametrize("save", [{}, {"exif": camera_exif()}], ids=["plain", "with-exif"])
def test_a_jpeg_header_claiming_more_pixels_than_were_coded_is_refused(save):
    # Within the pixel bound, it decodes without error (the missing blocks come out grey): the
    # coded data is too short for the claimed size. The frame header is found past whatever
    # segments come before it (a phone's Exif block is longer than a byte can count).
    claim = patched(jpeg(image(600, 800), **save), 3000, 4000)
    assert refused(claim).code == "photo_damaged"
    assert refused(claim).status == 422


@pytest.mark.parametrize("save", [{}, {"optimize": True}, {"progressive": True}])
def test_an_honest_large_jpeg_of_one_colour_is_accepted(save):
    # The smallest honest coding of this size: one colour, optimised tables.
    plain = Image.new("RGB", (3000, 4000), (250, 250, 250))
    accepted = photos.accept(jpeg(plain, **save))
    assert (accepted.width, accepted.height) == (3000, 4000)


@pytest.mark.parametrize(
    ("mode", "stored"),
    [("RGB", "RGB"), ("RGBA", "RGBA"), ("L", "L"), ("LA", "LA"), ("P", "RGBA"), ("I;16", "RGBA")],
)
def test_a_png_keeps_its_colours_and_transparency_in_a_mode_every_reader_takes(mode, stored):
    """Grey stays grey and transparency stays (no needless growth, no lost alpha); a palette or
    16-bit image becomes RGBA, which every browser and PDF renderer draws alike."""
    picture = image().convert(mode)
    accepted = photos.accept(png(picture))
    assert accepted.media_type == "image/png"
    assert Image.open(io.BytesIO(accepted.data)).mode == stored


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_a_jpeg_is_stored_as_rgb_whatever_it_came_in(mode):
    picture = image().convert(mode)
    accepted = photos.accept(jpeg(picture))
    assert accepted.media_type == "image/jpeg"
    assert Image.open(io.BytesIO(accepted.data)).mode == "RGB"
