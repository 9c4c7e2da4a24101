"""Pipeline throughput: registrations from submission to completion, against a bare workflow.

Both run on one persisted dev server, each with its own worker process, driven by this process
with the same concurrency. Ours: ``starter.services.applications.submit`` (the rules, the row, the
workflow start — what the API does after authentication) then the three decisions as workflow
updates, and the workflow's result. Bare: ``bench.bare.BareWorkflow``, the same commands with
no-op activities. They take turns, in rounds of about 100 (at least two rounds), bare first in
each, so ours runs on the larger Temporal database.
"""

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from bench import bare
from bench.common import CpuMeter, Desks, bounded, desks, summary_ms, timed
from bench.people import Person, active_physicians
from bench.stack import Stack
from infra import heap
from infra.temporal import application_workflow_id, connect, execute_update
from registry.application_types import (
    ApplicationStart,
    ApplicationState,
    ApplicationType,
    CommissionDecision,
    Decision,
    InstitutionDecision,
    PaperCheck,
    RegistrationFields,
)
from registry.db import get_sessionmaker
from registry.models import Account
from registry.seed import INSTITUTIONS
from starter.services.applications import submit
from workflows import search_attributes as sa
from workflows.application import ApplicationWorkflow

COMMISSION = {code: commission for code, _, _, commission, _ in INSTITUTIONS}
PROVINCE = {code: division[:2] + "0000" for code, _, division, _, _ in INSTITUTIONS}


async def _ours(stack: Stack, client, desk: Desks, person: Person) -> WorkflowHandle:
    settings = stack.settings
    async with get_sessionmaker(settings.database_url)() as session:
        filer = await session.get(Account, person.account_id)
        application = await submit(
            session,
            client,
            settings,
            filer,
            ApplicationType.registration,
            RegistrationFields(
                institution_code=person.institution_code, category="clinical", scope="内科"
            ),
        )
        no = application.application_no
    handle = client.get_workflow_handle_for(ApplicationWorkflow.run, application_workflow_id(no))
    code = person.institution_code
    await execute_update(
        handle,
        ApplicationWorkflow.institution_decision,
        InstitutionDecision(actor=desk.staff[code], decision=Decision.approve, comment="信息属实"),
    )
    await execute_update(
        handle,
        ApplicationWorkflow.paper_check,
        PaperCheck(actor=desk.officer[code], documents_complete=True, comment="材料齐全"),
    )
    await execute_update(
        handle,
        ApplicationWorkflow.commission_decision,
        CommissionDecision(actor=desk.officer[code], decision=Decision.approve, comment="准予注册"),
    )
    outcome = await handle.result()
    if outcome.state != ApplicationState.completed:
        raise RuntimeError(f"{no} ended {outcome.state}")
    return handle


async def _bare(stack: Stack, client, desk: Desks, person: Person, run: str) -> WorkflowHandle:
    code = person.institution_code
    no = f"B{run}{person.account_id:08d}"
    handle = await client.start_workflow(
        bare.BareWorkflow.run,
        ApplicationStart(
            application_no=no,
            type=ApplicationType.registration,
            filed_by=desk.staff[code].model_copy(
                update={"account_id": person.account_id, "role": "physician"}
            ),
            account_id=person.account_id,
            institution_code=code,
            commission_code=COMMISSION[code],
            province_code=PROVINCE[code],
        ),
        id=f"bare-{no}",
        task_queue=bare.task_queue(stack.settings.task_queue),
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(sa.APPLICATION_TYPE, "registration"),
                SearchAttributePair(sa.APPLICATION_STATE, "awaiting_institution"),
                SearchAttributePair(sa.INSTITUTION_CODE, code),
                SearchAttributePair(sa.PROVINCE_CODE, PROVINCE[code]),
                SearchAttributePair(sa.COMMISSION_CODE, COMMISSION[code]),
                SearchAttributePair(sa.OVERDUE, False),
            ]
        ),
        static_summary=f"业务申请 · Application {no} (registration)",
    )
    await handle.execute_update(
        bare.BareWorkflow.institution_decision,
        InstitutionDecision(actor=desk.staff[code], decision=Decision.approve, comment="信息属实"),
    )
    await handle.execute_update(
        bare.BareWorkflow.paper_check,
        PaperCheck(actor=desk.officer[code], documents_complete=True, comment="材料齐全"),
    )
    await handle.execute_update(
        bare.BareWorkflow.commission_decision,
        CommissionDecision(actor=desk.officer[code], decision=Decision.approve, comment="准予注册"),
    )
    await handle.result()
    return handle


