"""The parts of a deployment that the fault tests break and bring back.

Each part is real and on loopback, and each can be stopped and started again:

- :class:`DevServer` — the Temporal CLI dev server as a process of its own, its history in a
  SQLite file (``--db-filename``, as ``ereg dev`` runs it), so it can be stopped and restarted;
- :class:`WorkerProcess` — ``python -m starter.cli worker`` (or the fault-injecting variant of
  ``tests/faults/faulty_worker.py``) configured by ``EREG_*`` variables, so it can be killed;
- :class:`Sink` — the SMTP sink (``starter.mailsink``) on the test's loop;
- :class:`TcpProxy` — a TCP relay the worker reaches PostgreSQL through, to cut it off;
- the API in process (ASGI), driven like the e2e tests drive it over HTTP.

Physicians are arranged in the database directly (an active account, a qualification and a
token each), so a hundred of them take a second; the applications are filed and decided through
the API.
"""

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from aiosmtpd.smtp import SMTP
from sqlalchemy import func, select
from temporalio.client import Client

from infra.codec import Keyring, data_converter
from infra.temporal import application_workflow_id
from registry import tokens
from registry.db import session_scope
from registry.models import Account, Application, DevMessage, Qualification, Registration
from registry.seed import DEMO_PASSWORD
from registry.settings import Settings
from starter.api.main import create_app
from starter.dev import (
    NotListening,
    free_port,
    stop_process,
    temporal_server_command,
    wait_for_port,
)
from starter.mailsink import StoringHandler
from tests.dates import recently_qualified
from tests.sends import send_times, sends

ROOT = Path(__file__).resolve().parents[2]
HUNAN = "H4301020001"  # licensed by commission 430000
STAFF, OFFICER = "staff_hunan", "officer_hunan"
STEPS = [
    ("institution-decision", "staff", {"decision": "approve", "comment": "信息属实"}),
    ("paper-check", "officer", {"documents_complete": True, "comment": "材料齐全"}),
    ("commission-decision", "officer", {"decision": "approve", "comment": "准予注册"}),
]
ORDER = ["awaiting_institution", "awaiting_documents", "under_review", "completed"]
# What each application tells the physician (by SMS and email) on the way to completion, and
# what it tells the institution's staff (by email: the demo staff have no phone).
PHYSICIAN_EVENTS = 4  # submitted, institution_approved, documents_accepted, completed
STAFF_EVENTS = 3  # submitted, documents_accepted, completed


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- Temporal ---------------------------------------------------------------------------------


class DevServer:
    """``temporal server start-dev`` on a port of its own, persisting to ``temporal.db``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = int(settings.temporal_address.rpartition(":")[2])
        self.log = settings.data_dir / "temporal.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                temporal_server_command(self.settings),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for_port("127.0.0.1", self.port, 60, self.process)
        except NotListening as error:
            raise RuntimeError(f"the dev server {error}:\n{tail(self.log)}") from None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        stop_process(self.process, 30, sig)

    async def client(self) -> Client:
        """A client of the running server (it may take a moment to serve after listening)."""
        for _ in range(100):
            try:
                client = await Client.connect(
                    self.settings.temporal_address,
                    namespace=self.settings.temporal_namespace,
                    data_converter=data_converter(Keyring.parse(self.settings.payload_keys)),
                )
                await client.count_workflows()  # the namespace and visibility answer
                return client
            except Exception:
                await asyncio.sleep(0.2)
        raise RuntimeError("the dev server never served:\n" + tail(self.log))


# --- the worker -------------------------------------------------------------------------------


def service_env(settings: Settings, database_url: str | None = None) -> dict[str, str]:
    """The environment of an ereg process configured like ``settings``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EREG_")}
    env.update(
        PYTHONPATH=str(ROOT),
        EREG_DATA_DIR=str(settings.data_dir),
        EREG_DATABASE_URL=database_url or settings.database_url,
        EREG_DEV_MODE="true",
        EREG_TEMPORAL_ADDRESS=settings.temporal_address,
        EREG_TEMPORAL_NAMESPACE=settings.temporal_namespace,
        EREG_TASK_QUEUE=settings.task_queue,
        EREG_SMTP_HOST=settings.smtp_host,
        EREG_SMTP_PORT=str(settings.smtp_port),
        EREG_PAYLOAD_KEYS=settings.payload_keys,
        EREG_CODE_SECRET=settings.code_secret,
        EREG_JWT_SECRET=settings.jwt_secret,
        EREG_WORKER_GRACEFUL_SHUTDOWN_SECONDS="2",
    )
    return env


class WorkerProcess:
    """The worker as a process of its own: it can be killed without warning."""

    def __init__(
        self, settings: Settings, module: str = "starter.cli", database_url: str | None = None
    ) -> None:
        self.settings = settings
        self.command = [
            sys.executable,
            "-m",
            module,
            *(["worker"] if module == "starter.cli" else []),
        ]
        self.env = service_env(settings, database_url)
        self.log = settings.data_dir / "worker.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts} ---\n".encode())
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=self.settings.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, running activities die with it."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        stop_process(self.process, 20)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


