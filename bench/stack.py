"""The embedded stack the benchmarks run on, each part a process of its own, as ``ereg dev``
runs it: the persisted Temporal dev server (``starter.dev.temporal_server_command``: SQLite in
WAL mode, the search attributes registered), the SMTP sink, the real worker (``ereg worker``,
i.e. ``worker.build_worker``), optionally the bare worker and the API (uvicorn), on free ports
and a data directory of its own. The database is migrated and seeded first.
"""

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from registry.db import dispose, session_scope
from registry.migrations import upgrade
from registry.seed import seed
from registry.settings import Settings
from starter.dev import (
    NotListening,
    free_port,
    stop_process,
    temporal_server_command,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, from /proc/<pid>/status."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (children not included)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self, env: dict[str, str], log_dir: Path) -> "Proc":
        log = (log_dir / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.command,
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 20) -> None:
        stop_process(self.process, timeout)


@dataclass
class Stack:
    """Settings, environment and processes of one benchmark's stack."""

    name: str
    database_url: str | None = None
    keep: bool = False
    settings: Settings = field(init=False)
    env: dict[str, str] = field(init=False)
    procs: dict[str, Proc] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"ereg-bench-{self.name}-"))
        (self.dir / "logs").mkdir()
        self.settings = Settings(
            data_dir=self.dir,
            database_url=self.database_url or f"sqlite+aiosqlite:///{self.dir / 'ereg.db'}",
            dev_mode=True,
            temporal_address=f"127.0.0.1:{free_port()}",
            temporal_ui_port=free_port(),
            smtp_port=free_port(),
            api_port=free_port(),
            task_queue="ereg-bench",
            rate_limit_per_address=False,  # every benchmark client is 127.0.0.1
        )
        s = self.settings
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("EREG_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        self.env = {
            **inherited,
            # Bytecode cached as in a deployment (pip compiles it on install): the worker's
            # sandbox imports the workflow module again for every workflow it starts or replays,
            # and compiling the source each time would be counted against us.
            "PYTHONPYCACHEPREFIX": str(self.dir / "pycache"),
            "EREG_DATA_DIR": str(s.data_dir),
            "EREG_DATABASE_URL": s.database_url,
            "EREG_DEV_MODE": "true",
            "EREG_TEMPORAL_ADDRESS": s.temporal_address,
            "EREG_TEMPORAL_UI_PORT": str(s.temporal_ui_port),
            "EREG_SMTP_PORT": str(s.smtp_port),
            "EREG_API_PORT": str(s.api_port),
            "EREG_TASK_QUEUE": s.task_queue,
            "EREG_RATE_LIMIT_PER_ADDRESS": "false",
            "EREG_LOG_FORMAT": "text",
        }

    @property
    def python(self) -> str:
        return sys.executable

    async def prepare_database(self) -> None:
        """Migrate (Alembic runs its own loop: in a thread) and load the demo seed."""
        await asyncio.to_thread(upgrade, self.settings.database_url)
        async with session_scope(self.settings.database_url) as session:
            await seed(session)

    def _start(self, name: str, command: list[str], port: int | None = None) -> Proc:
        proc = Proc(name, command).start(self.env, self.dir / "logs")
        self.procs[name] = proc
        if port:
            try:
                wait_for_port("127.0.0.1", port, 90, proc.process)
            except NotListening as error:
                raise RuntimeError(f"{name} {error}") from None
        return proc

    def start_temporal(self) -> Proc:
        port = int(self.settings.temporal_address.rpartition(":")[2])
        return self._start("temporal", temporal_server_command(self.settings), port)

    def start_mail_sink(self) -> Proc:
        return self._start(
            "mail-sink", [self.python, "-m", "starter.cli", "mail-sink"], self.settings.smtp_port
        )

    def start_worker(self) -> Proc:
        return self._start("worker", [self.python, "-m", "starter.cli", "worker"])

    def start_bare_worker(self) -> Proc:
        return self._start("bare-worker", [self.python, "-m", "bench.bare"])

    def start_api(self) -> Proc:
        return self._start("api", [self.python, "-m", "starter.cli", "api"], self.settings.api_port)

    async def start(self, *parts: str) -> None:
        """Database first, then the dev server, then ``parts`` (worker, bare-worker, api)."""
        await self.prepare_database()
        self.start_temporal()
        self.start_mail_sink()
        for part in parts:
            {
                "worker": self.start_worker,
                "bare-worker": self.start_bare_worker,
                "api": self.start_api,
            }[part]()

    def check_alive(self) -> None:
        dead = [p.name for p in self.procs.values() if not p.alive()]
        if dead:
            raise RuntimeError(f"{', '.join(dead)} exited; see {self.dir / 'logs'}")

    async def stop(self) -> None:
        await dispose(self.settings.database_url)
        for name in ("api", "worker", "bare-worker", "mail-sink", "temporal"):
            if name in self.procs:
                self.procs[name].stop()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
