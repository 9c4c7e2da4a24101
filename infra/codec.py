"""Payload encryption: every payload Temporal stores is AES-256-GCM ciphertext.

Workflow inputs, update arguments, activity results and queries can carry personal data (names,
ID numbers, phones, comments); the Temporal server and its operators see only ciphertext, and
the Web UI decodes through the API's authenticated codec endpoint. Each payload is tagged with
the id of the key that encrypted it: several keys can decrypt and one encrypts, so a key is
rotated by adding a new one as active and keeping the old ones until no history needs them.
"""

import base64
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


@dataclass(frozen=True)
class Keyring:
    """Keys by id (32 bytes each) and the id of the one that encrypts."""

    keys: Mapping[str, bytes]
    active: str

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ValueError(f"the active key {self.active!r} is not in the keyring")
        for key_id, key in self.keys.items():
            if len(key) != 32:
                raise ValueError(f"key {key_id!r} must be 32 bytes (AES-256)")

    @classmethod
    def parse(cls, text: str) -> "Keyring":
        """``{"active": "k2", "keys": {"k1": "<base64>", "k2": "<base64>"}}``."""
        raw = json.loads(text)
        keys = {key_id: base64.b64decode(value) for key_id, value in raw["keys"].items()}
        return cls(keys=keys, active=raw["active"])


def load_keyring(text: str, path: Path | None) -> Keyring:
    """From the literal setting, else the key file."""
    if text:
        return Keyring.parse(text)
    if path and path.exists():
        return Keyring.parse(path.read_text())
    raise ValueError("no payload encryption keys: set EREG_PAYLOAD_KEYS or EREG_PAYLOAD_KEY_FILE")


class EncryptionCodec(PayloadCodec):
    def __init__(self, keyring: Keyring) -> None:
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}
        self._active = keyring.active

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._active].encrypt(nonce, payload.SerializeToString(), None)
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: self._active.encode()}, data=nonce + sealed
        )

    def decrypt(self, payload: Payload) -> Payload:
        """Decrypt with the key it names; a payload that is not ours passes unchanged."""
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata[KEY_ID].decode()
        if key_id not in self._ciphers:
            raise ValueError(f"payload encrypted with unknown key {key_id!r}")
        data = payload.data
        plain = self._ciphers[key_id].decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], None)
        return Payload.FromString(plain)


def data_converter(keyring: Keyring | None) -> DataConverter:
    """The pydantic converter, encrypting with ``keyring`` (failure messages included)."""
    if keyring is None:
        return pydantic_data_converter
    return replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
