"""The Temporal server stops in the middle of the work and starts again on its database.

Applications are at every step when the dev server goes down (killed: a crash, not a clean
stop), and decisions are being taken at that moment. While it is down the API answers 503 and
people try again; the worker and the API reconnect by themselves when it is back. Every
workflow then continues from where its history says it was, to completion.
"""

import asyncio
import signal
import time

from tests.faults.rig import (
    ORDER,
    assert_every_message_once,
    assert_registered_once,
    bounded,
    count_completed,
)

APPLICATIONS = 20
DOWN_FOR = 5.0


async def test_every_workflow_continues_after_the_server_restarts(deployment, faker):
    desk, settings, temporal = deployment.desk, deployment.settings, deployment.temporal
    worker = deployment.worker()
    doctors = await desk.physicians(APPLICATIONS, faker)

    # Half-way: a quarter waits for the institution, a quarter for the paper documents, a
    # quarter for the commission, a quarter is completed.
    async def part_way(index: int, doctor) -> None:
        await desk.file(doctor)
        await desk.walk(doctor, range(index % 4))

    await bounded([part_way(i, d) for i, d in enumerate(doctors)], 10)
    assert await count_completed(settings, doctors) == APPLICATIONS // 4

    # Everyone takes their next steps; the server dies while they do.
    async def rest_of_the_way(index: int, doctor) -> None:
        await desk.walk(doctor, range(index % 4, 3))

    remaining = sum(3 - i % 4 for i in range(APPLICATIONS))  # steps still to take
    before = desk.steps_taken
    walking = asyncio.ensure_future(
        bounded([rest_of_the_way(i, d) for i, d in enumerate(doctors)], 10)
    )
    while desk.steps_taken < before + remaining // 4 and not walking.done():  # a quarter
        await asyncio.sleep(0.01)
    temporal.stop(signal.SIGKILL)
    stopped_at = time.monotonic()
    taken_then = desk.steps_taken - before
    open_then = APPLICATIONS - await count_completed(settings, doctors)
    refused = await desk.api.post(
        f"/api/v1/applications/{doctors[0].application_no}/institution-decision",
        headers=desk.staff,
        json={"decision": "approve"},
    )
    await asyncio.sleep(DOWN_FOR - (time.monotonic() - stopped_at))
    await asyncio.to_thread(temporal.start)
    await walking
    outcomes = await asyncio.gather(*(desk.outcome(d, timeout=120) for d in doctors))
    print(
        f"server down {DOWN_FOR:.0f}s; all {APPLICATIONS} completed "
        f"{time.monotonic() - stopped_at - DOWN_FOR:.1f}s after it came back"
    )

    # The server died with steps still to take and applications open.
    assert 0 < taken_then < remaining and open_then > 0, (taken_then, open_then)
    assert refused.status_code == 503, refused.text
    assert refused.json()["code"] == "service_unavailable"
    assert worker.alive() and worker.starts == 1  # it waited for the server, and went on
    assert [o["state"] for o in outcomes] == ["completed"] * APPLICATIONS
    await assert_registered_once(settings, doctors)
    await assert_every_message_once(settings, doctors)
    for doctor in doctors:  # and each timeline has each step once
        response = await desk.api.get(
            f"/api/v1/applications/{doctor.application_no}", headers=doctor.headers
        )
        assert [e["state"] for e in response.json()["timeline"]] == ORDER, response.json()[
            "timeline"
        ]
