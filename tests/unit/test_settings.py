"""What a fresh ``make run`` writes for itself: the dev secrets and keyrings (registry/settings.py).

On a first start in dev mode the service makes its own secrets in the data directory, readable
by the owner only, and finds the same ones on every later start (sessions, codes and encrypted
payloads made before a restart stay valid). Outside dev mode it never invents keys.
"""

import re
import stat

from infra.codec import Keyring
from registry.certificates import SigningKeys
from registry.settings import Settings


def fresh(tmp_path, **changes) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **changes)


def test_a_first_dev_start_writes_owner_only_secrets_that_a_restart_finds_again(tmp_path):
    first = fresh(tmp_path)
    again = fresh(tmp_path)
    assert len(first.jwt_secret) == 64 and int(first.jwt_secret, 16) >= 0  # 32 bytes, hex
    assert len(first.code_secret) == 64 and first.code_secret != first.jwt_secret
    assert (again.jwt_secret, again.code_secret) == (first.jwt_secret, first.code_secret)
    for name in ("jwt.secret", "code.secret", "payload-keys.json", "certificate-keys.json"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))


def test_the_dev_payload_keyring_is_one_aes_256_key_and_survives_a_restart(tmp_path):
    first = fresh(tmp_path)
    text = first.payload_key_file.read_text()
    keyring = Keyring.parse(text)  # 32-byte keys and an active one among them, or it raises
    assert keyring.active == "k1" and list(keyring.keys) == ["k1"]
    assert len(keyring.keys["k1"]) == 32
    fresh(tmp_path)
    assert first.payload_key_file.read_text() == text
    other = fresh(tmp_path / "elsewhere")
    assert Keyring.parse(other.payload_key_file.read_text()).keys != keyring.keys


def test_the_dev_signing_key_is_dated_and_signs(tmp_path):
    settings = fresh(tmp_path)
    keys = SigningKeys.parse(settings.certificate_signing_key_file.read_text())
    assert re.fullmatch(r"c\d{8}", keys.active)  # c + the date it was made: rotations read apart
    assert list(keys.private) == [keys.active] and not keys.retired


def test_outside_dev_mode_no_key_is_invented(tmp_path):
    settings = fresh(tmp_path, dev_mode=False, jwt_secret="j" * 64, code_secret="c" * 64)
    assert not settings.payload_key_file.exists()
    assert not settings.certificate_signing_key_file.exists()
    assert settings.public_base_url == f"http://{settings.api_host}:{settings.api_port}"