async def _workflow_tasks(handles, sample: int = 20) -> float:
    """Workflow tasks per registration, the mean over ``sample`` of the runs: each is a round
    trip to the dev server and a replay step in the worker, the part of the cost that activities
    finishing one by one add to."""
    histories = [await handle.fetch_history() for handle in handles[:sample]]
    completed = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    counts = [sum(e.event_type == completed for e in h.events) for h in histories]
    return round(sum(counts) / len(counts), 1)


@dataclass
class _Rounds:
    """What one side (ours or bare) did over all its rounds."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    handles: list[WorkflowHandle] = field(default_factory=list)
    cpu: Counter = field(default_factory=Counter)

    async def drive(self, stack: Stack, concurrency: int, jobs) -> None:
        heap.settle()  # this process's own collections are no part of what is measured
        meter = CpuMeter(stack)
        meter.start()
        started = time.perf_counter()
        results = await bounded(concurrency, [timed(job) for job in jobs])
        self.seconds += time.perf_counter() - started
        self.cpu.update(meter.stop())
        stack.check_alive()
        self.latencies += [seconds for seconds, _ in results]
        self.handles += [handle for _, handle in results]

    async def summary(self) -> dict:
        n = len(self.latencies)
        return {
            "n": n,
            "seconds": round(self.seconds, 2),
            "per_second": round(n / self.seconds, 2),
            "latency": summary_ms(self.latencies),
            "workflow_tasks_per_application": await _workflow_tasks(self.handles),
            "cpu_seconds": {k: round(v, 2) for k, v in self.cpu.items()},
            "cpu_ms_per_application": {k: round(v * 1000 / n, 1) for k, v in self.cpu.items()},
        }


async def run(n: int, concurrency: int = 32, warmup: int = 16) -> dict:
    """``n`` registrations each way, bare and ours taking turns: the machine's speed drifts (the
    bare workflow's CPU per registration was seen 25 % apart from one run to the next), and
    turns expose both sides to the same drift."""
    rounds = max(2, n // 100)
    stack = Stack("pipeline")
    try:
        await stack.start("worker", "bare-worker")
        people = await active_physicians(stack.settings.database_url, n + warmup, salt=11)
        desk = await desks(stack.settings.database_url)
        client = await connect(stack.settings)
        run_id = uuid.uuid4().hex[:6]
        warm, timed_people = people[:warmup], people[warmup:]
        # Warm both workers and the server (connections, caches, first tasks); not counted.
        await bounded(
            concurrency, [lambda p=p: _bare(stack, client, desk, p, run_id + "w") for p in warm]
        )
        await bounded(concurrency, [lambda p=p: _ours(stack, client, desk, p) for p in warm])
        bare_side, ours_side = _Rounds(), _Rounds()
        for turn in range(rounds):
            group = timed_people[turn::rounds]
            await bare_side.drive(
                stack,
                concurrency,
                [lambda p=p: _bare(stack, client, desk, p, run_id) for p in group],
            )
            await ours_side.drive(
                stack, concurrency, [lambda p=p: _ours(stack, client, desk, p) for p in group]
            )
        ours_result, bare_result = await ours_side.summary(), await bare_side.summary()
        ratio = ours_result["per_second"] / bare_result["per_second"]
        return {
            "n": n,
            "concurrency": concurrency,
            "rounds": rounds,
            "ours": ours_result,
            "bare": bare_result,
            "ratio": round(ratio, 3),
            "target_ratio": 0.7,
            "ok": ratio >= 0.7,
        }
    finally:
        await stack.stop()
