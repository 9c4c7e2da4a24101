"""One-time codes: made from a secret and the step they belong to, kept only as digests.

A code is derived (HMAC) from the secret and the id of the activity that sends it, so a retried
activity sends the same code again instead of a second, different one. What the workflow stores
and compares is the digest of (account, purpose, code): the plain code exists only in the
message to the physician and in what the physician types.
"""

import hashlib
import hmac

CODE_LENGTH = 6


def make_code(secret: str, delivery_key: str) -> str:
    raw = hmac.new(secret.encode(), f"code:{delivery_key}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(raw[:8], "big") % 10**CODE_LENGTH).zfill(CODE_LENGTH)


def code_digest(secret: str, account_id: int, purpose: str, code: str) -> str:
    message = f"digest:{account_id}:{purpose}:{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def is_code_format(code: str) -> bool:
    return len(code) == CODE_LENGTH and code.isascii() and code.isdigit()
