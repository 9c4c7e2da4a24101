"""Password policy and argon2 hashing."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from registry.errors import DomainError

_hasher = PasswordHasher()
# Hashed once so that a login for an unknown user costs as much as one for a known user.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def check_policy(password: str) -> None:
    ok = (
        8 <= len(password) <= 128
        and re.search(r"[A-Za-z]", password)
        and re.search(r"\d", password)
    )
    if not ok:
        raise DomainError("password_weak")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
