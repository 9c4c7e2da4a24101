"""The worker is killed (SIGKILL) in the middle of 100 applications, then started again.

What was running in it — workflow tasks, registry changes, notices half sent — dies with it.
Temporal hands its workflow tasks to the new worker and retries its activities once their
30-second timeout passes. Every application still completes, with exactly one registration and
one certificate, and nobody receives the same notice twice: retried activities find what they
sent already in the delivery log.
"""

import asyncio
import time
from datetime import UTC, datetime

from temporalio.api.enums.v1 import EventType

from tests.faults.rig import (
    STEPS,
    Doctor,
    assert_every_message_once,
    assert_registered_once,
    bounded,
    count_completed,
)

APPLICATIONS = 100
AT_WORK = 20  # people filing and deciding at the same time
KILL_AFTER = 200  # of the 400 steps (100 filings, 300 decisions)


async def interrupted(client, doctors: list[Doctor]) -> int:
    """Workflows whose history shows the crash: a task or activity that timed out or ran again."""
    signs = 0
    for doctor in doctors:
        handle = client.get_workflow_handle(f"application-{doctor.application_no}")
        async for event in handle.fetch_history_events():
            if event.event_type in (
                EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
                EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
            ) or (
                event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
                and event.activity_task_started_event_attributes.attempt > 1
            ):
                signs += 1
                break
    return signs


async def test_worker_killed_mid_way_through_100_applications(deployment, faker):
    desk, settings = deployment.desk, deployment.settings
    worker = deployment.worker()
    doctors = await desk.physicians(APPLICATIONS, faker)
    started = time.monotonic()

    async def apply(doctor: Doctor) -> None:
        await desk.file(doctor)
        await desk.walk(doctor)

    crash_and_restart: list[datetime] = []

    async def crash() -> tuple[int, int]:
        """Kill the worker once 200 steps are taken; (applications filed, completed) then."""
        while desk.steps_taken < KILL_AFTER:
            await asyncio.sleep(0.05)
        filed_then = sum(1 for d in doctors if d.application_no)
        crash_and_restart.append(datetime.now(UTC))
        worker.kill()
        completed_then = await count_completed(settings, doctors)
        await asyncio.sleep(2)
        crash_and_restart.append(datetime.now(UTC))
        worker.start()
        return filed_then, completed_then

    walking = asyncio.ensure_future(bounded([apply(d) for d in doctors], AT_WORK))
    filed_at_crash, completed_at_crash = await crash()
    await walking
    outcomes = await asyncio.gather(*(desk.outcome(d) for d in doctors))
    print(f"100 applications through a worker crash in {time.monotonic() - started:.1f}s")

    # The crash came in the middle of the work: applications under way, none of them done.
    assert completed_at_crash < filed_at_crash, (completed_at_crash, filed_at_crash)
    assert worker.starts == 2 and worker.alive()
    assert [o["state"] for o in outcomes] == ["completed"] * APPLICATIONS
    cut_off = await interrupted(desk.client, doctors)
    print(
        f"{filed_at_crash} filed and {completed_at_crash} completed at the crash; {cut_off} "
        f"workflows cut off by it; {deployment.sink.handler.duplicates} resent emails dropped "
        "by Message-ID"
    )
    assert cut_off > 0  # work really was cut off: a task or an activity died with the worker
    await assert_registered_once(settings, doctors)
    # An email the killed worker had sent, whose log row died with it, may go again after the
    # restart (same Message-ID); nothing else twice. The sink may read the killed worker's last
    # bytes a moment after the kill: anything it took before the restart was the old worker's.
    restart = crash_and_restart[1]
    await assert_every_message_once(settings, doctors, resent_across=(restart, restart))
    assert len(STEPS) * APPLICATIONS + APPLICATIONS == desk.steps_taken
