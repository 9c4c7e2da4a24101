"""ProfileReviewWorkflow on the time-skipping test server: approve, reject, expire, refuse.

The activities are fakes with the names of ``ProfileActivities``' methods; they write down what
was recorded, applied, kept and told, and when (on the server's skipping clock). Thirty days
pass in milliseconds.
"""

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from registry.application_types import Actor
from registry.reviews import (
    REVIEW_REMIND_BEFORE,
    REVIEW_WINDOW,
    PhotoReplacement,
    ReviewDecision,
    ReviewEnding,
    ReviewKind,
    ReviewNotice,
    ReviewRecord,
    ReviewStart,
    ReviewState,
    ReviewWithdrawal,
)
from registry.security import ContactMessage
from tests.workflows.conftest import eventually, refusal
from workflows import search_attributes as sa
from workflows.profile_review import ProfileReviewWorkflow

INSTITUTION = "H4301020001"
OTHER_INSTITUTION = "H3305230001"
PROVINCE = "430000"
ACCOUNT_ID = 777
STAFF = Actor(account_id=5, role="institution_staff", institution_code=INSTITUTION)
OTHER_STAFF = Actor(account_id=6, role="institution_staff", institution_code=OTHER_INSTITUTION)
PHYSICIAN = Actor(account_id=ACCOUNT_ID, role="physician", institution_code=INSTITUTION)
A_MOMENT = timedelta(seconds=1)


@dataclass
class FakeProfile:
    """The database and the outboxes of one test."""

    task_queue: str = field(default_factory=lambda: f"profile-review-test-{uuid.uuid4()}")
    records: list[ReviewRecord] = field(default_factory=list)
    applied: list[tuple[int, int | None]] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    notices: list[tuple[datetime, ReviewNotice]] = field(default_factory=list)
    # While cleared, notices wait: the review cannot end, so steps after its decision meet a
    # running workflow (an update racing a workflow's completion upsets the test server).
    notices_flow: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.notices_flow.set()

    def events(self) -> list[str]:
        return [notice.event for _, notice in self.notices]

    def worker(self, client: Client, **options) -> Worker:
        return Worker(
            client,
            task_queue=self.task_queue,
            workflows=[ProfileReviewWorkflow],
            activities=self.activities(),
            **options,
        )

    def activities(self) -> list:
        @activity.defn(name="record_review")
        async def record_review(step: ReviewRecord) -> None:
            self.records.append(step)

        @activity.defn(name="apply_review")
        async def apply_review(review_id: int, photo_id: int | None) -> None:
            self.applied.append((review_id, photo_id))

        @activity.defn(name="keep_newest_photo")
        async def keep_newest_photo(account_id: int, photo_id: int) -> None:
            self.kept.append(photo_id)

        @activity.defn(name="notify_review")
        async def notify_review(notice: ReviewNotice) -> None:
            await self.notices_flow.wait()
            self.notices.append((activity.info().current_attempt_scheduled_time, notice))

        @activity.defn(name="deliver_contact_message")
        async def deliver_contact_message(message: ContactMessage) -> None:
            pass

        return [record_review, apply_review, keep_newest_photo, notify_review,
                deliver_contact_message]  # fmt: skip


