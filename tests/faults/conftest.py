"""Fault tests: a real deployment on loopback, one part of it broken in the middle of the work.

Every test here is marked ``faults`` (``pytest -m faults`` runs only them, ``-m "not faults"``
skips them); they run in the default suite, on SQLite and on PostgreSQL. Each test gets a
database, a Temporal dev server persisting to a file, an SMTP sink and the API of its own.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from registry.settings import Settings
from starter.dev import free_port
from tests.conftest import drop_database, make_settings, new_database_url, prepared_database
from tests.faults.rig import Desk, DevServer, Sink, WorkerProcess, tail


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/faults/" in str(item.path):
            item.add_marker(pytest.mark.faults)


@dataclass
class Deployment:
    settings: Settings
    temporal: DevServer
    sink: Sink
    desk: Desk
    workers: list[WorkerProcess]

    def worker(self, module: str = "starter.cli", database_url: str | None = None):
        worker = WorkerProcess(self.settings, module, database_url)
        self.workers.append(worker)
        worker.start()
        return worker


@pytest_asyncio.fixture
async def deployment(tmp_path, faker) -> AsyncIterator[Deployment]:
    url = await new_database_url(tmp_path)
    settings = await prepared_database(
        make_settings(
            tmp_path,
            url,
            temporal_address=f"127.0.0.1:{free_port()}",
            temporal_ui_port=free_port(),
            task_queue="ereg-faults",
        )
    )
    temporal = DevServer(settings)
    await asyncio.to_thread(temporal.start)
    sink = Sink(settings)
    workers: list[WorkerProcess] = []
    try:
        client = await temporal.client()
        await sink.start()
        async with Desk.open(settings, client) as desk:
            yield Deployment(settings, temporal, sink, desk, workers)
    finally:
        for worker in workers:
            worker.stop()
        await sink.stop()
        temporal.stop()
        print("--- worker log ---\n" + tail(settings.data_dir / "worker.log"))
        print("--- temporal log ---\n" + tail(settings.data_dir / "temporal.log", 15))
        await drop_database(url)
