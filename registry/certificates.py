"""Electronic practice certificates (电子证照): facts, Ed25519 signatures, keys and status.

A certificate states a registration's facts — name, certificate number, level, category, scope,
location, primary institution, filings, the commission, the registration and issue dates —
signed as a compact JWS (RFC 7515, ``alg: EdDSA``, RFC 8037) under a key id. Its QR code holds
the verification page's address with the JWS after ``#``: a phone opens the page, whose address
carries only the certificate number and a check code (no name ever reaches a server or a log);
anyone can take the part after ``#`` and check the signature offline against the public keys
published at ``/.well-known/ereg-certificate-keys.json`` (a JWK set), with any JOSE library or
:func:`verify_offline`.

Keys come from ``EREG_CERTIFICATE_SIGNING_KEY`` or its file: ``{"active": "c2", "keys": {"c2":
"<base64 32-byte seed>"}, "retired": {"c1": "<base64 public key>"}}``. To rotate, add a key and
make it active; an old key may move to ``retired`` as its public half alone, so that the
certificates it signed still verify while it can sign nothing more.

Online, a certificate is *valid* while its registration is active with the same facts;
*superseded* when a later change altered them (or an upgrade replaced the registration);
*cancelled* or *invalid* (a transfer to the military) once the registration ended.
"""

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.errors import DomainError
from registry.models import Certificate, Commission, Filing, Institution, Registration

FORMAT = 1  # the payload's "v": what its fields mean
JWS_TYPE = "ereg-certificate+jws"
VERIFY_PATH = "/verify"  # the public verification page, under the public base URL
KEYS_PATH = "/.well-known/ereg-certificate-keys.json"


class CertificateStatus(StrEnum):
    valid = "valid"
    superseded = "superseded"
    cancelled = "cancelled"
    invalid = "invalid"


STATUS_NAMES: dict[CertificateStatus, tuple[str, str]] = {
    CertificateStatus.valid: ("有效", "Valid"),
    CertificateStatus.superseded: ("已被后续变更取代", "Superseded by a later change"),
    CertificateStatus.cancelled: ("已注销", "Cancelled"),
    CertificateStatus.invalid: ("已失效", "No longer valid"),
}

# A registration's status → the status of every certificate issued for it.
_ENDED = {
    "cancelled": CertificateStatus.cancelled,
    "superseded": CertificateStatus.superseded,
    "invalid": CertificateStatus.invalid,
}


# --- keys ------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class SigningKeys:
    """Private keys by id (the active one signs) and retired public keys that still verify."""

    active: str
    private: Mapping[str, Ed25519PrivateKey]
    retired: Mapping[str, Ed25519PublicKey] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.active not in self.private:
            raise ValueError(f"the active certificate key {self.active!r} is not in the keyring")
        if set(self.private) & set(self.retired):
            raise ValueError("a certificate key id is both in keys and retired")

    @classmethod
    def parse(cls, text: str) -> "SigningKeys":
        raw = json.loads(text)
        private = {}
        for key_id, seed in raw["keys"].items():
            seed_bytes = base64.b64decode(seed)
            if len(seed_bytes) != 32:
                raise ValueError(f"certificate key {key_id!r} must be a 32-byte Ed25519 seed")
            private[key_id] = Ed25519PrivateKey.from_private_bytes(seed_bytes)
        retired = {
            key_id: Ed25519PublicKey.from_public_bytes(base64.b64decode(public))
            for key_id, public in raw.get("retired", {}).items()
        }
        return cls(active=raw["active"], private=private, retired=retired)

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        return {**self.retired, **{k: p.public_key() for k, p in self.private.items()}}

    def jwks(self) -> dict:
        """The public keys as a JWK set (RFC 8037 OKP keys); the active one first."""
        ordered = sorted(self.public_keys().items(), key=lambda item: item[0] != self.active)
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": _b64(_raw(public)),
                    "kid": key_id,
                    "alg": "EdDSA",
                    "use": "sig",
                    "status": "active" if key_id == self.active else "retired",
                }
                for key_id, public in ordered
            ]
        }


def load_keys(text: str, path: Path | None) -> SigningKeys:
    """From the literal setting, else the key file (``registry.settings`` generates it in dev)."""
    if text:
        return _parse_cached(text)
    if path and path.exists():
        return _parse_cached(path.read_text())
    raise ValueError(
        "no certificate signing key: set EREG_CERTIFICATE_SIGNING_KEY or "
        "EREG_CERTIFICATE_SIGNING_KEY_FILE"
    )


