"""A time-skipping Temporal test server, fake activation activities and a driver for one activation.

The activities are replaced at their unit boundary: the fakes keep the names and signatures of
``ActivationActivities``' methods and write down what the physician would have received (states
recorded, notices, codes) in a per-test :class:`FakeRegistry`. The server's clock only moves
while a test sleeps (``env.sleep``) or waits for the outcome (``handle.result()``).
"""

import asyncio
import contextlib
import inspect
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.api.enums.v1 import EventType, IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from registry.activation import (
    ActivationCodeRequest,
    ActivationStart,
    ActivationState,
    ActivationStatus,
    Channel,
    CodeCheck,
    CodeDelivery,
    CodeEntry,
    CodePurpose,
    CodeSent,
    InstitutionSettings,
    Notice,
    NoticeDelivery,
    QualificationMatch,
    StateChange,
    VerificationRequest,
)
from registry.codes import code_digest
from workflows.activation import ActivationWorkflow
from workflows.search_attributes import ACTIVATION_STATE, ALL, INSTITUTION_CODE, PROVINCE_CODE

SECRET = "workflow-test-code-secret"
WRONG_CODE = "000000"  # never delivered: the fakes number their codes from 100001
ACCOUNT_ID = 4242
INSTITUTION = "H11000001"
OTHER_INSTITUTION = "H31000009"
PROVINCE = "11"
CATCH_UP = 5.0  # real seconds the worker gets to process what already happened

NOT_FOUND = QualificationMatch(found=False)


def found(auto_activate: bool = False) -> QualificationMatch:
    """What matching returns once the physician's qualification record is in the registry."""
    return QualificationMatch(
        found=True,
        institution_code=INSTITUTION,
        province_code=PROVINCE,
        auto_activate=auto_activate,
    )


def digest(purpose: CodePurpose, code: str) -> str:
    """What the API hands the workflow for a code the physician typed."""
    return code_digest(SECRET, ACCOUNT_ID, purpose, code)


async def refusal(update: Awaitable) -> ApplicationError:
    """The refusal a validator answered ``update`` with (so nothing entered history)."""
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await update
    assert isinstance(failed.value.cause, ApplicationError)
    return failed.value.cause


async def eventually(check: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    """Poll in real time (the clock stays put) until the worker has caught up with ``check``."""
    deadline = asyncio.get_running_loop().time() + CATCH_UP
    while not await _value(check()):
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"the workflow never got to: {what}")
        await asyncio.sleep(0.02)


async def _value(result: bool | Awaitable[bool]) -> bool:
    return await result if inspect.isawaitable(result) else result


@dataclass
class Delivery:
    """One code the physician received: what it was for, where it went, and the code itself."""

    purpose: CodePurpose
    channels: list[Channel]
    code: str


@dataclass
class FakeRegistry:
    """Stands in for the database, the SMS gateway and the mailer of one test."""

    match: QualificationMatch = field(default_factory=lambda: NOT_FOUND)
    task_queue: str = field(default_factory=lambda: f"activation-test-{uuid.uuid4()}")
    match_calls: int = 0
    match_gate: asyncio.Event | None = None  # if given, each match waits for it before answering
    states: list[ActivationState] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

    def last_code(self, purpose: CodePurpose) -> str:
        return next(d.code for d in reversed(self.deliveries) if d.purpose == purpose)

    def activities(self) -> list[Callable]:
        @activity.defn(name="match_qualification")
        async def match_qualification(account_id: int) -> QualificationMatch:
            self.match_calls += 1
            match = self.match  # what the registry held when matching started
            if self.match_gate is not None:
                await self.match_gate.wait()
            return match

        @activity.defn(name="record_state")
        async def record_state(change: StateChange) -> None:
            self.states.append(change.state)

        @activity.defn(name="send_code")
        async def send_code(delivery: CodeDelivery) -> str:
            code = str(100001 + len(self.deliveries))  # a new code, known to the test
            self.deliveries.append(Delivery(delivery.purpose, delivery.channels, code))
            return code_digest(SECRET, delivery.account_id, delivery.purpose, code)

        @activity.defn(name="notify")
        async def notify(delivery: NoticeDelivery) -> None:
            self.notices.append(delivery.notice)

        return [match_qualification, record_state, send_code, notify]


