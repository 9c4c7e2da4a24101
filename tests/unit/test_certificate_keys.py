"""The certificate keys as a third party fetches them, and the link and check code printed on a
certificate (registry/certificates.py): what a JOSE library or a person typing needs to match."""

import base64
import hashlib
import json
import os
from datetime import date

import pytest

from registry import certificates as c
from tests.unit.test_certificates import FACTS


def keyring(active: str = "c1", **more) -> c.SigningKeys:
    seed = base64.b64encode(os.urandom(32)).decode()
    return c.SigningKeys.parse(json.dumps({"active": active, "keys": {active: seed}, **more}))


def test_the_published_keys_are_rfc_8037_jwks():
    keys = keyring("c3")
    [jwk] = keys.jwks()["keys"]
    raw = keys.public_keys()["c3"].public_bytes_raw()
    assert jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        # base64url without padding (RFC 7515 §2): 43 characters for 32 bytes
        "x": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "kid": "c3",
        "alg": "EdDSA",
        "use": "sig",
        "status": "active",
    }
    assert len(jwk["x"]) == 43 and "=" not in jwk["x"]


def test_only_ed25519_keys_are_taken_from_a_key_set():
    keys = keyring("c1")
    [ours] = keys.jwks()["keys"]
    other_curve = {**ours, "kid": "x1", "crv": "X25519"}  # OKP, but a key-agreement key
    rsa = {"kty": "RSA", "kid": "r1", "n": "AQAB", "e": "AQAB", "crv": "Ed25519"}
    found = c.public_keys_from_jwks({"keys": [rsa, other_curve, ours]})
    assert list(found) == ["c1"]
    assert c.public_keys_from_jwks({}) == {}  # a set without keys: none, not an error


def test_the_check_code_is_the_base32_of_the_signatures_sha256():
    token = c.sign(keyring(), FACTS, date(2026, 11, 27))
    signature = token.split(".")[2]
    digest = hashlib.sha256(base64.urlsafe_b64decode(signature + "==")).digest()
    assert c.check_code(token) == base64.b32encode(digest).decode()[:10]


@pytest.mark.parametrize(
    "base", ["https://ereg.example", "https://ereg.example/", "https://ereg.example//"]
)
def test_the_printed_link_has_one_slash_before_the_page_whatever_the_base(base):
    link = c.verification_link(base, "110430000000005", "ABCDEFGHIJ")
    assert link == "https://ereg.example/verify?certificate_no=110430000000005&check=ABCDEFGHIJ"


def test_a_base_under_a_path_keeps_its_path():
    link = c.verification_link("https://zwfw.example/ereg-X/", "1", "ABCDEFGHIJ")
    assert link == "https://zwfw.example/ereg-X/verify?certificate_no=1&check=ABCDEFGHIJ"
