"""The worker is killed (SIGKILL) in the middle of a collective registration, then started
again: the batch finishes, every row is filed once, every application workflow started once."""

import asyncio
import csv
import io
import random

from sqlalchemy import func, select

from registry.db import session_scope
from registry.models import Application, ApplicationEvent, Batch, BatchRow, Qualification
from tests.dates import recently_qualified

ROWS = 300
KILL_AFTER = 80  # rows filed when the worker dies


async def _intake(settings, faker) -> bytes:
    people, seen = [], set()
    while len(people) < ROWS:
        number = faker.ssn()
        if number not in seen:
            seen.add(number)
            people.append((faker.name(), number))
    async with session_scope(settings.database_url) as session:
        session.add_all(
            Qualification(
                certificate_no=f"F{random.randrange(10**15):015d}",
                name=name,
                id_number=number,
                level="physician",
                category="clinical",
                issued_on=recently_qualified(),
            )
            for name, number in people
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "id_number", "category", "scope"])
    writer.writerows([name, number, "clinical", "内科"] for name, number in people)
    return out.getvalue().encode()


async def _filed(settings, batch_id: str) -> int:
    async with session_scope(settings.database_url) as session:
        return await session.scalar(
            select(func.count()).where(BatchRow.batch_id == batch_id, BatchRow.status != "pending")
        )


async def _finished(settings, batch_id: str, timeout: float = 300) -> None:
    for _ in range(int(timeout * 4)):
        async with session_scope(settings.database_url) as session:
            if (await session.get(Batch, batch_id)).finished_at is not None:
                return
        await asyncio.sleep(0.25)
    raise AssertionError("the batch never finished")


async def test_worker_killed_mid_batch_finishes_and_files_nobody_twice(deployment, faker):
    desk, settings = deployment.desk, deployment.settings
    worker = deployment.worker()
    content = await _intake(settings, faker)
    response = await desk.api.post(
        "/api/v1/institution/batches",
        headers=desk.staff,
        files={"file": ("intake.csv", content, "text/csv")},
    )
    assert response.status_code == 201, response.text
    batch_id = response.json()["batch_id"]

    while (filed := await _filed(settings, batch_id)) < KILL_AFTER:
        await asyncio.sleep(0.05)
    worker.kill()
    assert filed < ROWS, "the crash came after the batch: nothing tested"
    await asyncio.sleep(2)
    worker.start()
    await _finished(settings, batch_id)

    async with session_scope(settings.database_url) as session:
        rows = list(await session.scalars(select(BatchRow).where(BatchRow.batch_id == batch_id)))
        numbers = [r.application_no for r in rows]
        filed_twice = await session.scalar(
            select(func.count()).where(Application.details["batch_id"].as_string() == batch_id)
        )
    assert {r.status for r in rows} == {"started"}
    assert len(set(numbers)) == ROWS and filed_twice == ROWS  # one application per row

    # Every application's workflow started (once: its id is the application's) and recorded
    # its submission once.
    for _ in range(600):
        async with session_scope(settings.database_url) as session:
            submitted = dict(
                (
                    await session.execute(
                        select(ApplicationEvent.application_no, func.count())
                        .where(
                            ApplicationEvent.application_no.in_(numbers),
                            ApplicationEvent.action == "submitted",
                        )
                        .group_by(ApplicationEvent.application_no)
                    )
                ).all()
            )
        if len(submitted) == ROWS:
            break
        await asyncio.sleep(0.25)
    assert len(submitted) == ROWS and set(submitted.values()) == {1}
    client = await deployment.temporal.client()
    described = await asyncio.gather(
        *(client.get_workflow_handle(f"application-{no}").describe() for no in numbers[:20])
    )
    assert {d.parent_id for d in described} == {f"batch-{batch_id}"}