@lru_cache(maxsize=8)
def _parse_cached(text: str) -> SigningKeys:
    return SigningKeys.parse(text)


def public_keys_from_jwks(jwks: Mapping) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys of a JWK set as published at ``KEYS_PATH``, by key id."""
    return {
        key["kid"]: Ed25519PublicKey.from_public_bytes(_unb64(key["x"]))
        for key in jwks.get("keys", [])
        if key.get("kty") == "OKP" and key.get("crv") == "Ed25519"
    }


# --- facts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What a certificate states; codes beside the names a person reads."""

    certificate_no: str
    name: str
    level: str
    category: str
    scope: str | None
    location_code: str
    institution: tuple[str, str]  # (code, name)
    commission: tuple[str, str]  # (code, name)
    registered_on: date
    filings: tuple[tuple[str, str, date, date | None], ...] = ()  # (code, name, from, to)

    def payload(self, issued_on: date) -> dict:
        """The signed payload (format ``FORMAT``): these facts and the day they were issued."""
        return {
            "v": FORMAT,
            "certificate_no": self.certificate_no,
            "name": self.name,
            "level": self.level,
            "category": self.category,
            "scope": self.scope,
            "location": self.location_code,
            "institution": list(self.institution),
            "filings": [
                [code, name, start.isoformat(), end.isoformat() if end else None]
                for code, name, start, end in self.filings
            ],
            "commission": list(self.commission),
            "registered_on": self.registered_on.isoformat(),
            "issued_on": issued_on.isoformat(),
        }

    def digest(self) -> str:
        """SHA-256 of the facts alone (the issue date aside): equal facts, equal digest."""
        facts = self.payload(date.min)
        del facts["issued_on"]
        return hashlib.sha256(_canonical(facts)).hexdigest()

    @classmethod
    def from_payload(cls, payload: Mapping) -> "Facts":
        return cls(
            certificate_no=payload["certificate_no"],
            name=payload["name"],
            level=payload["level"],
            category=payload["category"],
            scope=payload["scope"],
            location_code=payload["location"],
            institution=tuple(payload["institution"]),
            commission=tuple(payload["commission"]),
            registered_on=date.fromisoformat(payload["registered_on"]),
            filings=tuple(
                (code, name, date.fromisoformat(start), date.fromisoformat(end) if end else None)
                for code, name, start, end in payload["filings"]
            ),
        )


def _canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


async def facts_now(session: AsyncSession, registration: Registration) -> Facts:
    """The registration's facts as the registry holds them at this moment."""
    institution = await session.get(Institution, registration.institution_code)
    commission = await session.get(Commission, institution.commission_code)
    rows = await session.execute(
        select(Filing, Institution.name)
        .join(Institution, Institution.code == Filing.institution_code)
        .where(Filing.registration_id == registration.id, Filing.status == "active")
        .order_by(Filing.start_on, Filing.id)
    )
    return Facts(
        certificate_no=registration.certificate_no or "",
        name=registration.name,
        level=registration.level,
        category=registration.category,
        scope=registration.scope,
        location_code=registration.location_code,
        institution=(institution.code, institution.name),
        commission=(commission.code, commission.name),
        registered_on=registration.registered_on,
        filings=tuple((f.institution_code, name, f.start_on, f.end_on) for f, name in rows),
    )


# --- signing and verifying -------------------------------------------------------------------


def sign(keys: SigningKeys, facts: Facts, issued_on: date) -> str:
    """The compact JWS of the facts, signed with the active key (Ed25519 is deterministic)."""
    return jwt.api_jws.encode(
        _canonical(facts.payload(issued_on)),
        keys.private[keys.active],
        algorithm="EdDSA",
        headers={"kid": keys.active, "typ": JWS_TYPE},
    )


def check_code(token: str) -> str:
    """Ten characters printed under the QR code and typed on the verification page: they name
    the certificate without its holder's name (base32 of the signature's SHA-256)."""
    signature = _unb64(token.rpartition(".")[2])
    return base64.b32encode(hashlib.sha256(signature).digest()).decode()[:10]