@dataclass
class Review:
    env: WorkflowEnvironment
    handle: WorkflowHandle
    fake: FakeProfile
    started_at: datetime

    async def decide(self, actor=STAFF, decision="approve", comment=None, photo_id=None):
        return await self.handle.execute_update(
            ProfileReviewWorkflow.decide,
            ReviewDecision(actor=actor, decision=decision, comment=comment, photo_id=photo_id),
        )

    async def replace_photo(self, photo_id: int):
        return await self.handle.execute_update(
            ProfileReviewWorkflow.replace_photo, PhotoReplacement(photo_id=photo_id)
        )

    async def withdraw(self, actor=PHYSICIAN):
        return await self.handle.execute_update(
            ProfileReviewWorkflow.withdraw, ReviewWithdrawal(actor=actor)
        )

    async def state(self) -> ReviewState:
        return (await self.handle.result()).state

    async def search_attributes(self) -> dict:
        """As stored, read from the raw description: the SDK's decoding of a Datetime
        attribute depends on how the test server registered it."""
        fields = (
            await raw_description(self.env.client, self.handle)
        ).workflow_execution_info.search_attributes
        return {
            name: json.loads(payload.data)
            for name, payload in fields.indexed_fields.items()
            if payload.data  # an unset attribute
        }

    async def updates_accepted(self) -> int:
        events = [event async for event in self.handle.fetch_history_events()]
        return sum(
            event.HasField("workflow_execution_update_accepted_event_attributes")
            for event in events
        )


def review_start(review_id: int, kind=ReviewKind.personal_info, photo_id=None) -> ReviewStart:
    """What the API starts a review of this test's physician with."""
    return ReviewStart(
        review_id=review_id,
        account_id=ACCOUNT_ID,
        kind=kind,
        institution_code=INSTITUTION,
        province_code=PROVINCE,
        photo_id=photo_id,
    )


@pytest_asyncio.fixture
async def fake(env: WorkflowEnvironment) -> AsyncIterator[FakeProfile]:
    profile = FakeProfile()
    async with profile.worker(env.client):
        yield profile


@pytest_asyncio.fixture
async def start(env: WorkflowEnvironment, fake: FakeProfile):
    """Start a review as the API does; returns once it waits for the institution."""
    started: list[Review] = []

    async def start(kind=ReviewKind.personal_info, photo_id=None) -> Review:
        review_id = len(started) + 1
        started_at = await env.get_current_time()
        handle = await env.client.start_workflow(
            ProfileReviewWorkflow.run,
            review_start(review_id, kind, photo_id),
            id=f"profile-review-{uuid.uuid4()}",
            task_queue=fake.task_queue,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.REVIEW_STATE, ReviewState.awaiting_institution.value),
                    SearchAttributePair(sa.INSTITUTION_CODE, INSTITUTION),
                ]
            ),
        )
        review = Review(env, handle, fake, started_at)
        started.append(review)
        await eventually(lambda: "submitted" in fake.events(), "the institution is told")
        return review

    yield start
    for review in started:
        # Terminating mid-task can leave the test server's clock locked for later tests.
        await eventually(lambda r=review: settled(env.client, r.handle), "nothing in flight")
        with contextlib.suppress(RPCError):  # already ended
            await review.handle.terminate("test over")


async def raw_description(
    client: Client, handle: WorkflowHandle
) -> DescribeWorkflowExecutionResponse:
    return await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace,
            execution=WorkflowExecution(workflow_id=handle.id),
        )
    )


async def settled(client: Client, handle: WorkflowHandle) -> bool:
    """Closed, or waiting with no workflow task and no activity in flight."""
    raw = await raw_description(client, handle)
    running = (
        raw.workflow_execution_info.status
        == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
    )
    return not running or (not raw.pending_activities and not raw.HasField("pending_workflow_task"))


async def test_approved_change_is_applied_then_recorded(start, fake):
    review = await start()
    assert fake.records[0].state == ReviewState.awaiting_institution
    assert fake.records[0].deadline - review.started_at == pytest.approx(
        REVIEW_WINDOW, abs=A_MOMENT
    )
    result = await review.decide(comment="核实无误")
    assert result.state == ReviewState.approved
    assert fake.applied == [(1, None)]
    assert fake.records[-1].state == ReviewState.approved
    assert fake.records[-1].decided_by == STAFF.account_id
    assert fake.records[-1].comment == "核实无误"
    assert await review.state() == ReviewState.approved
    assert fake.events() == ["submitted", "approved"]
    assert fake.notices[-1][1].audiences == ["physician"]
    attributes = await review.search_attributes()
    assert attributes["ReviewState"] == "approved"
    assert attributes["InstitutionCode"] == INSTITUTION
    assert "StepDeadline" not in attributes


