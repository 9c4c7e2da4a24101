"""Issuing certificates and what the registry says of one later (registry/certificates.py): the
facts as the registry holds them, one certificate per set of facts and key, and a certificate
valid, superseded, cancelled or no longer valid as its registration moves on. On a migrated,
seeded database (tests/unit/registry_db.py); the end-to-end test
``tests/e2e/test_documents.py::test_the_certificate_verifies_offline_and_online_until_cancelled``
goes through the API."""

import base64
import json
import os
from datetime import date

import pytest
from sqlalchemy import func, select

from registry import certificates as c
from registry.errors import DomainError
from registry.models import Certificate, Filing, Registration
from tests.unit.registry_db import session_fixture, template_fixture  # noqa: F401

HUNAN, WUGANG, HANGZHOU = "H4301020001", "H4305810001", "H3301020001"
TODAY = date(2026, 11, 27)


def keyring(active: str = "c1", **more) -> c.SigningKeys:
    seed = base64.b64encode(os.urandom(32)).decode()
    return c.SigningKeys.parse(json.dumps({"active": active, "keys": {active: seed}, **more}))


KEYS = keyring()


async def registration(session, **changes) -> Registration:
    values = dict(
        id_number="430102198001010011", name="赵敏", level="physician", category="clinical",
        scope="内科", location_code="430000", institution_code=HUNAN,
        certificate_no="110430000000101", registered_on=date(2022, 3, 1),
    )  # fmt: skip
    found = Registration(**{**values, **changes})
    session.add(found)
    await session.flush()
    return found


async def filing(session, registration, institution, start, end=None, status="active"):
    session.add(
        Filing(registration_id=registration.id, institution_code=institution,
               start_on=start, end_on=end, status=status)
    )  # fmt: skip
    await session.flush()


async def test_the_facts_now_are_the_registrations_with_names_and_filings_in_force(session):
    held = await registration(session)
    await filing(session, held, HANGZHOU, date(2025, 6, 1), date(2027, 5, 31))
    await filing(session, held, WUGANG, date(2024, 3, 1))
    await filing(session, held, "H3305230001", date(2023, 1, 1), status="cancelled")
    other = await registration(session, certificate_no="110430000000102", id_number="x" * 18)
    await filing(session, other, WUGANG, date(2020, 1, 1))

    facts = await c.facts_now(session, held)
    assert facts == c.Facts(
        certificate_no="110430000000101",
        name="赵敏",
        level="physician",
        category="clinical",
        scope="内科",
        location_code="430000",
        institution=(HUNAN, "湖南省人民医院"),
        commission=("430000", "湖南省卫生健康委员会"),
        registered_on=date(2022, 3, 1),
        filings=(
            (WUGANG, "武冈市人民医院", date(2024, 3, 1), None),
            (HANGZHOU, "杭州市第一人民医院", date(2025, 6, 1), date(2027, 5, 31)),
        ),
    )
    # An institution of a county commission: that commission issues.
    wugang = await registration(session, certificate_no="110430000000103", institution_code=WUGANG)
    assert (await c.facts_now(session, wugang)).commission[0] == "430581"


async def test_the_same_facts_under_the_same_key_are_one_certificate(session):
    held = await registration(session)
    facts = await c.facts_now(session, held)
    first = await c.issue(session, KEYS, held, facts, TODAY)
    assert (first.registration_id, first.certificate_no, first.key_id, first.issued_on) == (
        held.id, "110430000000101", "c1", TODAY,
    )  # fmt: skip
    assert first.check_code == c.check_code(first.token)
    assert c.verify_offline(first.token, KEYS.public_keys()).facts == facts
    # Downloaded again a day later: the same certificate, dated as first issued.
    again = await c.issue(session, KEYS, held, await c.facts_now(session, held), date(2026, 11, 28))
    assert again.id == first.id and again.issued_on == TODAY
    # A new active key signs a new one; so do changed facts.
    rotated = await c.issue(session, keyring("c2"), held, facts, date(2026, 11, 28))
    assert rotated.id != first.id and rotated.key_id == "c2"
    await filing(session, held, WUGANG, date(2026, 11, 28))
    changed = await c.issue(
        session, KEYS, held, await c.facts_now(session, held), date(2026, 11, 29)
    )
    assert changed.id not in (first.id, rotated.id) and changed.issued_on == date(2026, 11, 29)
    count = await session.scalar(select(func.count()).select_from(Certificate))
    assert count == 3


@pytest.mark.parametrize(
    "changes", [{"status": "cancelled"}, {"status": "superseded"}, {"certificate_no": None}]
)
async def test_only_an_active_registration_with_a_number_gets_a_certificate(session, changes):
    ended = await registration(session, **changes)
    facts = await c.facts_now(session, ended)
    with pytest.raises(DomainError) as refused:
        await c.issue(session, KEYS, ended, facts, TODAY)
    assert refused.value.code == "registration_not_active"


