"""The database fails under the worker: activities retry, and no half-made record is left.

Two faults, at the commission's approval — the step that changes the registry:

1. A completion breaks off half-way, after it inserted the registration and before it marked
   the application completed. Its transaction is rolled back: no registration, no certificate,
   the application still under review, while the activity keeps retrying; once the fault is
   gone it completes exactly once.
2. The database is unreachable for a while. On PostgreSQL the worker reaches it through a TCP
   proxy that is stopped (its connections cut, new ones refused); on SQLite, a file on the same
   machine, every statement of the worker fails instead (``tests/faults/faulty_worker.py``).
   Every activity retries until it is back; then every application completes, once.
"""

import asyncio
import time
from datetime import UTC, datetime

from sqlalchemy.engine import make_url

from tests.conftest import ON_POSTGRES
from tests.faults.rig import (
    TcpProxy,
    applications_of,
    assert_every_message_once,
    assert_registered_once,
    bounded,
    count_completed,
    registry_of,
)

APPLICATIONS = 10
OUTAGE = 10.0


async def most_attempts(client, doctors) -> int:
    """The highest attempt of any activity the applications are waiting on."""
    attempts = [0]
    for doctor in doctors:
        described = await client.get_workflow_handle(
            f"application-{doctor.application_no}"
        ).describe()
        attempts += [a.attempt for a in described.raw_description.pending_activities]
    return max(attempts)


async def test_database_faults_leave_no_partial_record(deployment, faker):
    desk, settings = deployment.desk, deployment.settings
    data = settings.data_dir
    proxy = None
    worker_url = settings.database_url
    if ON_POSTGRES:
        url = make_url(settings.database_url)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        await proxy.start()
        worker_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
    deployment.worker("tests.faults.faulty_worker", worker_url)
    doctors = await desk.physicians(APPLICATIONS, faker)

    async def to_the_commission(doctor) -> None:
        await desk.file(doctor)
        await desk.walk(doctor, range(2))

    await bounded([to_the_commission(d) for d in doctors], 10)

    def hits(kind: str) -> int:
        path = data / "fault-hits"
        return path.read_text().split().count(kind) if path.exists() else 0

    # 1. A completion that breaks off half-way leaves nothing behind.
    first = doctors[0]
    (data / "fault-midway").touch()
    approving = asyncio.ensure_future(desk.step(first, 2))
    deadline = time.monotonic() + 30
    while hits("midway") < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert hits("midway") >= 2  # tried, failed half-way, retried
    assert (await registry_of(settings, [first]))[first.application_no] == []
    row = (await applications_of(settings, [first]))[first.application_no]
    assert (row.state, row.certificate_no) == ("under_review", None)
    assert row.open_slot is not None  # still holds its place: no second application slips in
    (data / "fault-midway").unlink()
    await approving

    # 2. The database is unreachable for a while.
    rest = doctors[1:]
    if proxy:
        await proxy.stop()
    else:
        (data / "fault-db-down").touch()
    down_at = time.monotonic()
    approvals = asyncio.ensure_future(bounded([desk.step(d, 2) for d in rest], 10))
    retried = 0
    while time.monotonic() - down_at < OUTAGE:
        await asyncio.sleep(1)
        retried = max(retried, await most_attempts(desk.client, rest))
    completed_meanwhile = await count_completed(settings, rest)
    lifted_at = datetime.now(UTC)
    if proxy:
        await proxy.start()
    else:
        (data / "fault-db-down").unlink()
    back_at = time.monotonic()
    await approvals
    outcomes = await asyncio.gather(*(desk.outcome(d, timeout=120) for d in doctors))
    print(
        f"database {'cut off by proxy' if proxy else 'failing'} for {OUTAGE:.0f}s: activities "
        f"tried up to {retried} times; all completed {time.monotonic() - back_at:.1f}s after"
    )
    if proxy:
        await proxy.stop()

    assert completed_meanwhile == 0
    assert retried >= 3
    assert [o["state"] for o in outcomes] == ["completed"] * APPLICATIONS
    await assert_registered_once(settings, doctors)
    # A notice whose emails the sink accepted but whose log rows the outage kept from being
    # written sends those again once the database is back (same Message-ID); nothing else twice.
    await assert_every_message_once(settings, doctors, resent_across=(lifted_at, lifted_at))
