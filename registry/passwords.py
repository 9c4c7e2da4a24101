"""Password policy and argon2 hashing."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from registry import cpu
from registry.errors import DomainError

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 30 ms of one core.
# argon2-cffi's default (64 MiB, 3 passes, 4 lanes) cost 280 ms of CPU here, capping sign-ups
# and logins at about 7 a second on 2 cores, a queue an attacker could fill with wrong passwords.
# Hashes made with other parameters still verify and are replaced at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
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


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def hash_async(password: str) -> str:
    """``hash_password`` off the event loop (``registry.cpu``)."""
    return await cpu.run(hash_password, password)


async def verify_async(password_hash: str | None, password: str) -> bool:
    """``verify_password`` off the event loop (``registry.cpu``)."""
    return await cpu.run(verify_password, password_hash, password)