async def test_rejection_needs_a_reason_and_changes_nothing(start, fake):
    review = await start()
    refused = await refusal(review.decide(decision="reject", comment="  "))
    assert refused.type == "comment_required"
    result = await review.decide(decision="reject", comment="邮编与地址不符")
    assert result.state == ReviewState.rejected
    assert fake.applied == []
    assert await review.state() == ReviewState.rejected
    assert fake.notices[-1][1].event == "rejected"
    assert fake.notices[-1][1].params == {"comment": "邮编与地址不符"}
    assert await review.updates_accepted() == 1  # the refused one never entered history


async def test_only_its_physician_withdraws_a_review_and_only_before_the_decision(start, fake):
    review = await start(kind=ReviewKind.photo, photo_id=9)
    someone_else = Actor(account_id=ACCOUNT_ID + 1, role="physician")
    assert (await refusal(review.withdraw(someone_else))).type == "forbidden"
    result = await review.withdraw()
    assert result.state == ReviewState.withdrawn
    assert await review.state() == ReviewState.withdrawn
    assert (fake.records[-1].state, fake.records[-1].photo_id) == (ReviewState.withdrawn, 9)
    assert fake.records[-1].deadline is None and fake.applied == []
    assert fake.events() == ["submitted", "withdrawn"]
    assert fake.notices[-1][1].audiences == ["institution"]
    assert (await review.search_attributes())["ReviewState"] == "withdrawn"
    assert await review.updates_accepted() == 1  # the refused one never entered history

    decided = await start()
    fake.notices_flow.clear()  # the decided review stays open while its notice waits
    assert (await decided.decide()).state == ReviewState.approved
    assert (await refusal(decided.withdraw())).type == "wrong_state"
    fake.notices_flow.set()
    assert await decided.state() == ReviewState.approved


async def test_ended_when_its_institution_is_no_longer_the_physicians(start, fake):
    """An application completed and the institution is no longer the physician's: the review
    ends, both are told; one decided meanwhile stays as decided."""
    review = await start()
    await review.handle.signal(
        ProfileReviewWorkflow.institution_changed, ReviewEnding(application_no="20261201000042")
    )
    assert await review.state() == ReviewState.ended
    assert fake.records[-1].state == ReviewState.ended and fake.applied == []
    assert "20261201000042" in fake.records[-1].comment
    assert fake.events() == ["submitted", "ended"]
    assert fake.notices[-1][1].audiences == ["physician", "institution"]
    assert (await review.search_attributes())["ReviewState"] == "ended"

    decided = await start()
    fake.notices_flow.clear()  # the decided review stays open while its notice waits
    assert (await decided.decide()).state == ReviewState.approved
    await decided.handle.signal(
        ProfileReviewWorkflow.institution_changed, ReviewEnding(application_no="20261201000043")
    )
    fake.notices_flow.set()
    assert await decided.state() == ReviewState.approved
    assert fake.events().count("ended") == 1


async def test_expires_after_30_days_with_a_reminder_7_days_before(env, start, fake):
    review = await start()
    await env.sleep(REVIEW_WINDOW - REVIEW_REMIND_BEFORE - timedelta(hours=1))
    assert fake.events() == ["submitted"]
    await env.sleep(timedelta(hours=1) + A_MOMENT)
    await eventually(lambda: "reminder" in fake.events(), "the reminder")
    reminded_at = fake.notices[-1][0]
    assert reminded_at - review.started_at == pytest.approx(
        REVIEW_WINDOW - REVIEW_REMIND_BEFORE, abs=timedelta(minutes=1)
    )
    assert fake.notices[-1][1].audiences == ["institution"]
    assert await review.state() == ReviewState.expired
    assert fake.events() == ["submitted", "reminder", "expired"]
    expired_at = fake.notices[-1][0]
    assert expired_at - review.started_at == pytest.approx(REVIEW_WINDOW, abs=timedelta(minutes=1))
    assert fake.notices[-1][1].audiences == ["physician", "institution"]
    assert fake.records[-1].state == ReviewState.expired and fake.applied == []


