"""Fixtures shared by every test layer: settings, a migrated and seeded database, ports.

``EREG_TEST_DATABASE=postgresql`` runs the suite on PostgreSQL (``EREG_TEST_POSTGRES_URL``,
default the local server's ``test`` database): each test then gets a database of its own,
created for it and dropped afterwards. The default is SQLite in the test's temporary folder.
"""

import asyncio
import base64
import json
import logging
import os
import re
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import uvicorn
from aiosmtpd.smtp import SMTP
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker.workflow_sandbox import SandboxRestrictions

from infra.codec import Keyring, data_converter
from registry.db import dispose, session_scope
from registry.migrations import upgrade
from registry.seed import seed
from registry.settings import Settings
from starter import mailsink
from starter.dev import free_port, temporal_cli
from workflows import search_attributes

if "mutmut" in sys.modules:  # `make mutate`: the suite runs against mutated code
    # Each mutated function calls mutmut's trampoline, which reads the mutant under test from
    # os.environ and records which tests reach it: inside a workflow's sandbox that module
    # must be the host's, not a re-imported copy behind the sandbox's restrictions.
    SandboxRestrictions.default.passthrough_modules.add("mutmut")

# One payload key for the whole run, as a deployment would configure it.
TEST_KEYRING = json.dumps(
    {"active": "test1", "keys": {"test1": base64.b64encode(os.urandom(32)).decode()}}
)
ON_POSTGRES = os.environ.get("EREG_TEST_DATABASE", "sqlite") == "postgresql"
POSTGRES_URL = os.environ.get(
    "EREG_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def _postgres(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def new_database_url(data_dir: Path) -> str:
    """A fresh, empty database: a SQLite file, or a PostgreSQL database of its own."""
    if not ON_POSTGRES:
        return f"sqlite+aiosqlite:///{data_dir / 'ereg.db'}"
    name = f"ereg_test_{uuid.uuid4().hex[:12]}"
    await _postgres(f'CREATE DATABASE "{name}"')
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_database(url: str) -> None:
    await dispose(url)
    if url.startswith("postgresql"):
        await _postgres(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def make_settings(data_dir: Path, database_url: str, **overrides) -> Settings:
    values = {
        "data_dir": data_dir,
        "database_url": database_url,
        "dev_mode": True,
        "smtp_port": free_port(),
        "jwt_secret": "test-jwt-secret-" + "x" * 32,
        "code_secret": "test-code-secret-" + "y" * 32,
        "task_queue": "ereg-test",
        "payload_keys": TEST_KEYRING,
        "rate_limit_per_address": False,  # every test client is 127.0.0.1
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
    """A fresh, migrated and seeded database for one test."""
    url = await new_database_url(tmp_path)
    yield await prepared_database(make_settings(tmp_path, url))
    await drop_database(url)


async def start_sink(settings, idle_timeout: float = 300):
    """The dev SMTP sink on loopback, on the test's ``settings.smtp_port``: (server, handler,
    one entry per connection accepted); the server closes a connection idle for
    ``idle_timeout`` seconds."""
    handler = mailsink.StoringHandler(settings.database_url)
    accepted = []

    def connection() -> SMTP:
        accepted.append(1)
        return SMTP(handler, hostname="sink", enable_SMTPUTF8=True, timeout=idle_timeout)

    server = await asyncio.get_running_loop().create_server(
        connection, "127.0.0.1", settings.smtp_port
    )
    return server, handler, accepted


@pytest.fixture
async def sink(settings):
    """The dev SMTP sink (:func:`start_sink`); yields its handler."""
    server, handler, _ = await start_sink(settings)
    yield handler
    server.close()
    await server.wait_closed()


# Chosen before the dev server starts: its UI calls the e2e API's codec on this port.
E2E_API_PORT = free_port()
E2E_UI_PORT = free_port()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def temporal_dev_server():
    """The Temporal CLI dev server, in memory, shared by the run: the end-to-end stack's, and
    the workflow tests that need the real server's way of delivering updates."""
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        data_converter=data_converter(Keyring.parse(TEST_KEYRING)),
        search_attributes=search_attributes.ALL,
        # The Web UI, decoding through the e2e API's codec, as `ereg dev` runs it: the
        # operator's browser story follows a workflow into it (tests/browser/test_workbench_ui.py).
        ui=True,
        ui_port=E2E_UI_PORT,
        dev_server_extra_args=[
            "--dynamic-config-value",
            "system.forceSearchAttributesCacheRefreshOnRead=true",
            "--ui-codec-endpoint",
            f"http://127.0.0.1:{E2E_API_PORT}/codec",
            "--ui-disable-news-fetch",
        ],
    ) as env:
        yield env


@pytest.fixture
def china_local_time(monkeypatch):
    """The process's local time zone set to China's, as on a server installed in China: code
    that reads the clock without a zone would be eight hours off."""
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def faker():
    from faker import Faker

    return Faker("zh_CN")


# --- the whole stack, shared by the end-to-end and the browser tests ----------------------------
# One per run: its worker polls the test task queue of the shared dev server, so a second stack
# on the same queue would take the first one's workflows to the wrong database.


@dataclass
class Stack:
    settings: Settings
    client: Client
    api: httpx.AsyncClient
    app: FastAPI

    async def login(self, username: str, password: str) -> dict[str, str]:
        response = await self.api.post(
            "/api/v1/token", data={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def messages(self, to: str) -> list[dict]:
        response = await self.api.get("/api/v1/dev/messages", params={"to": to})
        assert response.status_code == 200, response.text
        return response.json()

    async def message_about(self, to: str, *needles: str) -> dict:
        """The newest message to ``to`` containing every needle (a notice is sent by an
        activity after the state it announces is recorded)."""
        for _ in range(200):
            for message in await self.messages(to):
                if all(needle in message["body"] for needle in needles):
                    return message
            await asyncio.sleep(0.05)
        raise AssertionError(f"no message to {to} mentions {needles}")

    async def next_code(self, to: str, seen: int) -> str:
        """The code in the first message beyond ``seen`` that reached ``to``."""
        for _ in range(200):
            messages = await self.messages(to)
            if len(messages) > seen:
                return re.search(r"\b(\d{6})\b", messages[0]["body"]).group(1)
            await asyncio.sleep(0.05)
        raise AssertionError(f"no message reached {to}")


class LogRecorder(logging.Handler):
    """Keeps every formatted log line of the run (at INFO, the level the services run at), to
    be scanned for personal data."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("httpx"):
            return  # the tests' own HTTP client, not the service
        self.lines.append(self.format(record))


@pytest.fixture(scope="session")
def recorded_logs():
    recorder = LogRecorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    previous = root.level
    root.setLevel(logging.INFO)
    yield recorder
    root.removeHandler(recorder)
    root.setLevel(previous)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def stack(tmp_path_factory, temporal_dev_server) -> Stack:
    client = temporal_dev_server.client
    data_dir = Path(tmp_path_factory.mktemp("e2e"))
    settings = await prepared_database(
        make_settings(
            data_dir,
            await new_database_url(data_dir),
            temporal_address=client.service_client.config.target_host,
            temporal_ui_port=E2E_UI_PORT,
            api_port=E2E_API_PORT,
        )
    )
    sink = await mailsink.serve(settings.database_url, settings.smtp_host, settings.smtp_port)
    api_port = E2E_API_PORT
    from starter.api.main import create_app
    from worker import build_worker

    app = create_app(settings, client)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=api_port,
            log_level="warning",
            access_log=False,
        )
    )
    async with build_worker(client, settings):
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api_port}", timeout=30) as api:
            yield Stack(settings, client, api, app)
        server.should_exit = True
        await serving
    sink.close()
    await sink.wait_closed()
    await drop_database(settings.database_url)