# --- SMTP and the network ---------------------------------------------------------------------


class Sink:
    """The dev SMTP sink, on this loop; stopped, the port refuses connections."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.handler = StoringHandler(settings.database_url)
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.get_running_loop().create_server(
            lambda: SMTP(self.handler, hostname="ereg-sink", enable_SMTPUTF8=True),
            self.settings.smtp_host,
            self.settings.smtp_port,
        )

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None


class TcpProxy:
    """A TCP relay to ``target``; ``stop`` cuts every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _relay(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}

        async def pump(source, sink) -> None:
            with contextlib.suppress(Exception):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self.writers -= {writer, up_writer}


# --- people and the API -----------------------------------------------------------------------


@dataclass
class Doctor:
    account_id: int
    phone: str
    email: str
    headers: dict[str, str]
    application_no: str | None = None


@dataclass
class Desk:
    """The API in process, the demo staff and officer of HUNAN, and the physicians made."""

    settings: Settings
    client: Client
    api: httpx.AsyncClient
    staff: dict[str, str] = field(default_factory=dict)
    officer: dict[str, str] = field(default_factory=dict)
    steps_taken: int = 0

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, settings: Settings, client: Client):
        app = create_app(settings, client)
        app.state.temporal = client  # what the lifespan would set
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ereg", timeout=120
        ) as api:
            desk = cls(settings, client, api)
            desk.staff = await desk.login(STAFF)
            desk.officer = await desk.login(OFFICER)
            yield desk

    async def login(self, username: str) -> dict[str, str]:
        response = await self.api.post(
            "/api/v1/token", data={"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def physicians(self, count: int, faker) -> list[Doctor]:
        """Active physicians, each with a clinical physician qualification and a token."""
        doctors = []
        tag = f"{random.randrange(10**6):06d}"
        ids: set[str] = set()
        async with session_scope(self.settings.database_url) as session:
            for i in range(count):
                while (id_number := faker.ssn()) in ids:
                    pass
                ids.add(id_number)
                name = faker.name()
                account = Account(
                    username=f"fault_{tag}_{i}",
                    password_hash="unused: the test mints tokens",
                    role="physician",
                    name=name,
                    id_number=id_number,
                    phone=f"139{tag[:2]}{i:06d}",
                    email=f"fault.{tag}.{i}@example.com",
                    institution_code=HUNAN,
                    activation_state="active",
                )
                session.add(account)
                session.add(
                    Qualification(
                        certificate_no=f"Q{tag}{i:09d}",
                        name=name,
                        id_number=id_number,
                        level="physician",
                        category="clinical",
                        issued_on=recently_qualified(),
                    )
                )
                await session.flush()
                pair = await tokens.issue_pair(session, self.settings, account)
                headers = {"Authorization": f"Bearer {pair['access_token']}"}
                doctors.append(Doctor(account.id, account.phone, account.email, headers))
        return doctors

    async def file(self, doctor: Doctor) -> str:
        response = await self.api.post(
            "/api/v1/applications",
            headers=doctor.headers,
            json={
                "type": "registration",
                "institution_code": HUNAN,
                "category": "clinical",
                "scope": "内科",
            },
        )
        assert response.status_code == 201, response.text
        doctor.application_no = response.json()["application_no"]
        self.steps_taken += 1
        return doctor.application_no

    async def state(self, doctor: Doctor) -> str | None:
        """The state the application's record shows (None if it cannot be read now)."""
        with contextlib.suppress(httpx.HTTPError):
            response = await self.api.get(
                f"/api/v1/applications/{doctor.application_no}", headers=doctor.headers
            )
            if response.status_code == 200:
                return response.json()["state"]
        return None

    async def step(self, doctor: Doctor, index: int, give_up_after: float = 240) -> None:
        """Take step ``index`` of ``STEPS``, as a person would through failures: on an error
        look at the application; if the step has not happened, try again a little later."""
        path, who, body = STEPS[index]
        headers = self.staff if who == "staff" else self.officer
        target = ORDER[index + 1]
        deadline = time.monotonic() + give_up_after
        while True:
            with contextlib.suppress(httpx.HTTPError):
                response = await self.api.post(
                    f"/api/v1/applications/{doctor.application_no}/{path}",
                    headers=headers,
                    json=body,
                )
                if response.status_code == 200:
                    assert response.json()["state"] == target, response.text
                    break
                # busy with the step before, or a part is down: never a server error
                assert response.status_code in (409, 503), response.text
            state = await self.state(doctor)
            if state in ORDER and ORDER.index(state) >= ORDER.index(target):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{doctor.application_no}: {path} never went through")
            await asyncio.sleep(1)
        self.steps_taken += 1

    async def walk(self, doctor: Doctor, steps: range = range(len(STEPS))) -> None:
        for index in steps:
            await self.step(doctor, index)

    async def outcome(self, doctor: Doctor, timeout: float = 240):
        handle = self.client.get_workflow_handle(application_workflow_id(doctor.application_no))
        return await asyncio.wait_for(handle.result(), timeout)


async def bounded(coroutines, limit: int) -> list:
    """Run coroutines at most ``limit`` at a time (as that many people at their desks would)."""
    gate = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with gate:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))


