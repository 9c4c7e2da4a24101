"""Password policy and argon2 hashing."""

import pytest
from argon2 import PasswordHasher

from registry.errors import DomainError
from registry.passwords import check_policy, hash_password, needs_rehash, verify_password


@pytest.mark.parametrize(
    "password",
    ["demo2026", "abcdefg1", "ABCDEFG1", "1234567a", "Correct horse 9", "密码是abc123", "a1" * 64],
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


def test_hashes_use_owasp_parameters():
    # argon2id, 19 MiB, 2 passes, 1 lane: OWASP's recommended minimum.
    assert hash_password("demo2026").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_older_parameters_still_verify_and_ask_for_a_new_hash():
    older = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash("demo2026")
    assert verify_password(older, "demo2026") is True
    assert needs_rehash(older) is True
    assert needs_rehash(hash_password("demo2026")) is False
    assert needs_rehash("not-a-hash") is False
