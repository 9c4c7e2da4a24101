"""Password hashing and photo checking off the event loop give what the direct calls give: a
hash the password verifies against, the same verdict on a password, the same stored photo or
the same refusal."""

import io

import pytest
from PIL import Image

from registry import passwords, photos
from registry.errors import DomainError


async def test_a_password_hashed_off_the_loop_verifies_and_only_for_itself():
    hashed = await passwords.hash_async("Tiger2026x")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "Tiger2026x")
    assert not passwords.verify_password(hashed, "Tiger2026y")
    assert await passwords.verify_async(hashed, "Tiger2026x") is True
    assert await passwords.verify_async(hashed, "tiger2026x") is False
    assert await passwords.verify_async(None, "Tiger2026x") is False


async def test_a_photo_checked_off_the_loop_is_the_one_checked_directly():
    buffer = io.BytesIO()
    Image.new("RGB", (360, 480), (200, 120, 80)).save(buffer, "JPEG")
    upload = buffer.getvalue()
    photo = await photos.accept_async(upload)
    assert photo == photos.accept(upload)
    assert (photo.media_type, photo.width, photo.height) == ("image/jpeg", 360, 480)
    with pytest.raises(DomainError) as failed:
        await photos.accept_async(b"not a picture at all")
    assert failed.value.code == "photo_format"
