"""A time-skipping Temporal test server and fake activation activities for workflow tests.

The activities are replaced at their unit boundary: the fakes keep the names and signatures of
``ActivationActivities``' methods and write down what the physician would have received (states,
notices, codes) in a per-test :class:`FakeRegistry`.
"""

import asyncio
import contextlib
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.api.enums.v1 import IndexedValueType
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
WRONG_CODE = "000000"
ACCOUNT_ID = 4242
INSTITUTION = "H11000001"
OTHER_INSTITUTION = "H31000009"
PROVINCE = "11"


def found(auto_activate: bool = False) -> QualificationMatch:
    """What matching returns once the physician's qualification record is in the registry."""
    return QualificationMatch(
        found=True, institution_code=INSTITUTION, province_code=PROVINCE, auto_activate=auto_activate
    )


def digest(purpose: CodePurpose, code: str) -> str:
    """What the API sends the workflow for a code the physician typed."""
    return code_digest(SECRET, ACCOUNT_ID, purpose, code)


async def refusal(update) -> ApplicationError:
    """The refusal a validator answered an update with (nothing entered history)."""
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await update
    assert isinstance(failed.value.cause, ApplicationError)
    return failed.value.cause


@dataclass
class Delivery:
    """One code the physician received: what it was for, where it went, and the code itself."""

    purpose: CodePurpose
    channels: list
    code: str


@dataclass
class FakeRegistry:
    """Stands in for the database, the SMS gateway and the mailer of one test."""

    match: QualificationMatch
    task_queue: str = field(default_factory=lambda: f"activation-{uuid.uuid4()}")
    match_calls: int = 0
    match_gate: asyncio.Event | None = None  # when set up, matching waits for it to be set
    states: list[ActivationState] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

    def last_code(self, purpose: CodePurpose) -> str:
        return next(d.code for d in reversed(self.deliveries) if d.purpose == purpose)

    def activities(self) -> list:
        @activity.defn(name="match_qualification")
        async def match_qualification(account_id: int) -> QualificationMatch:
            self.match_calls += 1
            match = self.match  # what the registry holds as matching starts
            if self.match_gate is not None:
                await self.match_gate.wait()
            return match

        @activity.defn(name="record_state")
        async def record_state(change: StateChange) -> None:
            self.states.append(change.state)

        @activity.defn(name="send_code")
        async def send_code(delivery: CodeDelivery) -> str:
            code = f"{100001 + len(self.deliveries):06d}"  # a new, known code per delivery
            self.deliveries.append(Delivery(delivery.purpose, delivery.channels, code))
            return code_digest(SECRET, delivery.account_id, delivery.purpose, code)

        @activity.defn(name="notify")
        async def notify(delivery: NoticeDelivery) -> None:
            self.notices.append(delivery.notice)

        return [match_qualification, record_state, send_code, notify]


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
                key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in ALL
            },
        )
    )
    yield env
    await env.shutdown()


@pytest_asyncio.fixture
async def registry(env: WorkflowEnvironment) -> AsyncIterator[FakeRegistry]:
    """The fakes of one test, served by a worker on a task queue of its own."""
    fake = FakeRegistry(match=QualificationMatch(found=False))
    async with Worker(
        env.client,
        task_queue=fake.task_queue,
        workflows=[ActivationWorkflow],
        activities=fake.activities(),
    ):
        yield fake


@dataclass
class Activation:
    """One account's activation, driven the way the API and institution staff drive it."""

    handle: WorkflowHandle
    registry: FakeRegistry

    async def status(self) -> ActivationStatus:
        return await self.handle.query(ActivationWorkflow.status)

    async def outcome(self) -> ActivationState:
        """Wait (skipping time) for the workflow to end; the state it ended in."""
        return (await self.handle.result()).state

    async def send_verification_code(self, channel: Channel = Channel.sms):
        return await self.handle.execute_update(
            ActivationWorkflow.send_verification_code, VerificationRequest(channel=channel)
        )

    async def confirm_verification(self, code: str, channel: Channel = Channel.sms) -> CodeCheck:
        return await self.handle.execute_update(
            ActivationWorkflow.confirm_verification,
            CodeEntry(channel=channel, digest=digest(CodePurpose.verification, code)),
        )

    async def verify(self, channel: Channel = Channel.sms) -> CodeCheck:
        """Request a code on ``channel`` and type in the one received."""
        await self.send_verification_code(channel)
        return await self.confirm_verification(
            self.registry.last_code(CodePurpose.verification), channel
        )

    async def issue_activation_code(self, institution: str = INSTITUTION):
        return await self.handle.execute_update(
            ActivationWorkflow.issue_activation_code,
            ActivationCodeRequest(institution_code=institution),
        )

    async def enter_activation_code(self, code: str) -> CodeCheck:
        return await self.handle.execute_update(
            ActivationWorkflow.enter_activation_code,
            CodeEntry(digest=digest(CodePurpose.activation, code)),
        )


@pytest_asyncio.fixture
async def start(env: WorkflowEnvironment, registry: FakeRegistry):
    """Start an activation whose first match returns ``match``; ended when the test ends."""
    handles: list[WorkflowHandle] = []

    async def start(match: QualificationMatch) -> Activation:
        registry.match = match
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
        handles.append(handle)
        return Activation(handle, registry)

    yield start
    for handle in handles:  # leave no timers behind to fire in later tests
        with contextlib.suppress(RPCError):
            await handle.terminate("test over")
