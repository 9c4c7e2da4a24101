"""Password policy and argon2 hashing."""

import pytest

from registry.errors import DomainError
from registry.passwords import check_policy, hash_password, verify_password


@pytest.mark.parametrize(
    "password",
    ["demo2026", "abcdefg1", "1234567a", "Correct horse 9", "密码是abc123", "a1" * 64],
)
def test_acceptable_passwords(password):
    check_policy(password)


@pytest.mark.parametrize(
    "password",
    [
        "",
        "abc1234",  # 7 characters
        "abcdefgh",  # no digit
        "ABCDEFGHIJ",
        "12345678",  # no letter
        "1234 5678 !",
        "密码密码密码密码1",  # Chinese characters are not letters here
        "a1" * 64 + "x",  # 129 characters
    ],
)
def test_weak_passwords_are_rejected(password):
    with pytest.raises(DomainError) as info:
        check_policy(password)
    assert info.value.code == "password_weak"
    assert info.value.status == 422
    assert "8–128" in info.value.message("en")


def test_hash_and_verify_roundtrip():
    hashed = hash_password("demo2026")
    assert hashed.startswith("$argon2")
    assert "demo2026" not in hashed
    assert verify_password(hashed, "demo2026") is True
    assert hash_password("demo2026") != hashed  # salted


@pytest.mark.parametrize("attempt", ["demo2027", "Demo2026", "demo2026 ", "", "demo202"])
def test_wrong_password_is_refused(attempt):
    assert verify_password(hash_password("demo2026"), attempt) is False


@pytest.mark.parametrize("stored", [None, ""])
@pytest.mark.parametrize("attempt", ["demo2026", "", "not-a-real-password-0"])
def test_missing_hash_never_verifies(stored, attempt):
    # "not-a-real-password-0" is the dummy that stands in for a missing hash; it must not log in.
    # Regression: an empty stored hash used to accept it.
    assert verify_password(stored, attempt) is False


@pytest.mark.parametrize("stored", ["not-a-hash", "$argon2id$v=19$garbage", "$2b$12$abcdefghij"])
def test_corrupt_hash_does_not_verify_or_raise(stored):
    assert verify_password(stored, "demo2026") is False
