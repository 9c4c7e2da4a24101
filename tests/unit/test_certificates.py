"""Certificate signatures: signed facts verify offline; tampering, other keys and unknown key
ids do not; rotation keeps old certificates verifiable."""

import base64
import json
import os
from datetime import date

import pytest

from registry import certificates as c
from registry.errors import DomainError

FACTS = c.Facts(
    certificate_no="11432026000001",
    name="买买提·艾力",
    level="physician",
    category="clinical",
    scope="内科",
    location_code="430000",
    institution=("H4301020001", "湖南省人民医院"),
    commission=("430000", "湖南省卫生健康委员会"),
    registered_on=date(2026, 11, 26),
    filings=(("H4305810001", "武冈市人民医院", date(2026, 12, 1), None),),
)
BASE = "https://ereg.example"


def seed() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def keyring(active: str = "c1", **more) -> c.SigningKeys:
    return c.SigningKeys.parse(json.dumps({"active": active, "keys": {active: seed()}, **more}))


def test_a_signed_certificate_verifies_offline_from_the_published_keys():
    keys = keyring()
    token = c.sign(keys, FACTS, date(2026, 11, 27))
    published = c.public_keys_from_jwks(json.loads(json.dumps(keys.jwks())))
    verified = c.verify_offline(c.qr_text(BASE, FACTS.certificate_no, token), published)
    assert verified.facts == FACTS
    assert verified.issued_on == date(2026, 11, 27)
    assert verified.key_id == "c1"


def test_the_qr_link_carries_no_name_before_the_fragment():
    token = c.sign(keyring(), FACTS, date(2026, 11, 27))
    link, _, fragment = c.qr_text(BASE, FACTS.certificate_no, token).partition("#")
    assert link == f"{BASE}/verify?certificate_no=11432026000001&check={c.check_code(token)}"
    assert fragment == token
    assert len(c.check_code(token)) == 10


def _tampered(token: str, change) -> str:
    header, payload, signature = token.split(".")
    facts = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(facts)
    encoded = base64.urlsafe_b64encode(json.dumps(facts, ensure_ascii=False).encode())
    return f"{header}.{encoded.rstrip(b'=').decode()}.{signature}"


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.update(scope="外科"),
        lambda f: f.update(name="张三"),
        lambda f: f["filings"].clear(),
        lambda f: f.update(issued_on="2030-01-01"),
    ],
)
def test_a_tampered_payload_fails(change):
    keys = keyring()
    token = c.sign(keys, FACTS, date(2026, 11, 27))
    with pytest.raises(DomainError) as refused:
        c.verify_offline(_tampered(token, change), keys.public_keys())
    assert refused.value.code == "certificate_invalid"


def test_another_key_or_an_unknown_key_id_fails():
    ours, theirs = keyring("c1"), keyring("c1")  # same id, different key
    forged = c.sign(theirs, FACTS, date(2026, 11, 27))
    with pytest.raises(DomainError):
        c.verify_offline(forged, ours.public_keys())
    stranger = c.sign(keyring("x9"), FACTS, date(2026, 11, 27))
    with pytest.raises(DomainError):
        c.verify_offline(stranger, ours.public_keys())
    with pytest.raises(DomainError):
        c.verify_offline("not a token", ours.public_keys())


def test_rotation_keeps_old_certificates_verifiable():
    old_seed = seed()
    old = c.SigningKeys.parse(json.dumps({"active": "c1", "keys": {"c1": old_seed}}))
    token = c.sign(old, FACTS, date(2025, 1, 1))
    old_public = base64.b64encode(old.public_keys()["c1"].public_bytes_raw()).decode()
    rotated = keyring("c2", retired={"c1": old_public})
    jwks = rotated.jwks()
    assert [(k["kid"], k["status"]) for k in jwks["keys"]] == [("c2", "active"), ("c1", "retired")]
    published = c.public_keys_from_jwks(jwks)
    assert c.verify_offline(token, published).key_id == "c1"
    assert c.verify_offline(c.sign(rotated, FACTS, date(2026, 1, 1)), published).key_id == "c2"


def test_equal_facts_sign_alike_and_digest_alike():
    keys = keyring()
    assert c.sign(keys, FACTS, date(2026, 1, 1)) == c.sign(keys, FACTS, date(2026, 1, 1))
    moved = c.Facts(**{**FACTS.__dict__, "institution": ("H4305810001", "武冈市人民医院")})
    assert FACTS.digest() != moved.digest()
    assert len(FACTS.digest()) == 64


def test_the_signed_form_of_the_facts_does_not_change_between_releases():
    """The registry stores each certificate's digest and the paper carries its check code: if
    the bytes signed for the same facts changed in a release, every certificate would be
    reissued on its next print with a new code. Pinned for one set of facts and a fixed key;
    the payload is compact UTF-8 (a QR code holds only so much), keys in order."""
    assert FACTS.digest() == "f70012ef446d2fb935a9e15e5c15cd20a7cdd25076a6e73050fda3f0ad1be32f"
    fixed = c.SigningKeys.parse(
        json.dumps({"active": "k1", "keys": {"k1": base64.b64encode(bytes(range(32))).decode()}})
    )
    token = c.sign(fixed, FACTS, date(2026, 11, 27))
    assert c.check_code(token) == "KZ73V6V7RC"
    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==")
    assert payload.startswith(b'{"category":"clinical","certificate_no":"11432026000001",')
    assert "买买提·艾力".encode() in payload


@pytest.mark.parametrize(
    ("active", "seed_bytes"),
    [("c2", 32), ("c1", 16)],  # the active id not in the keys; a seed of the wrong size
)
def test_a_bad_keyring_is_refused(active, seed_bytes):
    text = json.dumps(
        {"active": active, "keys": {"c1": base64.b64encode(os.urandom(seed_bytes)).decode()}}
    )
    with pytest.raises(ValueError):
        c.SigningKeys.parse(text)
