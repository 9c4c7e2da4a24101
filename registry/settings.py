"""Settings from the environment (prefix ``EREG_``), one object for every process.

Secrets that a dev machine should not have to invent (JWT signing key, code-digest key) are
generated once under the data directory, so that a second ``make run`` keeps logins and codes.
"""

import base64
import json
import secrets
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class SmsTemplate(BaseModel):
    """A template approved by the SMS provider: its id there, and the parameters it takes, in
    its order (Tencent numbers them {1}, {2}…; Alibaba names them ${code}…)."""

    id: str
    params: list[str] = []


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EREG_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".data")
    database_url: str = ""
    dev_mode: bool = True

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    # The Temporal Web UI the operators' audit page links to; unset: the dev server's own UI.
    temporal_ui_url: str = ""
    task_queue: str = "ereg"
    # A cluster with mTLS, or Temporal Cloud (an API key implies TLS): see infra/temporal.py.
    temporal_tls: bool = False
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_ca: Path | None = None
    temporal_tls_server_name: str = ""
    temporal_api_key: str = ""

    # Worker sizing; the SDK's defaults. Its Prometheus endpoint (host:port) is off when empty.
    worker_max_concurrent_activities: int = 100
    worker_max_concurrent_workflow_tasks: int = 100
    worker_max_cached_workflows: int = 1000
    worker_graceful_shutdown_seconds: float = 10
    worker_metrics_address: str = ""
    log_format: Literal["text", "json"] = "text"

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # The Temporal UI's origins (its codec calls); unset: the dev server's UI on temporal_ui_port.
    cors_origins: list[str] = []

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mail_from: str = "ereg@localhost"
    # A relay: its login, and how the connection is encrypted — "starttls" (port 587),
    # "tls" (implicit TLS, port 465) or "none" (the dev sink; no password is sent over it).
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_ca_file: Path | None = None  # the relay's CA when not a public one

    # SMS: "dev" records them in the database; "aliyun" or "tencent" send them (activities/sms.py).
    sms_gateway: Literal["dev", "aliyun", "tencent"] = "dev"
    sms_access_key_id: str = ""  # Alibaba AccessKey ID, Tencent SecretId
    sms_access_key_secret: str = ""  # Alibaba AccessKey secret, Tencent SecretKey
    sms_sign_name: str = ""  # the approved signature (签名), such as 医师电子化注册
    # Message key -> approved template, as JSON: {"code": {"id": "SMS_1", "params": ["code"]}}
    sms_templates: Annotated[dict[str, SmsTemplate], NoDecode] = {}
    sms_app_id: str = ""  # Tencent SmsSdkAppId
    sms_region: str = "ap-guangzhou"  # Tencent
    sms_endpoint: str = ""  # the provider's public endpoint when empty

    jwt_secret: str = ""
    code_secret: str = ""
    access_token_minutes: int = 30
    # A claim on an inbox item lapses after this long unless renewed (registry.claims).
    claim_lapse_minutes: int = 120
    refresh_token_days: int = 14
    rate_limit_per_address: bool = True  # off only where every caller shares one address
    # Proxies whose X-Forwarded-For names the client (addresses or networks, comma-separated).
    # None by default: the peer is the client, and a header cannot buy a fresh budget.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Request bodies: JSON and forms, and multipart uploads (a 2 MB photo and its envelope).
    # Larger ones are answered 413 before they are read in full.
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 2 * 1024 * 1024 + 64 * 1024
    payload_keys: str = Field("", description='{"active": id, "keys": {id: base64 32 bytes}}')
    payload_key_file: Path | None = None
    # Ed25519 keys that sign electronic certificates (registry/certificates.py): the same JSON
    # shape as the payload keys, plus "retired" public keys kept so old certificates verify.
    certificate_signing_key: str = Field("", description='{"active": id, "keys": {id: seed}}')
    certificate_signing_key_file: Path | None = None
    # Where the public pages are reached: printed on certificates (verification link, QR).
    # Unset: this API's own address (right for one machine; set it behind a proxy).
    public_base_url: str = ""

    @field_validator("sms_templates", mode="before")
    @classmethod
    def _templates_from_json(cls, value: object) -> object:
        """JSON from the environment; empty means none (Compose passes an unset one so)."""
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies_from_list(cls, value: object) -> object:
        """``10.0.0.2, 10.0.1.0/24`` from the environment; empty means none."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def model_post_init(self, _context: object) -> None:
        if "cors_origins" not in self.model_fields_set:
            port = self.temporal_ui_port
            self.cors_origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'ereg.db'}"
        if not self.jwt_secret:
            self.jwt_secret = self._dev_secret("jwt.secret")
        if not self.code_secret:
            self.code_secret = self._dev_secret("code.secret")
        if not self.payload_keys and self.payload_key_file is None:
            self.payload_key_file = self.data_dir / "payload-keys.json"
            if self.dev_mode and not self.payload_key_file.exists():
                self._write_secret(self.payload_key_file, _new_keyring())
        if not self.public_base_url:
            self.public_base_url = f"http://{self.api_host}:{self.api_port}"
        if not self.certificate_signing_key and self.certificate_signing_key_file is None:
            self.certificate_signing_key_file = self.data_dir / "certificate-keys.json"
            if self.dev_mode and not self.certificate_signing_key_file.exists():
                self._write_secret(self.certificate_signing_key_file, _new_signing_keyring())

    def _dev_secret(self, name: str) -> str:
        path = self.data_dir / name
        if not path.exists():
            self._write_secret(path, secrets.token_hex(32))
        return path.read_text().strip()

    @staticmethod
    def _write_secret(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o600)


def _new_keyring() -> str:
    """A payload keyring with one fresh AES-256 key (see ``infra.codec``)."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return json.dumps({"active": "k1", "keys": {"k1": key}})


def _new_signing_keyring() -> str:
    """A certificate signing keyring with one fresh Ed25519 key (see ``registry.certificates``);
    the key id carries the date, so a rotated one is told apart at a glance."""
    seed = base64.b64encode(secrets.token_bytes(32)).decode()
    key_id = f"c{datetime.now(UTC):%Y%m%d}"
    return json.dumps({"active": key_id, "keys": {key_id: seed}})


@lru_cache
def get_settings() -> Settings:
    return Settings()
