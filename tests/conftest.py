"""Fixtures shared by every test layer: settings, a migrated and seeded database, ports."""

import asyncio
import socket
from pathlib import Path

import pytest
import pytest_asyncio

from registry.db import get_engine, session_scope
from registry.migrations import upgrade
from registry.seed import seed
from registry.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_settings(data_dir: Path, **overrides) -> Settings:
    values = {
        "data_dir": data_dir,
        "database_url": f"sqlite+aiosqlite:///{data_dir / 'ereg.db'}",
        "dev_mode": True,
        "smtp_port": free_port(),
        "jwt_secret": "test-jwt-secret-" + "x" * 32,
        "code_secret": "test-code-secret-" + "y" * 32,
        "task_queue": "ereg-test",
    }
    values.update(overrides)
    return Settings(**values)


async def prepared_database(settings: Settings) -> Settings:
    """Migrate (in a thread: Alembic runs its own event loop) and load the demo seed."""
    await asyncio.to_thread(upgrade, settings.database_url)
    async with session_scope(settings.database_url) as session:
        await seed(session)
    return settings


@pytest_asyncio.fixture
async def settings(tmp_path: Path) -> Settings:
    """A fresh, migrated and seeded SQLite database for one test."""
    prepared = await prepared_database(make_settings(tmp_path))
    yield prepared
    await get_engine(prepared.database_url).dispose()


@pytest.fixture
def faker():
    from faker import Faker

    return Faker("zh_CN")