@dataclass
class Activation:
    """One account's activation, driven the way the API and institution staff drive it."""

    env: WorkflowEnvironment
    handle: WorkflowHandle
    registry: FakeRegistry
    started_at: datetime

    # --- what the physician and operators see ------------------------------------------------

    async def status(self) -> ActivationStatus:
        return await self.handle.query(ActivationWorkflow.status)

    async def outcome(self) -> ActivationState:
        """Let the clock run until the workflow ends; the state it ended in."""
        return (await self.handle.result()).state

    async def age(self) -> timedelta:
        """How long the (still running) activation has been running on the server's clock."""
        return await self.env.get_current_time() - self.started_at

    async def lasted(self) -> timedelta:
        """From start to end of the finished workflow, read from its history.

        (After ``handle.result()`` the test server's clock may have skipped further on.)
        """
        events = [event async for event in self.handle.fetch_history_events()]
        return events[-1].event_time.ToDatetime() - events[0].event_time.ToDatetime()

    async def search_attributes(self) -> dict[str, str]:
        described = await self.handle.describe()
        return {pair.key.name: pair.value for pair in described.typed_search_attributes}

    async def events(self) -> list[str]:
        """The workflow's history as short event names (``TIMER_STARTED``, ...)."""
        return [
            EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
            async for event in self.handle.fetch_history_events()
        ]

    async def idle(self) -> bool:
        """Nothing in flight: every workflow task and activity scheduled so far has finished."""
        events = await self.events()

        def count(*names: str) -> int:
            return sum(events.count(name) for name in names)

        return count("WORKFLOW_TASK_SCHEDULED") == count(
            "WORKFLOW_TASK_COMPLETED", "WORKFLOW_TASK_FAILED", "WORKFLOW_TASK_TIMED_OUT"
        ) and count("ACTIVITY_TASK_SCHEDULED") == count(
            "ACTIVITY_TASK_COMPLETED",
            "ACTIVITY_TASK_FAILED",
            "ACTIVITY_TASK_TIMED_OUT",
            "ACTIVITY_TASK_CANCELED",
        )

    async def settles_in(self, state: ActivationState) -> None:
        """Wait until the workflow is in ``state`` with nothing in flight: waiting on the user."""

        async def settled() -> bool:
            return (await self.status()).state == state and await self.idle()

        await eventually(settled, f"waiting in {state}")

    # --- the physician --------------------------------------------------------------------------

    async def send_verification_code(self, channel: Channel = Channel.sms) -> CodeSent:
        return await self.handle.execute_update(
            ActivationWorkflow.send_verification_code, VerificationRequest(channel=channel)
        )

    async def confirm_verification(self, code: str, channel: Channel = Channel.sms) -> CodeCheck:
        return await self.handle.execute_update(
            ActivationWorkflow.confirm_verification,
            CodeEntry(channel=channel, digest=digest(CodePurpose.verification, code)),
        )

    def verification_code(self) -> str:
        """The last verification code the physician received."""
        return self.registry.last_code(CodePurpose.verification)

    async def verify(self, channel: Channel = Channel.sms) -> CodeCheck:
        """Ask for a code on ``channel`` and type in the one received."""
        await self.send_verification_code(channel)
        return await self.confirm_verification(self.verification_code(), channel)

    async def enter_activation_code(self, code: str) -> CodeCheck:
        return await self.handle.execute_update(
            ActivationWorkflow.enter_activation_code,
            CodeEntry(digest=digest(CodePurpose.activation, code)),
        )

    def activation_code(self) -> str:
        """The last activation code the physician received from the institution."""
        return self.registry.last_code(CodePurpose.activation)

    # --- institution staff and the importer -----------------------------------------------------

    async def issue_activation_code(self, institution: str = INSTITUTION) -> CodeSent:
        return await self.handle.execute_update(
            ActivationWorkflow.issue_activation_code,
            ActivationCodeRequest(institution_code=institution),
        )

    async def change_institution_settings(self, auto_activate: bool) -> None:
        await self.handle.signal(
            ActivationWorkflow.institution_settings_changed,
            InstitutionSettings(auto_activate=auto_activate),
        )

    async def qualification_imported(self) -> None:
        await self.handle.signal(ActivationWorkflow.qualification_imported)


def server_path() -> str:
    return shutil.which("temporal-test-server") or str(
        Path(sys.executable).parent / "temporal-test-server"
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """One time-skipping server for the session, with the activation search attributes."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=server_path(), data_converter=pydantic_data_converter
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                # All as Keyword: the time-skipping server stores a Datetime attribute in a form
                # the SDK then cannot decode in describe(); as Keyword it reads back correctly.
                key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
                for key in ALL
            },
        )
    )
    yield env
    await env.shutdown()


@pytest_asyncio.fixture
async def registry(env: WorkflowEnvironment) -> AsyncIterator[FakeRegistry]:
    """The fakes of one test, served by a worker on a task queue of its own."""
    fake = FakeRegistry()
    async with Worker(
        env.client,
        task_queue=fake.task_queue,
        workflows=[ActivationWorkflow],
        activities=fake.activities(),
    ):
        yield fake


@pytest_asyncio.fixture
async def start(env: WorkflowEnvironment, registry: FakeRegistry):
    """Start an activation as the API does; ``match`` is what matching finds at first.

    Returns once the workflow waits for the physician (found) or the record (not found), or at
    once with ``settle=False``. Whatever
    is still running when the test ends is terminated, so no timer fires into a later test.
    """
    activations: list[Activation] = []

    async def start(match: QualificationMatch, *, settle: bool = True) -> Activation:
        registry.match = match
        started_at = await env.get_current_time()
        handle = await env.client.start_workflow(
            ActivationWorkflow.run,
            ActivationStart(account_id=ACCOUNT_ID, institution_code=INSTITUTION),
            id=f"activation-{ACCOUNT_ID}-{uuid.uuid4()}",
            task_queue=registry.task_queue,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(ACTIVATION_STATE, ActivationState.awaiting_qualification),
                    SearchAttributePair(INSTITUTION_CODE, INSTITUTION),
                    SearchAttributePair(PROVINCE_CODE, PROVINCE),
                ]
            ),
        )
        activation = Activation(env, handle, registry, started_at)
        activations.append(activation)
        if not settle:
            return activation
        await activation.settles_in(
            ActivationState.awaiting_verification
            if match.found
            else ActivationState.awaiting_qualification
        )
        return activation

    yield start
    for activation in activations:
        # Terminated mid-task, a workflow was seen to leave the server's clock locked (a later
        # env.sleep never returned): let the worker finish what it is doing first.
        with contextlib.suppress(pytest.fail.Exception):
            await eventually(activation.idle, "nothing in flight")
        with contextlib.suppress(RPCError):  # already ended
            await activation.handle.terminate("test over")