async def test_a_certificate_is_valid_while_its_facts_stand(session):
    held = await registration(session)
    await filing(session, held, HANGZHOU, date(2025, 6, 1), date(2027, 5, 31))  # until a day
    issued = await c.issue(session, KEYS, held, await c.facts_now(session, held), TODAY)
    # Typed by hand: spaces around, the code in lower case.
    found = await c.standing(session, " 110430000000101 ", f" {issued.check_code.lower()} ")
    assert found.certificate.id == issued.id
    assert (found.status, found.since, found.current) == (c.CertificateStatus.valid, None, None)
    assert found.facts == await c.facts_now(session, held)
    assert found.facts.filings == (
        (HANGZHOU, "杭州市第一人民医院", date(2025, 6, 1), date(2027, 5, 31)),
    )


async def test_a_later_change_supersedes_the_certificate_and_says_what_holds_now(session):
    held = await registration(session)
    stated = await c.facts_now(session, held)
    issued = await c.issue(session, KEYS, held, stated, TODAY)
    held.scope = "外科"
    await session.flush()
    found = await c.standing(session, held.certificate_no, issued.check_code)
    assert found.status == c.CertificateStatus.superseded
    assert found.certificate.id == issued.id
    assert found.facts == stated  # what the certificate says
    assert found.current.scope == "外科" and found.current == await c.facts_now(session, held)
    assert found.since is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("cancelled", c.CertificateStatus.cancelled),
        ("superseded", c.CertificateStatus.superseded),  # an upgrade replaced it
        ("invalid", c.CertificateStatus.invalid),  # moved to the military
    ],
)
async def test_an_ended_registration_ends_its_certificates_from_that_day(session, status, expected):
    held = await registration(session)
    stated = await c.facts_now(session, held)
    issued = await c.issue(session, KEYS, held, stated, TODAY)
    held.status, held.ended_on = status, date(2026, 12, 3)
    await session.flush()
    found = await c.standing(session, held.certificate_no, issued.check_code)
    assert (found.status, found.since, found.current) == (expected, date(2026, 12, 3), None)
    assert found.certificate.id == issued.id
    assert found.facts == stated


async def test_any_other_number_and_code_pair_is_unknown(session):
    held = await registration(session)
    issued = await c.issue(session, KEYS, held, await c.facts_now(session, held), TODAY)
    other = await registration(session, certificate_no="110430000000102", id_number="y" * 18)
    theirs = await c.issue(session, KEYS, other, await c.facts_now(session, other), TODAY)
    for number, code in [
        ("110430000000101", "AAAAAAAAAA"),
        ("110430000000101", theirs.check_code),  # a real code of another certificate
        ("110430000000102", issued.check_code),
    ]:
        with pytest.raises(DomainError) as refused:
            await c.standing(session, number, code)
        assert refused.value.code == "certificate_unknown"


def test_the_keys_come_from_the_setting_else_from_the_key_file(tmp_path):
    text = json.dumps({"active": "c1", "keys": {"c1": base64.b64encode(os.urandom(32)).decode()}})
    other = json.dumps({"active": "f1", "keys": {"f1": base64.b64encode(os.urandom(32)).decode()}})
    path = tmp_path / "certificate-keys.json"
    path.write_text(other)
    assert c.load_keys(text, path).active == "c1"  # the setting wins
    assert c.load_keys("", path).active == "f1"
    for missing in (tmp_path / "missing.json", None):
        with pytest.raises(ValueError) as refused:
            c.load_keys("", missing)
        assert str(refused.value) == (
            "no certificate signing key: set EREG_CERTIFICATE_SIGNING_KEY or "
            "EREG_CERTIFICATE_SIGNING_KEY_FILE"
        )


def test_a_keyring_that_cannot_sign_or_is_ambiguous_says_why():
    seed = base64.b64encode(os.urandom(32)).decode()
    public = base64.b64encode(keyring().public_keys()["c1"].public_bytes_raw()).decode()
    with pytest.raises(ValueError) as inactive:
        c.SigningKeys.parse(json.dumps({"active": "c2", "keys": {"c1": seed}}))
    assert str(inactive.value) == "the active certificate key 'c2' is not in the keyring"
    with pytest.raises(ValueError) as both:
        c.SigningKeys.parse(
            json.dumps({"active": "c1", "keys": {"c1": seed}, "retired": {"c1": public}})
        )
    assert str(both.value) == "a certificate key id is both in keys and retired"
    short = base64.b64encode(os.urandom(16)).decode()
    with pytest.raises(ValueError) as seed_size:
        c.SigningKeys.parse(json.dumps({"active": "c1", "keys": {"c1": short}}))
    assert str(seed_size.value) == "certificate key 'c1' must be a 32-byte Ed25519 seed"


async def test_two_requests_issuing_at_once_get_the_same_certificate(session, monkeypatch):
    """The second request looked before the first had written (so found nothing), then its
    insert meets the first one's certificate: it answers with that one, not an error."""
    held = await registration(session)
    facts = await c.facts_now(session, held)
    first = await c.issue(session, KEYS, held, facts, TODAY)
    looked = []
    real = c._issued

    async def not_yet_written(*args):
        looked.append(args)
        return None if len(looked) == 1 else await real(*args)

    monkeypatch.setattr(c, "_issued", not_yet_written)
    second = await c.issue(session, KEYS, held, facts, TODAY)
    assert second.id == first.id and len(looked) == 2
    assert looked[1] == (session, held.id, facts.digest(), "c1")
    count = await session.scalar(select(func.count()).select_from(Certificate))
    assert count == 1
