"""A migrated, seeded database made once and copied for each test (migrating for each test
would take most of the time the tests need): SQLite by default, PostgreSQL with
``EREG_TEST_DATABASE=postgresql`` (tests/conftest.py). The SQLite template is kept in the
temporary directory under a digest of ``registry/`` (its migrations, seed and reference data),
so that the many short runs of ``make mutate`` build it once, and any change to the code
builds a new one. Not a test module: the fixtures are
imported (``session_fixture``, ``template_fixture``) by the tests of the public register,
certificates and documents, which ask for ``session``."""

import asyncio
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

import registry
from registry.db import dispose, get_sessionmaker
from tests.conftest import (
    ON_POSTGRES,
    POSTGRES_URL,
    _postgres,
    drop_database,
    make_settings,
    new_database_url,
    prepared_database,
)


@pytest.fixture(scope="module", name="template")
def template_fixture(tmp_path_factory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("registry-template")
    if not ON_POSTGRES:
        yield f"sqlite+aiosqlite:///{_sqlite_template(data_dir)}"
        return
    url = asyncio.run(new_database_url(data_dir))
    asyncio.run(_prepared(make_settings(data_dir, url)))
    yield url
    asyncio.run(drop_database(url))


def _sqlite_template(data_dir: Path) -> Path:
    root = Path(registry.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    kept = Path(tempfile.gettempdir()) / "ereg-test-templates" / f"{digest.hexdigest()[:24]}.db"
    if not kept.exists():
        url = f"sqlite+aiosqlite:///{data_dir / 'ereg.db'}"
        asyncio.run(_prepared(make_settings(data_dir, url)))
        kept.parent.mkdir(exist_ok=True)
        fresh = kept.with_suffix(f".{os.getpid()}.tmp")
        shutil.copy(data_dir / "ereg.db", fresh)
        os.replace(fresh, kept)  # whole or not at all, for runs beside this one
    return kept


async def _prepared(settings) -> None:
    await prepared_database(settings)
    await dispose(settings.database_url)  # SQLite: the write-ahead log folded into the file


async def copy_of(template: str, data_dir) -> str:
    """This test's own copy of a template database (a file copy, or PostgreSQL's TEMPLATE)."""
    if not ON_POSTGRES:
        shutil.copy(template.split("///", 1)[1], data_dir / "ereg.db")
        return f"sqlite+aiosqlite:///{data_dir / 'ereg.db'}"
    name = f"ereg_copy_{uuid.uuid4().hex[:12]}"
    await _postgres(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest_asyncio.fixture(name="session")
async def session_fixture(template, tmp_path) -> AsyncIterator[AsyncSession]:
    """A session on this test's own copy of the seeded database."""
    url = await copy_of(template, tmp_path)
    async with get_sessionmaker(url)() as session:
        yield session
        await session.rollback()
    await drop_database(url)