def verification_link(base_url: str, certificate_no: str, code: str) -> str:
    """The page's address as printed: the certificate number and check code, never the name."""
    query = urlencode({"certificate_no": certificate_no, "check": code})
    return f"{base_url.rstrip('/')}{VERIFY_PATH}?{query}"


def qr_text(base_url: str, certificate_no: str, token: str) -> str:
    """What the QR code holds: the link, and the signed facts after ``#`` (a browser never
    sends the part after ``#`` to the server)."""
    return f"{verification_link(base_url, certificate_no, check_code(token))}#{token}"


@dataclass(frozen=True)
class Verified:
    """A certificate whose signature checked out: its facts, issue date and signing key."""

    facts: Facts
    issued_on: date
    key_id: str


def verify_offline(text: str, public_keys: Mapping[str, Ed25519PublicKey]) -> Verified:
    """Check a certificate's QR content (the whole link, or the JWS after ``#``) against the
    published public keys; raise ``DomainError("certificate_invalid")`` if it does not verify.

    This needs nothing from ereg but the keys: a third party fetches ``KEYS_PATH`` once
    (``public_keys_from_jwks``) and checks certificates without a network.
    """
    token = text.rpartition("#")[2].strip()
    try:
        header = jwt.get_unverified_header(token)
        key = public_keys[header["kid"]]
        if header.get("typ") != JWS_TYPE:
            raise ValueError("not a certificate")
        payload = json.loads(jwt.api_jws.decode(token, key, algorithms=["EdDSA"]))
        if payload.get("v") != FORMAT:
            raise ValueError("unknown format")
        return Verified(
            Facts.from_payload(payload),
            date.fromisoformat(payload["issued_on"]),
            header["kid"],
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
        raise DomainError("certificate_invalid") from error


# --- issuing and checking online -------------------------------------------------------------


async def issue(
    session: AsyncSession,
    keys: SigningKeys,
    registration: Registration,
    facts: Facts,
    today: date,
) -> Certificate:
    """The certificate of the registration's current ``facts`` (``facts_now``) under the active
    key: the one issued before if they have not changed since, else a new one dated ``today``."""
    if registration.status != "active" or not registration.certificate_no:
        raise DomainError("registration_not_active")
    digest = facts.digest()
    found = await _issued(session, registration.id, digest, keys.active)
    if found is not None:
        return found
    token = sign(keys, facts, today)
    certificate = Certificate(
        registration_id=registration.id,
        certificate_no=facts.certificate_no,
        digest=digest,
        key_id=keys.active,
        token=token,
        check_code=check_code(token),
        issued_on=today,
    )
    try:
        async with session.begin_nested():
            session.add(certificate)
    except IntegrityError:  # the same certificate issued by a request running beside this one
        return await _issued(session, registration.id, digest, keys.active)
    return certificate


async def _issued(session, registration_id: int, digest: str, key_id: str) -> Certificate | None:
    return await session.scalar(
        select(Certificate).where(
            Certificate.registration_id == registration_id,
            Certificate.digest == digest,
            Certificate.key_id == key_id,
        )
    )


@dataclass(frozen=True)
class Standing:
    """What the registry says of an issued certificate now."""

    certificate: Certificate
    facts: Facts  # as the certificate states them
    status: CertificateStatus
    since: date | None  # the day the registration ended, if it did
    current: Facts | None  # the registration's facts now, when they differ


async def standing(session: AsyncSession, certificate_no: str, code: str) -> Standing:
    """The status of the certificate with this number and check code; ``certificate_unknown``
    for any other pair (a guess learns nothing)."""
    certificate = await session.scalar(
        select(Certificate).where(
            Certificate.check_code == code.strip().upper(),
            Certificate.certificate_no == certificate_no.strip(),
        )
    )
    if certificate is None:
        raise DomainError("certificate_unknown")
    registration = await session.get(Registration, certificate.registration_id)
    stated = Facts.from_payload(json.loads(_unb64(certificate.token.split(".")[1])))
    if registration.status in _ENDED:
        ended = _ENDED[registration.status]
        return Standing(certificate, stated, ended, registration.ended_on, None)
    now = await facts_now(session, registration)
    if now.digest() == certificate.digest:
        return Standing(certificate, stated, CertificateStatus.valid, None, None)
    return Standing(certificate, stated, CertificateStatus.superseded, None, now)