async def test_only_the_physicians_institution_decides(start, fake):
    review = await start()
    assert (await refusal(review.decide(actor=OTHER_STAFF))).type == "wrong_institution"
    assert (await refusal(review.decide(actor=PHYSICIAN))).type == "wrong_institution"
    assert await review.updates_accepted() == 0
    fake.notices_flow.clear()
    await review.decide(decision="reject", comment="资料不全")
    refused = await refusal(review.decide())
    assert refused.type == "wrong_state"
    assert refused.details[0] == {"state": "rejected"}
    fake.notices_flow.set()
    assert await review.state() == ReviewState.rejected
    assert fake.applied == []


async def test_a_newer_photo_replaces_the_pending_one(env, start, fake):
    review = await start(ReviewKind.photo, photo_id=10)
    assert fake.kept == [10]
    await env.sleep(timedelta(days=20))
    assert (await review.replace_photo(11)).accepted
    assert fake.kept == [10, 11]
    assert fake.records[-1].photo_id == 11
    # The 30 days start again for the newest photo.
    assert fake.records[-1].deadline - fake.records[0].deadline == pytest.approx(
        timedelta(days=20), abs=timedelta(minutes=1)
    )
    assert (await review.replace_photo(9)).accepted  # older than the one under review: no-op
    assert fake.kept == [10, 11]
    # Staff who looked at the replaced photo are told to look again.
    assert (await refusal(review.decide(photo_id=10))).type == "review_outdated"
    fake.notices_flow.clear()
    result = await review.decide(photo_id=11)
    assert (result.state, result.photo_id) == (ReviewState.approved, 11)
    assert fake.applied == [(1, 11)]
    # Closed: a later upload needs a review of its own.
    assert (await refusal(review.replace_photo(12))).type == "wrong_state"
    fake.notices_flow.set()
    assert await review.state() == ReviewState.approved


async def test_personal_information_review_takes_no_photo(start):
    review = await start()
    assert (await refusal(review.replace_photo(3))).type == "wrong_state"


async def test_of_a_decision_and_a_withdrawal_arriving_together_only_the_first_acts(
    temporal_dev_server,
):
    """Sent while no worker runs, both reach the next worker in one workflow task (the dev
    server delivers them together; the time-skipping server would not). Each update's
    validator runs just before its handler, so the withdrawal's finds the decision under way
    and refuses it before it enters history."""
    env, fake = temporal_dev_server, FakeProfile()

    def worker() -> Worker:
        # No sticky queue: the next task goes to the next worker.
        return fake.worker(env.client, max_cached_workflows=0)

    async with worker():
        handle = await env.client.start_workflow(
            ProfileReviewWorkflow.run,
            review_start(1),
            id=f"profile-review-{uuid.uuid4()}",
            task_queue=fake.task_queue,
        )
        review = Review(env, handle, fake, await env.get_current_time())
        await eventually(lambda: "submitted" in fake.events(), "the institution is told")
        await eventually(lambda: settled(env.client, handle), "nothing in flight")
    decision = asyncio.create_task(review.decide())
    await asyncio.sleep(0.5)  # the server takes them in this order
    withdrawal = asyncio.create_task(review.withdraw())
    await asyncio.sleep(0.5)
    async with worker():
        assert (await decision).state == ReviewState.approved
        assert (await refusal(withdrawal)).type == "wrong_state"
        assert await review.state() == ReviewState.approved
    assert await review.updates_accepted() == 1
    assert fake.applied == [(1, None)]
    assert fake.records[-1].state == ReviewState.approved
    assert fake.events() == ["submitted", "approved"]
