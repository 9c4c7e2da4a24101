"""Settings from the environment (prefix ``EREG_``), one object for every process.

Secrets that a dev machine should not have to invent (JWT signing key, code-digest key) are
generated once under the data directory, so that a second ``make run`` keeps logins and codes.
"""

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EREG_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".data")
    database_url: str = ""
    dev_mode: bool = True

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    task_queue: str = "ereg"

    api_host: str = "127.0.0.1"
    api_port: int = 8000

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mail_from: str = "ereg@localhost"
    sms_gateway: str = Field("dev", description="dev records SMS in the database")

    jwt_secret: str = ""
    code_secret: str = ""
    access_token_minutes: int = 60

    def model_post_init(self, _context: object) -> None:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'ereg.db'}"
        if not self.jwt_secret:
            self.jwt_secret = self._dev_secret("jwt.secret")
        if not self.code_secret:
            self.code_secret = self._dev_secret("code.secret")

    def _dev_secret(self, name: str) -> str:
        path = self.data_dir / name
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
