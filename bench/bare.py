"""The floor the pipeline benchmark compares against: a bare workflow of the same shape.

``BareWorkflow`` issues the same Temporal commands as ``ApplicationWorkflow`` on the registration
happy path, in the same order, with the same payload types, and nothing else:

- start (with the same search attributes) → ``record`` and a ``notify`` started without waiting;
- between steps the same clock: a timer raced against the next step (cancelled when it comes);
- an update's step waits, as ours does, until the submission's ``record`` has completed and no
  other step is running (an update may arrive with the first workflow task);
- ``institution_decision`` update → ``record`` + ``notify``;
- ``paper_check`` update → ``deadline`` twice, one after the other, then ``record`` + ``notify``;
- ``commission_decision`` update → ``complete`` then ``record`` + ``notify``;
- the run waits for its handlers and notices, and returns.

Each ``record`` upserts the same seven search attributes. The activities return at once: no
database, no rules, no SMTP. ``python -m bench.bare`` runs its worker (settings from ``EREG_*``,
the same encrypted data converter as ereg's, task queue ``<EREG_TASK_QUEUE>-bare``).
"""

import asyncio
from contextlib import suppress
from datetime import date, datetime, time, timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from registry.application_types import (
        ApplicationOutcome,
        ApplicationStart,
        ApplicationState,
        Audience,
        CommissionDecision,
        Completion,
        DecisionResult,
        InstitutionDecision,
        Notice,
        PaperCheck,
        Transition,
    )
    from registry.reference import CHINA_TIME
    from workflows import search_attributes as sa

TIMEOUT = timedelta(seconds=30)
CLOCK = timedelta(days=23)  # the institution's reminder, as the real workflow's first timer
Sx = ApplicationState


@activity.defn(name="bare_record")
async def record(transition: Transition) -> None:
    return None


@activity.defn(name="bare_notify")
async def notify(notice: Notice) -> None:
    return None


@activity.defn(name="bare_deadline")
async def deadline(accepted_on: date, working_days: int) -> datetime:
    return datetime.combine(accepted_on + timedelta(days=working_days), time(23, 59), CHINA_TIME)


@activity.defn(name="bare_complete")
async def complete(application_no: str, today: date) -> Completion:
    return Completion(completed=True, certificate_no="0")


ACTIVITIES = [record, notify, deadline, complete]


@workflow.defn
class BareWorkflow:
    @workflow.init
    def __init__(self, start: ApplicationStart) -> None:
        self._start = start
        self._state = Sx.awaiting_institution
        self._sequence = 0
        self._busy = False
        self._submitted = False
        self._notices: list[asyncio.Future] = []

    @workflow.run
    async def run(self, start: ApplicationStart) -> ApplicationOutcome:
        await self._record(Sx.awaiting_institution)
        self._submitted = True
        self._notify("submitted")
        while self._state != Sx.completed:
            await workflow.wait_condition(lambda: not self._busy)
            seen = self._sequence
            with suppress(TimeoutError):
                await workflow.wait_condition(lambda s=seen: self._sequence != s, timeout=CLOCK)
            await workflow.wait_condition(lambda: not self._busy)
        await workflow.wait_condition(workflow.all_handlers_finished)
        await asyncio.gather(*self._notices)
        return ApplicationOutcome(state=self._state, certificate_no="0")

    async def _record(self, state: ApplicationState) -> None:
        self._state = state
        self._sequence += 1
        workflow.upsert_search_attributes(
            [
                sa.APPLICATION_TYPE.value_set(self._start.type),
                sa.APPLICATION_STATE.value_set(state),
                sa.INSTITUTION_CODE.value_set(self._start.institution_code),
                sa.PROVINCE_CODE.value_set(self._start.province_code),
                sa.COMMISSION_CODE.value_set(self._start.commission_code),
                sa.STEP_DEADLINE.value_set(workflow.now() + timedelta(days=30)),
                sa.OVERDUE.value_set(False),
            ]
        )
        await workflow.execute_activity(
            record,
            Transition(
                application_no=self._start.application_no,
                sequence=self._sequence,
                state=state,
                action=state.value,
                actor_role="system",
                at=workflow.now(),
                step_deadline=workflow.now() + timedelta(days=30),
            ),
            start_to_close_timeout=TIMEOUT,
        )

    def _notify(self, event: str) -> None:
        notice = Notice(
            application_no=self._start.application_no, event=event, audiences=[Audience.physician]
        )
        self._notices.append(
            workflow.start_activity(notify, notice, start_to_close_timeout=TIMEOUT)
        )

    def _result(self) -> DecisionResult:
        return DecisionResult(state=self._state)

    async def _step(self) -> None:
        # As ApplicationWorkflow._taking_step: a step waits until the submission is recorded.
        await workflow.wait_condition(lambda: self._submitted and not self._busy)
        self._busy = True

    @workflow.update
    async def institution_decision(self, decision: InstitutionDecision) -> DecisionResult:
        await self._step()
        await self._record(Sx.awaiting_documents)
        self._notify("institution_approved")
        self._busy = False
        return self._result()

    @institution_decision.validator
    def _check_institution(self, decision: InstitutionDecision) -> None:
        if self._state != Sx.awaiting_institution or self._busy:
            raise ValueError("wrong_state")

    @workflow.update
    async def paper_check(self, check: PaperCheck) -> DecisionResult:
        await self._step()
        today = workflow.now().date()
        await workflow.execute_activity(deadline, args=[today, 20], start_to_close_timeout=TIMEOUT)
        await workflow.execute_activity(deadline, args=[today, 17], start_to_close_timeout=TIMEOUT)
        await self._record(Sx.under_review)
        self._notify("documents_accepted")
        self._busy = False
        return self._result()

    @paper_check.validator
    def _check_paper(self, check: PaperCheck) -> None:
        if self._state != Sx.awaiting_documents or self._busy:
            raise ValueError("wrong_state")

    @workflow.update
    async def commission_decision(self, decision: CommissionDecision) -> DecisionResult:
        await self._step()
        await workflow.execute_activity(
            complete,
            args=[self._start.application_no, workflow.now().date()],
            start_to_close_timeout=TIMEOUT,
        )
        await self._record(Sx.completed)
        self._notify("completed")
        self._busy = False
        return self._result()

    @commission_decision.validator
    def _check_commission(self, decision: CommissionDecision) -> None:
        if self._state != Sx.under_review or self._busy:
            raise ValueError("wrong_state")


def task_queue(base: str) -> str:
    return f"{base}-bare"


async def main() -> None:
    import signal

    from temporalio.worker import Worker

    from infra.temporal import connect
    from registry.settings import get_settings

    settings = get_settings()
    client = await connect(settings)
    worker = Worker(
        client,
        task_queue=task_queue(settings.task_queue),
        workflows=[BareWorkflow],
        activities=ACTIVITIES,
        max_concurrent_activities=settings.worker_max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
        max_cached_workflows=settings.worker_max_cached_workflows,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with worker:
        await stop.wait()


if __name__ == "__main__":
    from infra import heap

    heap.settle()  # as ``ereg worker`` does
    asyncio.run(main())
