"""Payload encryption: round trips, key rotation, and refusing what it cannot trust."""

import base64
import json
import os

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from infra import temporal
from infra.codec import ENCODING, KEY_ID, EncryptionCodec, Keyring, load_keyring
from tests.conftest import make_settings


def keyring(active: str, *ids: str, keys: dict | None = None) -> Keyring:
    keys = keys or {key_id: os.urandom(32) for key_id in ids}
    return Keyring(keys=keys, active=active)


def payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text).encode())


async def test_round_trip_hides_the_plaintext():
    codec = EncryptionCodec(keyring("k1", "k1"))
    original = payload("张伟 430581199001011234 13900001111")
    [sealed] = await codec.encode([original])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == b"k1"
    assert "张伟".encode() not in sealed.data and b"430581" not in sealed.data
    assert await codec.decode([sealed]) == [original]


async def test_same_plaintext_encrypts_differently_each_time():
    codec = EncryptionCodec(keyring("k1", "k1"))
    first, second = await codec.encode([payload("x"), payload("x")])
    assert first.data != second.data


async def test_rotation_keeps_old_payloads_readable():
    old_key, new_key = os.urandom(32), os.urandom(32)
    before = EncryptionCodec(Keyring({"k1": old_key}, "k1"))
    after = EncryptionCodec(Keyring({"k1": old_key, "k2": new_key}, "k2"))
    [sealed_before] = await before.encode([payload("history")])
    [sealed_after] = await after.encode([payload("new")])
    assert sealed_after.metadata[KEY_ID] == b"k2"
    assert await after.decode([sealed_before]) == [payload("history")]
    with pytest.raises(ValueError, match="unknown key 'k2'"):
        await before.decode([sealed_after])


async def test_tampered_ciphertext_is_refused():
    codec = EncryptionCodec(keyring("k1", "k1"))
    [sealed] = await codec.encode([payload("x")])
    sealed.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    with pytest.raises(InvalidTag):
        await codec.decode([sealed])


async def test_payloads_that_are_not_encrypted_pass_through():
    codec = EncryptionCodec(keyring("k1", "k1"))
    assert await codec.decode([payload("plain")]) == [payload("plain")]


@pytest.mark.parametrize(
    ("keys", "active", "message"),
    [
        ({"k1": os.urandom(32)}, "k2", "active key 'k2'"),
        ({"k1": os.urandom(16)}, "k1", "32 bytes"),
    ],
)
def test_bad_keyrings_are_refused(keys, active, message):
    with pytest.raises(ValueError, match=message):
        Keyring(keys=keys, active=active)


def test_keyring_from_setting_or_file(tmp_path):
    text = json.dumps({"active": "a", "keys": {"a": base64.b64encode(os.urandom(32)).decode()}})
    assert load_keyring(text, None).active == "a"
    path = tmp_path / "keys.json"
    path.write_text(text)
    assert load_keyring("", path).active == "a"
    with pytest.raises(ValueError, match="EREG_PAYLOAD_KEYS"):
        load_keyring("", tmp_path / "missing.json")


async def test_every_client_encrypts_payloads_and_failures(monkeypatch, tmp_path):
    """What the worker, the API and the CLI connect with (``infra.temporal.connect``): a
    converter that encrypts with the configured keys, failure messages too. Stopped at the
    connection itself, the one thing this test does not need."""
    connected = {}

    async def connect(**options):
        connected.update(options)

    monkeypatch.setattr(Client, "connect", staticmethod(connect))
    await temporal.connect(make_settings(tmp_path, "sqlite+aiosqlite:///unused"))
    converter = connected["data_converter"]

    [sealed] = await converter.encode(["张伟 430581199001011234"])
    assert (sealed.metadata["encoding"], sealed.metadata[KEY_ID]) == (ENCODING, b"test1")
    assert "张伟".encode() not in sealed.data and b"430581" not in sealed.data
    failure = Failure()
    await converter.encode_failure(ApplicationError("张伟 430581199001011234"), failure)
    assert "张伟" not in failure.message and "430581" not in str(failure)
    assert failure.encoded_attributes.metadata["encoding"] == ENCODING