# --- what ended up in the registry and the outboxes --------------------------------------------


async def registry_of(settings: Settings, doctors: list[Doctor]) -> dict[str, list[Registration]]:
    """Registrations made by each application."""
    numbers = [d.application_no for d in doctors]
    async with session_scope(settings.database_url) as session:
        rows = await session.scalars(
            select(Registration).where(Registration.source_application_no.in_(numbers))
        )
        made: dict[str, list[Registration]] = {no: [] for no in numbers}
        for row in rows:
            made[row.source_application_no].append(row)
        return made


async def applications_of(settings: Settings, doctors: list[Doctor]) -> dict[str, Application]:
    numbers = [d.application_no for d in doctors]
    async with session_scope(settings.database_url) as session:
        rows = await session.scalars(
            select(Application).where(Application.application_no.in_(numbers))
        )
        return {row.application_no: row for row in rows}


async def count_completed(settings: Settings, doctors: list[Doctor]) -> int:
    numbers = [d.application_no for d in doctors if d.application_no]
    async with session_scope(settings.database_url) as session:
        return await session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.application_no.in_(numbers), Application.state == "completed")
        )


async def messages(settings: Settings) -> list[DevMessage]:
    async with session_scope(settings.database_url) as session:
        return list(await session.scalars(select(DevMessage)))


def duplicates(sent: list[DevMessage]) -> list[tuple]:
    """Messages received more than once: same channel, recipient, subject and text (each
    notice names its application and event, so two of them are the same event twice)."""
    seen = Counter((m.channel, m.recipient, m.subject, m.body) for m in sent)
    return [key[:2] + (key[3][:80], n) for key, n in seen.items() if n > 1]


def received(sent: list[DevMessage], channel: str, recipient: str) -> list[DevMessage]:
    return [m for m in sent if m.channel == channel and m.recipient == recipient.lower()]


async def assert_every_message_once(
    settings: Settings,
    doctors: list[Doctor],
    resent_across: tuple[datetime, datetime] | None = None,
) -> None:
    """Each physician got each notice once by SMS and once by email, naming the application;
    the institution's staff got theirs once each; nothing was sent twice — counted where it
    would reach a person, before the dev gateway or the sink drop a copy (``tests/sends.py``).

    But one kind of resend, with ``resent_across=(fault, recovery)``: an email the SMTP server
    accepted before the fault whose delivery-log row the fault then kept from being written
    (the worker killed, the database gone) goes again, once, after the recovery — with the same
    Message-ID, by which mailboxes keep one copy. Email over SMTP cannot be logged in the same
    transaction as it is accepted; an SMS copy, or any other, fails the test.
    """
    sent = await messages(settings)
    assert duplicates(sent) == []
    resent = []
    for (channel, key), times in (await send_times(settings.database_url)).items():
        if len(times) == 1:
            continue
        fault, recovery = resent_across or (None, None)
        expected = channel == "email" and len(times) == 2 and fault is not None
        assert expected and times[0] <= fault and times[1] >= recovery, (
            f"sent {len(times)} times: {channel} {key} at {times}"
        )
        resent.append(key)
    copies = sum((await sends(settings.database_url)).values())
    assert copies == len(sent) + len(resent), f"{copies} sent for {len(sent)} messages"
    if resent:
        print(
            f"{len(resent)} emails accepted before the fault sent again after it (same Message-ID)"
        )
    for doctor in doctors:
        for channel, to in (("sms", doctor.phone), ("email", doctor.email)):
            got = received(sent, channel, to)
            assert len(got) == PHYSICIAN_EVENTS, (channel, doctor.application_no, len(got))
            assert all(doctor.application_no in m.body for m in got)
    staff = [m for m in received(sent, "email", f"{STAFF}@ereg.example")]
    for doctor in doctors:
        about = [m for m in staff if doctor.application_no in m.body]
        assert len(about) == STAFF_EVENTS, (doctor.application_no, len(about))


async def assert_registered_once(settings: Settings, doctors: list[Doctor]) -> None:
    """Every application completed with exactly one registration and its one certificate."""
    made = await registry_of(settings, doctors)
    rows = await applications_of(settings, doctors)
    certificates = set()
    for doctor in doctors:
        no = doctor.application_no
        application = rows[no]
        assert application.state == "completed", (no, application.state)
        [registration] = made[no]
        assert registration.status == "active"
        assert registration.certificate_no and registration.certificate_no == (
            application.certificate_no
        )
        certificates.add(registration.certificate_no)
    assert len(certificates) == len(doctors)
