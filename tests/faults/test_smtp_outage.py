"""The SMTP server is down for 30 seconds while applications move: every email arrives later.

Notices are activities the workflow starts without holding up the step, retried with backoff
until they go. A notice to a physician sends the SMS first, then the email: while the SMTP
server is down the email fails and the whole activity is retried — the delivery log makes each
retry skip the SMS that already went.
"""

import asyncio
import os
import time

from tests.faults.rig import (
    PHYSICIAN_EVENTS,
    assert_every_message_once,
    assert_registered_once,
    bounded,
    duplicates,
    messages,
)
from tests.sends import sent_twice

APPLICATIONS = 20
DOWN_FOR = float(os.environ.get("EREG_FAULT_SMTP_DOWN_SECONDS", "30"))


async def test_every_email_arrives_after_the_smtp_server_returns(deployment, faker):
    desk, settings, sink = deployment.desk, deployment.settings, deployment.sink
    deployment.worker()
    doctors = await desk.physicians(APPLICATIONS, faker)

    await sink.stop()
    down_at = time.monotonic()

    async def apply(doctor) -> None:
        await desk.file(doctor)
        await desk.walk(doctor)

    # The work goes on without mail: every step is taken and recorded.
    await bounded([apply(d) for d in doctors], 10)
    walked_in = time.monotonic() - down_at
    handles = [desk.client.get_workflow_handle(f"application-{d.application_no}") for d in doctors]
    retrying = 0
    while time.monotonic() - down_at < DOWN_FOR:
        await asyncio.sleep(1)
        described = await handles[0].describe()
        retrying = max(
            retrying,
            *(a.attempt for a in described.raw_description.pending_activities),
            0,
        )
    sent = await messages(settings)
    assert [m for m in sent if m.channel == "email"] == []  # nothing got through meanwhile
    # SMS went (those ahead of a failing email in their notice) — once each, however often
    # the email after them was retried.
    assert duplicates(sent) == []
    assert await sent_twice(settings.database_url) == []  # counted before the dev gateway's log
    assert 0 < len(sent) <= PHYSICIAN_EVENTS * APPLICATIONS
    assert retrying >= 3, "the notices were not being retried"

    await sink.start()
    back_at = time.monotonic()
    outcomes = await asyncio.gather(*(desk.outcome(d, timeout=120) for d in doctors))
    print(
        f"SMTP down {DOWN_FOR:.0f}s (steps all taken in {walked_in:.1f}s; notices tried up to "
        f"{retrying} times); every message "
        f"delivered {time.monotonic() - back_at:.1f}s after it came back"
    )
    assert [o["state"] for o in outcomes] == ["completed"] * APPLICATIONS
    await assert_registered_once(settings, doctors)
    await assert_every_message_once(settings, doctors)
