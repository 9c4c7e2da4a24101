"""ApplicationWorkflow on the time-skipping test server: every decision, every clock.

Each test reads like what the people involved would see: the steps on the application's
timeline (the transitions recorded), how it ended, who was told what, the refusal codes the API
would show, and the search attributes operators filter by. Weeks pass in milliseconds: only
``env.sleep`` moves the server's clock, which otherwise stays put.

The activities are replaced at their unit boundary (same names and arguments as
``ApplicationActivities``), except the statutory deadline: the real ``review_deadline`` computes
it on the working-day calendar, so the 20 working days are tested for real.
"""

import asyncio
import contextlib
import itertools
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.applications import ApplicationActivities
from registry.application_types import (
    DOCUMENTS_WINDOW,
    INSTITUTION_WINDOW,
    OVERDUE_REMINDER_EVERY,
    REMIND_BEFORE,
    RESUBMIT_WINDOW,
    REVIEW_REMIND_WORKING_DAYS,
    REVIEW_WORKING_DAYS,
    Actor,
    ApplicationOutcome,
    ApplicationStart,
    ApplicationState,
    ApplicationType,
    CommissionDecision,
    Completion,
    Decision,
    DecisionResult,
    DocumentCheck,
    DocumentStatus,
    InstitutionDecision,
    Notice,
    PaperCheck,
    Resubmission,
    Transition,
    Withdrawal,
)
from registry.claims import ClaimRecord
from registry.reference import CHINA_TIME
from registry.reviews import ReviewState, review_workflow_id
from registry.workdays import add_working_days, working_days_between
from tests.workflows.conftest import (
    INSTITUTION,
    OTHER_INSTITUTION,
    PROVINCE,
    eventually,
    refusal,
)
from tests.workflows.test_profile_review import FakeProfile, review_start
from workflows import search_attributes as sa
from workflows.application import ApplicationWorkflow
from workflows.profile_review import ProfileReviewWorkflow

COMMISSION = "110000"
OTHER_COMMISSION = "310000"
OLD_INSTITUTION = "H11000002"  # the physician's previous institution, told of the application
CERTIFICATE_NO = "110110000012345"
REFUSAL_ZH = "您在该执业地点（110000）已有有效注册；一个执业地点只能有一个主要执业机构。"
REFUSAL_EN = "You already hold a registration at this location (110000); a location has ..."
A_MINUTE = timedelta(minutes=1)
CATCH_UP = 5.0  # real seconds the worker gets to finish what the clock already triggered

PHYSICIAN = Actor(account_id=4242, role="physician")
SOMEONE_ELSE = Actor(account_id=4343, role="physician")
STAFF = Actor(account_id=501, role="institution_staff", institution_code=INSTITUTION)
OTHER_STAFF = Actor(account_id=502, role="institution_staff", institution_code=OTHER_INSTITUTION)
OFFICER = Actor(account_id=601, role="commission_officer", commission_code=COMMISSION)
OTHER_OFFICER = Actor(account_id=602, role="commission_officer", commission_code=OTHER_COMMISSION)
# An officer who also happens to carry the institution's code still does not speak for it.
OFFICER_AT_INSTITUTION = Actor(
    account_id=603,
    role="commission_officer",
    institution_code=INSTITUTION,
    commission_code=COMMISSION,
)

S = ApplicationState
EVERYONE_AT_START = ["institution", "old_institution", "physician"]
_numbers = itertools.count(1)
_IDLE = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
}
_ACTIVITY_STARTED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
_ACTIVITY_ENDED = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
}


def end_of_day(day: date) -> datetime:
    """23:59:59 China time: when a deadline on ``day`` runs out."""
    return datetime.combine(day, time(23, 59, 59), CHINA_TIME)


def china_date(moment: datetime) -> date:
    return moment.astimezone(CHINA_TIME).date()


def review_deadline(accepted_at: datetime, working_days: int = REVIEW_WORKING_DAYS) -> datetime:
    """The end of the n-th working day after the (China-time) day the documents were accepted."""
    return end_of_day(add_working_days(china_date(accepted_at), working_days))


async def caught_up(check: Callable[[], bool | Awaitable[bool]]) -> bool:
    """Poll in real time (the clock stays put) until ``check`` holds; whether it ever did."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + CATCH_UP
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result or loop.time() > give_up:
            return bool(result)
        await asyncio.sleep(0.02)


async def assert_refused(update: Awaitable, code: str, **details: object) -> None:
    """The validator refused with ``code`` (and these details): nothing entered history."""
    refused = await refusal(update)
    assert refused.type == code
    assert (refused.details[0] if refused.details else {}) == details


# --- the registry, notices and completion, as the people involved would see them -----------


@dataclass
class FakeRecords:
    """Stands in for the database, the registry change and the messaging of one test."""

    completion: Completion = field(
        default_factory=lambda: Completion(completed=True, certificate_no=CERTIFICATE_NO)
    )
    task_queue: str = field(default_factory=lambda: f"application-test-{uuid.uuid4()}")
    transitions: list[Transition] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    completions: list[tuple[str, date]] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)  # the row's mirror of each claim
    # activity name -> how many of its next attempts fail (say, the worker restarts): retried
    failing: Counter[str] = field(default_factory=Counter)
    # The working-day calendar is read this much later than the workflow's date (whole weeks,
    # so weekends stay weekends), and its answer moved back by as much: a calendar date the
    # server's clock, which starts today and only moves forward, could not reach.
    calendar_shift: timedelta = timedelta(0)

    def activities(self) -> list[Callable]:
        @activity.defn(name="record_transition")
        async def record_transition(transition: Transition) -> None:
            self._maybe_fail("record_transition")
            self.transitions.append(transition)

        @activity.defn(name="complete_application")
        async def complete_application(application_no: str, today: date) -> Completion:
            self._maybe_fail("complete_application")
            self.completions.append((application_no, today))
            return self.completion

        @activity.defn(name="notify_application")
        async def notify_application(notice: Notice) -> None:
            self.notices.append(notice)

        real = ApplicationActivities("sqlite+aiosqlite:///unused", None, None)

        @activity.defn(name="review_deadline")
        async def review_deadline(accepted_on: date, working_days: int) -> datetime:
            """The real statutory deadline: pure, the working-day calendar, no database."""
            self._maybe_fail("review_deadline")
            shift = self.calendar_shift
            return await real.review_deadline(accepted_on + shift, working_days) - shift

        @activity.defn(name="record_claim")
        async def record_claim(record: ClaimRecord) -> None:
            self.claims.append(record)

        return [
            record_transition,
            complete_application,
            notify_application,
            review_deadline,
            record_claim,
        ]

    def _maybe_fail(self, name: str) -> None:
        if self.failing[name]:
            self.failing[name] -= 1
            raise RuntimeError("worker restarting")  # retried a second later


@dataclass
class Application:
    """One application, driven the way the API drives it for physicians, staff and officers."""

    env: WorkflowEnvironment
    handle: WorkflowHandle
    records: FakeRecords

    # --- what users see ----------------------------------------------------------------------

    def timeline(self) -> list[tuple[str, ApplicationState]]:
        """(action, state) of every step recorded, as the application's timeline lists them."""
        return [(t.action, t.state) for t in self.records.transitions]

    @property
    def last_step(self) -> Transition:
        return self.records.transitions[-1]

    def notified(self) -> list[tuple[str, list[str]]]:
        """(event, audiences) of every notice sent."""
        return [(n.event, n.audiences) for n in self.records.notices]

    def notices_of(self, event: str) -> list[Notice]:
        return [n for n in self.records.notices if n.event == event]

    async def outcome(self) -> ApplicationOutcome:
        """How the application ended; it must have ended already.

        Read through a plain handle: the started handle's ``result()`` would let the server skip
        time while it waits, and once the workflow is done it skips on to the server's ten-year
        run timeout, moving the clock every later test shares.
        """
        plain = self.env.client.get_workflow_handle_for(ApplicationWorkflow.run, self.handle.id)
        try:
            return await asyncio.wait_for(plain.result(), CATCH_UP)
        except TimeoutError:
            pytest.fail(f"the application has not ended: {self.timeline()[-1]}")

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def search_attributes(self) -> dict[str, object]:
        described = await self.handle.describe()
        return {pair.key.name: pair.value for pair in described.typed_search_attributes}

    async def history(self) -> list[EventType.ValueType]:
        return [event.event_type async for event in self.handle.fetch_history_events()]

    async def accepted_updates(self) -> int:
        """Decisions that entered the workflow's history (refused ones never do)."""
        return (await self.history()).count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)

    # --- the clock -----------------------------------------------------------------------------

    async def quiet(self) -> None:
        """Wait until nothing is in flight: every activity (notices too) done, a timer running."""

        async def idle() -> bool:
            kinds = await self.history()
            in_flight = kinds.count(_ACTIVITY_STARTED) - sum(k in _ACTIVITY_ENDED for k in kinds)
            return in_flight == 0 and kinds[-1] in _IDLE

        assert await caught_up(idle), "the workflow never settled"

    async def sleep(self, duration: timedelta) -> None:
        """Let ``duration`` pass on the server's clock, and the workflow act on it."""
        await self.env.sleep(duration)
        await self.quiet()

    async def sleep_until(self, moment: datetime) -> None:
        await self.sleep(moment - await self.now())

    # --- the physician -------------------------------------------------------------------------

    async def withdraw(self, actor: Actor = PHYSICIAN) -> DecisionResult:
        return await self._update(ApplicationWorkflow.withdraw, Withdrawal(actor=actor))

    async def resubmit(
        self, comment: str | None = "已补正", actor: Actor = PHYSICIAN
    ) -> DecisionResult:
        return await self._update(
            ApplicationWorkflow.resubmit, Resubmission(actor=actor, comment=comment)
        )

    # --- institution staff ---------------------------------------------------------------------

    async def institution_decision(
        self,
        decision: Decision = Decision.approve,
        comment: str | None = None,
        actor: Actor = STAFF,
    ) -> DecisionResult:
        return await self._update(
            ApplicationWorkflow.institution_decision,
            InstitutionDecision(actor=actor, decision=decision, comment=comment),
        )

    # --- commission officers -------------------------------------------------------------------

    async def paper_check(
        self,
        complete: bool = True,
        comment: str | None = None,
        actor: Actor = OFFICER,
        items: list[DocumentCheck] | None = None,
    ) -> DecisionResult:
        """The older yes/no (``complete``), or the item-by-item findings (``items``)."""
        check = (
            PaperCheck(actor=actor, items=items, comment=comment)
            if items is not None
            else PaperCheck(actor=actor, documents_complete=complete, comment=comment)
        )
        return await self._update(ApplicationWorkflow.paper_check, check)

    async def commission_decision(
        self,
        decision: Decision = Decision.approve,
        comment: str | None = None,
        actor: Actor = OFFICER,
    ) -> DecisionResult:
        return await self._update(
            ApplicationWorkflow.commission_decision,
            CommissionDecision(actor=actor, decision=decision, comment=comment),
        )

    async def _update(self, update, argument) -> DecisionResult:
        result = await self.handle.execute_update(update, argument)
        await self.quiet()
        return result

    # --- shortcuts to a step -------------------------------------------------------------------

    async def at_documents(self) -> DecisionResult:
        """The institution approved: the physician is to bring the paper documents."""
        return await self.institution_decision(Decision.approve)

    async def under_review(self) -> DecisionResult:
        """The documents were accepted: the commission's statutory clock runs."""
        await self.at_documents()
        return await self.paper_check()


Submit = Callable[..., Awaitable[Application]]


@contextlib.asynccontextmanager
async def application_desk(
    env: WorkflowEnvironment, records: FakeRecords | None = None
) -> AsyncIterator[Submit]:
    """Submit applications as the API does, served by a worker with fakes of their own.

    Whatever is still running at the end is terminated, so no timer fires into a later test.
    """
    records = records or FakeRecords()
    handles: list[WorkflowHandle] = []

    async def submit(
        filed_by: Actor = PHYSICIAN,
        type_: ApplicationType = ApplicationType.change,
        entered: ApplicationState = S.awaiting_institution,
    ) -> Application:
        application_no = f"20261126{next(_numbers):06d}"
        handle = await env.client.start_workflow(
            ApplicationWorkflow.run,
            ApplicationStart(
                application_no=application_no,
                type=type_,
                filed_by=filed_by,
                account_id=PHYSICIAN.account_id,
                institution_code=INSTITUTION,
                notify_institution_code=OLD_INSTITUTION,
                commission_code=COMMISSION,
                province_code=PROVINCE,
            ),
            id=f"application-{application_no}-{uuid.uuid4()}",
            task_queue=records.task_queue,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.APPLICATION_TYPE, ApplicationType.change),
                    SearchAttributePair(sa.APPLICATION_STATE, S.awaiting_institution),
                    SearchAttributePair(sa.INSTITUTION_CODE, INSTITUTION),
                    SearchAttributePair(sa.PROVINCE_CODE, PROVINCE),
                    SearchAttributePair(sa.COMMISSION_CODE, COMMISSION),
                    SearchAttributePair(sa.OVERDUE, False),
                ]
            ),
        )
        handles.append(handle)
        application = Application(env, handle, records)
        await application.quiet()
        assert application.timeline() == [("submitted", entered)]
        return application

    async with Worker(
        env.client,
        task_queue=records.task_queue,
        workflows=[ApplicationWorkflow],
        activities=records.activities(),
    ):
        yield submit
        for handle in handles:
            with contextlib.suppress(RPCError):  # already ended
                await handle.terminate("test over")


@pytest_asyncio.fixture
async def submit(env: WorkflowEnvironment) -> AsyncIterator[Submit]:
    async with application_desk(env) as submit:
        yield submit


# --- the whole way ---------------------------------------------------------------------------


async def test_approved_all_the_way_to_a_certificate(submit):
    """Institution, paper documents, commission: completed with a certificate, everyone told."""
    application = await submit()
    assert application.notified() == [("submitted", EVERYONE_AT_START)]

    approved = await application.institution_decision(Decision.approve)
    assert approved.state == S.awaiting_documents
    assert approved.step_deadline - await application.now() == pytest.approx(
        DOCUMENTS_WINDOW, abs=A_MINUTE
    )
    assert application.notices_of("institution_approved")[0].params == {
        "deadline": str(china_date(approved.step_deadline))
    }

    accepted_at = await application.now()
    accepted = await application.paper_check()
    deadline = review_deadline(accepted_at)
    assert (accepted.state, accepted.step_deadline) == (S.under_review, deadline)
    assert application.last_step.step_deadline == deadline
    assert application.notices_of("documents_accepted")[0].params == {
        "deadline": str(deadline.date())
    }
    assert await application.search_attributes() == {
        "ApplicationType": "change",
        "ApplicationState": "under_review",
        "InstitutionCode": INSTITUTION,
        "ProvinceCode": PROVINCE,
        "CommissionCode": COMMISSION,
        "StepDeadline": deadline,
        "Overdue": False,
    }

    completed = await application.commission_decision(Decision.approve, comment="同意")
    assert (completed.state, completed.certificate_no) == (S.completed, CERTIFICATE_NO)
    assert await application.outcome() == ApplicationOutcome(
        state=S.completed, certificate_no=CERTIFICATE_NO
    )
    assert application.timeline() == [
        ("submitted", S.awaiting_institution),
        ("institution_approved", S.awaiting_documents),
        ("documents_accepted", S.under_review),
        ("completed", S.completed),
    ]
    assert [(t.actor_role, t.actor_id) for t in application.records.transitions] == [
        ("physician", PHYSICIAN.account_id),
        ("institution_staff", STAFF.account_id),
        ("commission_officer", OFFICER.account_id),
        ("commission_officer", OFFICER.account_id),
    ]
    assert (application.last_step.comment, application.last_step.step_deadline) == ("同意", None)
    assert application.notified() == [
        ("submitted", EVERYONE_AT_START),
        ("institution_approved", ["physician"]),
        ("documents_accepted", ["physician", "institution"]),
        ("completed", ["physician", "institution", "old_institution"]),
    ]
    assert application.notices_of("completed")[0].params == {"certificate_no": CERTIFICATE_NO}
    application_no = application.last_step.application_no
    assert application.records.completions == [(application_no, china_date(accepted_at))]
    attributes = await application.search_attributes()
    assert attributes["ApplicationState"] == "completed"
    assert "StepDeadline" not in attributes


async def test_rule_recheck_refuses_completion(submit):
    """Approved, but the registry changed meanwhile: rejected, with the rule's written reasons
    in words to the physician and the institution; the timeline keeps the code beside them."""
    application = await submit()
    await application.under_review()
    application.records.completion = Completion(
        completed=False,
        refusal_code="already_registered_in_location",
        refusal_zh=REFUSAL_ZH,
        refusal_en=REFUSAL_EN,
    )

    result = await application.commission_decision(Decision.approve)

    assert (result.state, result.certificate_no) == (S.rejected, None)
    assert await application.outcome() == ApplicationOutcome(state=S.rejected)
    assert application.timeline()[-1] == ("refused_at_completion", S.rejected)
    step = application.last_step
    assert (step.comment, step.comment_en, step.reason_code) == (
        REFUSAL_ZH,
        REFUSAL_EN,
        "already_registered_in_location",
    )
    assert "rule:" not in step.comment
    assert application.notified()[-1] == ("rejected", ["physician", "institution"])
    assert application.notices_of("rejected")[0].params == {
        "comment": REFUSAL_ZH,
        "comment_zh": REFUSAL_ZH,
        "comment_en": REFUSAL_EN,
    }


@pytest.mark.parametrize(
    ("at_step", "decide", "action", "audiences"),
    [
        pytest.param(
            None,
            Application.institution_decision,
            "institution_rejected",
            ["physician", "institution"],
            id="by-institution",
        ),
        pytest.param(
            Application.under_review,
            Application.commission_decision,
            "commission_rejected",
            ["physician", "institution"],
            id="by-commission",
        ),
    ],
)
async def test_rejected_with_a_reason(submit, at_step, decide, action, audiences):
    """A rejection ends the application; the physician and the institution get the reasons in
    writing (Physicians Law art. 16)."""
    application = await submit()
    if at_step:
        await at_step(application)

    result = await decide(application, Decision.reject, comment="材料不实")

    assert result.state == S.rejected
    assert await application.outcome() == ApplicationOutcome(state=S.rejected)
    assert application.timeline()[-1] == (action, S.rejected)
    assert application.last_step.comment == "材料不实"
    event = application.records.notices[-1]
    assert (event.audiences, event.params) == (audiences, {"comment": "材料不实"})


# --- clocks that run out ---------------------------------------------------------------------


async def returned_by_institution(application: Application) -> DecisionResult:
    return await application.institution_decision(Decision.return_, comment="照片不清晰")


async def returned_by_commission(application: Application) -> DecisionResult:
    await application.under_review()
    return await application.commission_decision(Decision.return_, comment="执业范围填写有误")


@pytest.mark.parametrize(
    ("at_step", "state", "window", "waiting_on"),
    [
        pytest.param(
            None, S.awaiting_institution, INSTITUTION_WINDOW, "institution", id="institution"
        ),
        pytest.param(
            Application.at_documents, S.awaiting_documents, DOCUMENTS_WINDOW, "physician",
            id="paper-documents",
        ),
        pytest.param(
            returned_by_institution, S.returned, RESUBMIT_WINDOW, "physician", id="returned"
        ),
    ],
)  # fmt: skip
async def test_a_step_left_alone_is_reminded_then_expires(
    submit, at_step, state, window, waiting_on
):
    """Whoever is waited on is reminded 7 days before the window closes; still open the day
    before; then the application expires and the physician and institution are told."""
    application = await submit()
    if at_step:
        await at_step(application)
    entered_at, deadline = application.last_step.at, application.last_step.step_deadline
    assert (application.last_step.state, deadline - entered_at) == (state, window)
    notified_so_far = application.notified()

    await application.sleep_until(deadline - REMIND_BEFORE - A_MINUTE)
    assert application.notified() == notified_so_far
    await application.sleep(2 * A_MINUTE)
    assert application.notified() == [*notified_so_far, ("reminder", [waiting_on])]
    assert application.notices_of("reminder")[0].params == {"deadline": str(china_date(deadline))}

    await application.sleep_until(deadline - timedelta(days=1))
    assert application.last_step.state == state
    assert (await application.search_attributes())["ApplicationState"] == state

    await application.sleep_until(deadline + A_MINUTE)
    assert await application.outcome() == ApplicationOutcome(state=S.expired)
    assert window <= application.last_step.at - entered_at < window + A_MINUTE
    assert application.timeline()[-1] == ("expired", S.expired)
    assert application.last_step.actor_role == "system"
    assert application.notified()[-2:] == [
        ("reminder", [waiting_on]),
        ("expired", ["physician", "institution"]),
    ]
    assert (await application.search_attributes())["ApplicationState"] == "expired"


@pytest.mark.parametrize(
    ("send_back", "action"),
    [
        pytest.param(returned_by_institution, "institution_returned", id="by-institution"),
        pytest.param(returned_by_commission, "commission_returned", id="by-commission"),
    ],
)
async def test_returned_then_resubmitted_gives_the_institution_a_fresh_30_days(
    submit, send_back, action
):
    """Returned with a comment, corrected late in the 60 days: the institution starts over."""
    application = await submit()
    returned = await send_back(application)
    comment = application.last_step.comment
    assert returned.state == S.returned
    assert returned.step_deadline - application.last_step.at == RESUBMIT_WINDOW
    assert application.timeline()[-1] == (action, S.returned)
    assert application.notified()[-1] == ("returned", ["physician"])
    assert application.notices_of("returned")[0].params == {"comment": comment}

    await application.sleep(RESUBMIT_WINDOW - REMIND_BEFORE - timedelta(days=1))
    resubmitted = await application.resubmit(comment="已补正")
    resubmitted_at = application.last_step.at
    assert resubmitted.state == S.awaiting_institution
    assert resubmitted.step_deadline == resubmitted_at + INSTITUTION_WINDOW
    assert (application.last_step.action, application.last_step.comment) == (
        "resubmitted",
        "已补正",
    )
    assert application.notified()[-1] == ("resubmitted", ["institution"])

    await application.sleep_until(resubmitted_at + INSTITUTION_WINDOW - REMIND_BEFORE + A_MINUTE)
    assert application.notified()[-1] == ("reminder", ["institution"])
    await application.sleep_until(resubmitted_at + INSTITUTION_WINDOW + A_MINUTE)
    assert await application.outcome() == ApplicationOutcome(state=S.expired)
    expired_after = application.last_step.at - resubmitted_at
    assert INSTITUTION_WINDOW <= expired_after < INSTITUTION_WINDOW + A_MINUTE
    assert [step for step, _ in application.timeline()][-3:] == [action, "resubmitted", "expired"]
    assert [event for event, _ in application.notified()].count("reminder") == 1  # the fresh one


def finding(kind: str, status: DocumentStatus = DocumentStatus.present, note=None):
    return DocumentCheck(kind=kind, status=status, note=note)


REGISTRATION_PAPERS = ["application_form", "photo", "qualification_certificate",
                       "health_certificate", "identity_document", "employment_proof"]  # fmt: skip


async def test_every_document_present_starts_the_20_working_days(submit):
    """The officer finds each required document present: accepted, the statutory clock runs,
    and the findings are on the timeline line."""
    application = await submit()
    await application.at_documents()
    items = [finding(kind) for kind in REGISTRATION_PAPERS]
    accepted_at = await application.now()

    result = await application.paper_check(items=items)

    assert (result.state, result.step_deadline) == (S.under_review, review_deadline(accepted_at))
    step = application.last_step
    assert (step.action, step.state) == ("documents_accepted", S.under_review)
    assert step.documents == items
    assert application.notified()[-1] == ("documents_accepted", ["physician", "institution"])


async def test_missing_or_unacceptable_documents_return_it_listed_and_resubmit_to_the_counter(
    submit,
):
    """Two documents missing and one not acceptable: the application is returned (补正), the
    timeline and the physician's notice list them in both languages; the resubmission goes
    straight back to the paper check (the institution confirmed already), with a fresh 60 days,
    and a complete check then starts the statutory clock."""
    application = await submit()
    await application.at_documents()
    items = [finding(kind) for kind in REGISTRATION_PAPERS]
    items[1] = finding("photo", DocumentStatus.missing)
    items[3] = finding("health_certificate", DocumentStatus.not_acceptable, "出具已超过6个月")
    items[5] = finding("employment_proof", DocumentStatus.missing)

    result = await application.paper_check(items=items, comment="请补齐后再来")

    assert result.state == S.returned
    step = application.last_step
    assert (step.action, step.state, step.documents) == ("documents_returned", S.returned, items)
    assert step.comment == (
        "缺少：近期免冠照片、聘用证明；不符合要求：健康体检证明（出具已超过6个月）；说明：请补齐后再来"
    )
    assert step.comment_en == (
        "missing: Recent photos, Proof of employment; not acceptable: Health certificate "
        "(出具已超过6个月); note: 请补齐后再来"
    )
    assert application.notified()[-1] == ("documents_returned", ["physician"])
    params = application.notices_of("documents_returned")[0].params
    assert params["comment_zh"] == step.comment and params["comment_en"] == step.comment_en

    result = await application.resubmit("材料已补齐")
    assert result.state == S.awaiting_documents
    assert result.step_deadline == application.last_step.at + DOCUMENTS_WINDOW
    assert application.notified()[-1] == ("documents_resubmitted", ["physician"])
    await application.paper_check(items=[finding(kind) for kind in REGISTRATION_PAPERS])
    assert application.timeline()[-4:] == [
        ("institution_approved", S.awaiting_documents),
        ("documents_returned", S.returned),
        ("resubmitted", S.awaiting_documents),
        ("documents_accepted", S.under_review),
    ]


async def test_a_document_not_acceptable_needs_a_note_and_each_is_checked_once(submit):
    """The validator refuses, before anything enters history, a document found not acceptable
    without saying why, and a document checked twice."""
    application = await submit()
    await application.at_documents()
    before = await application.accepted_updates()

    await assert_refused(
        application.paper_check(items=[finding("photo", DocumentStatus.not_acceptable, "  ")]),
        "document_note_required",
        document="近期免冠照片",
    )
    await assert_refused(
        application.paper_check(items=[finding("photo"), finding("photo")]),
        "document_checklist_incomplete",
        documents="—",
    )
    assert await application.accepted_updates() == before
    assert application.last_step.state == S.awaiting_documents


async def test_an_institutions_report_returned_at_the_counter_goes_back_to_the_institution(
    submit,
):
    """A cancellation the institution reported: the institution brings the papers, so a
    return at the counter tells the institution, its staff resubmit, and it comes back to the
    counter, not to a confirmation."""
    application = await submit(STAFF, ApplicationType.cancellation, S.awaiting_documents)
    report = finding("institution_report", DocumentStatus.missing)

    result = await application.paper_check(items=[finding("application_form"), report])

    assert result.state == S.returned
    assert application.notified()[-1] == ("documents_returned", ["institution"])
    await assert_refused(application.resubmit(actor=PHYSICIAN), "not_applicant")
    assert (await application.resubmit(actor=STAFF)).state == S.awaiting_documents
    assert application.notified()[-1] == ("documents_resubmitted", ["institution"])


async def test_the_older_yes_no_still_works_and_a_no_returns_it_with_the_comment(submit):
    """A caller still sending the older shape (documents_complete false, a comment) returns
    the application with the comment as what is missing."""
    application = await submit()
    await application.at_documents()

    result = await application.paper_check(complete=False, comment="缺少体检证明")

    assert result.state == S.returned
    step = application.last_step
    assert (step.action, step.comment, step.documents) == (
        "documents_returned",
        "说明：缺少体检证明",
        None,
    )
    assert application.notified()[-1] == ("documents_returned", ["physician"])


# --- the commission's statutory 20 working days ----------------------------------------------


async def test_past_20_working_days_flagged_overdue_and_reminded_never_approved(submit):
    """Officers are reminded 3 working days before; at the deadline nothing is approved by
    itself: the application is flagged overdue, officers reminded weekly, and can still act."""
    application = await submit()
    await application.at_documents()
    accepted_at = await application.now()
    await application.paper_check()
    deadline = review_deadline(accepted_at)
    remind_at = review_deadline(accepted_at, REVIEW_WORKING_DAYS - REVIEW_REMIND_WORKING_DAYS)
    assert working_days_between(remind_at.date(), deadline.date()) == REVIEW_REMIND_WORKING_DAYS
    notified_so_far = application.notified()

    await application.sleep_until(remind_at - A_MINUTE)
    assert application.notified() == notified_so_far
    await application.sleep(2 * A_MINUTE)
    assert application.notified() == [*notified_so_far, ("reminder", ["commission"])]
    assert application.notices_of("reminder")[0].params == {"deadline": str(deadline.date())}

    await application.sleep_until(deadline - A_MINUTE)
    assert application.last_step.action == "documents_accepted"
    await application.sleep(2 * A_MINUTE)
    step = application.last_step
    assert (step.action, step.state, step.overdue, step.actor_role, step.step_deadline) == (
        "overdue",
        S.under_review,
        True,
        "system",
        deadline,
    )
    attributes = await application.search_attributes()
    assert (attributes["ApplicationState"], attributes["Overdue"]) == ("under_review", True)
    assert application.notified()[-1] == ("overdue", ["commission"])
    assert application.notices_of("overdue")[0].params == {"deadline": str(deadline.date())}

    await application.sleep(OVERDUE_REMINDER_EVERY - 2 * A_MINUTE)
    assert len(application.notices_of("overdue")) == 1
    await application.sleep(2 * A_MINUTE)
    assert len(application.notices_of("overdue")) == 2
    await application.sleep(OVERDUE_REMINDER_EVERY)
    assert application.notified()[-3:] == [("overdue", ["commission"])] * 3
    assert application.timeline()[-1] == ("overdue", S.under_review)  # recorded once

    completed = await application.commission_decision(Decision.approve)
    assert completed.state == S.completed
    assert await application.outcome() == ApplicationOutcome(
        state=S.completed, certificate_no=CERTIFICATE_NO
    )
    assert (application.last_step.action, application.last_step.overdue) == ("completed", False)
    assert (await application.search_attributes())["Overdue"] is False


async def test_review_deadline_skips_the_2027_spring_festival(env):
    """Documents accepted on Monday 2027-01-25: the commission has until Friday 2027-02-26,
    the Spring Festival holiday (2027-02-05 to 02-10) not counted.

    Whatever today is: the test server's clock starts at today's date and only moves forward,
    so the calendar moves instead. The documents are accepted on the next Monday of the
    server's clock, and the deadline is read from the real calendar as of 2027-01-25, a whole
    number of weeks away (``FakeRecords.calendar_shift``): the workflow waits, records and
    announces the 2027 deadline, moved by those weeks."""
    tomorrow = china_date(await env.get_current_time()) + timedelta(days=1)
    monday = tomorrow + timedelta(days=-tomorrow.weekday() % 7)
    shift = date(2027, 1, 25) - monday
    assert shift.days % 7 == 0

    async with application_desk(env, FakeRecords(calendar_shift=shift)) as submit:
        application = await submit()
        await application.at_documents()
        await application.sleep_until(datetime.combine(monday, time(10), CHINA_TIME))
        assert china_date(await application.now()) + shift == date(2027, 1, 25)

        accepted = await application.paper_check()

        due = datetime(2027, 2, 26, 23, 59, 59, tzinfo=CHINA_TIME)
        assert (accepted.state, accepted.step_deadline + shift) == (S.under_review, due)
        assert application.last_step.step_deadline + shift == due
        assert (await application.search_attributes())["StepDeadline"] + shift == due
        [notice] = application.notices_of("documents_accepted")
        assert date.fromisoformat(notice.params["deadline"]) + shift == due.date()
        # The reminder: at the end of the 17th working day, Tuesday 2027-02-23.
        await application.sleep_until(datetime(2027, 2, 23, 23, 0, tzinfo=CHINA_TIME) - shift)
        assert application.notices_of("reminder") == []
        await application.sleep_until(datetime(2027, 2, 24, 0, 1, tzinfo=CHINA_TIME) - shift)
        assert [n.params for n in application.notices_of("reminder")] == [notice.params]


# --- refusals ---------------------------------------------------------------------------------


def refused(at_step, attempt, code, state=None, *, id):
    """At ``at_step``, ``attempt`` is refused with ``code`` (wrong_state names the state)."""
    return pytest.param(at_step, attempt, code, {"state": state} if state else {}, id=id)


WAITING = S.awaiting_institution
DOCUMENTS = S.awaiting_documents
REVIEW = S.under_review
at_documents, under_review = Application.at_documents, Application.under_review


@pytest.mark.parametrize(
    ("at_step", "attempt", "code", "details"),
    [
        refused(None, lambda a: a.institution_decision(actor=OTHER_STAFF), "wrong_institution",
                id="institution-decision-by-another-institution"),
        refused(None, lambda a: a.institution_decision(actor=OFFICER_AT_INSTITUTION),
                "wrong_institution", id="institution-decision-by-a-commission-officer"),
        refused(None, lambda a: a.institution_decision(Decision.reject), "comment_required",
                id="institution-rejects-without-comment"),
        refused(None, lambda a: a.institution_decision(Decision.return_, comment="  "),
                "comment_required", id="institution-returns-with-blank-comment"),
        refused(None, lambda a: a.commission_decision(), "wrong_state", WAITING,
                id="commission-decision-before-the-documents"),
        refused(None, lambda a: a.paper_check(), "wrong_state", WAITING,
                id="paper-check-before-the-institution"),
        refused(None, lambda a: a.resubmit(), "wrong_state", WAITING,
                id="resubmit-when-not-returned"),
        refused(None, lambda a: a.withdraw(actor=SOMEONE_ELSE), "not_applicant",
                id="withdraw-by-another-physician"),
        refused(None, lambda a: a.withdraw(actor=STAFF), "not_applicant",
                id="withdraw-by-institution-staff"),
        refused(at_documents, lambda a: a.paper_check(actor=OTHER_OFFICER), "wrong_commission",
                id="paper-check-by-another-commission"),
        refused(at_documents, lambda a: a.paper_check(actor=STAFF), "wrong_commission",
                id="paper-check-by-institution-staff"),
        refused(at_documents, lambda a: a.paper_check(complete=False), "comment_required",
                id="documents-incomplete-without-comment"),
        refused(at_documents, lambda a: a.institution_decision(), "wrong_state", DOCUMENTS,
                id="institution-decides-twice"),
        refused(at_documents, lambda a: a.commission_decision(), "wrong_state", DOCUMENTS,
                id="commission-decision-before-the-paper-check"),
        refused(under_review, lambda a: a.commission_decision(actor=OTHER_OFFICER),
                "wrong_commission", id="commission-decision-by-another-commission"),
        refused(under_review, lambda a: a.commission_decision(Decision.reject),
                "comment_required", id="commission-rejects-without-comment"),
        refused(under_review, lambda a: a.commission_decision(Decision.return_),
                "comment_required", id="commission-returns-without-comment"),
        refused(under_review, lambda a: a.paper_check(), "wrong_state", REVIEW,
                id="paper-check-twice"),
        refused(under_review, lambda a: a.resubmit(), "wrong_state", REVIEW,
                id="resubmit-under-review"),
    ],
)  # fmt: skip
async def test_refused_without_a_trace(submit, at_step, attempt, code, details):
    """The API shows the refusal code; the timeline, the notices and the history stay as they
    were, and the step is still open to the right person."""
    application = await submit()
    if at_step:
        await at_step(application)
    before = (application.timeline(), application.notified(), await application.accepted_updates())

    await assert_refused(attempt(application), code, **details)

    await application.quiet()
    after = (application.timeline(), application.notified(), await application.accepted_updates())
    assert after == before
    assert (await application.withdraw()).state == S.withdrawn


# --- withdrawal -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at_step", "state", "told"),
    [
        pytest.param(None, S.awaiting_institution, ["institution"], id="awaiting-institution"),
        pytest.param(returned_by_institution, S.returned, ["institution"], id="returned"),
        pytest.param(at_documents, S.awaiting_documents, ["institution", "commission"],
                     id="awaiting-documents"),
        pytest.param(under_review, S.under_review, ["institution", "commission"],
                     id="under-review"),
    ],
)  # fmt: skip
async def test_withdrawn_at_any_open_step(submit, at_step, state, told):
    """The physician withdraws: it ends at once; the commission hears of it once it is involved."""
    application = await submit()
    if at_step:
        await at_step(application)
    assert application.last_step.state == state

    result = await application.withdraw()

    assert (result.state, result.step_deadline) == (S.withdrawn, None)
    assert await application.outcome() == ApplicationOutcome(state=S.withdrawn)
    step = application.last_step
    assert (step.action, step.state, step.actor_id) == (
        "withdrawn",
        S.withdrawn,
        PHYSICIAN.account_id,
    )
    assert application.notified()[-1] == ("withdrawn", told)
    attributes = await application.search_attributes()
    assert attributes["ApplicationState"] == "withdrawn"
    assert "StepDeadline" not in attributes


# --- a decision and a clock at the same moment ------------------------------------------------


@pytest.mark.parametrize(
    ("at_step", "decide", "slow_activity", "action", "state"),
    [
        pytest.param(
            at_documents, Application.paper_check, "review_deadline", "documents_accepted",
            S.under_review, id="documents-accepted-as-the-60-days-end",
        ),
        pytest.param(
            under_review, Application.commission_decision, "complete_application", "completed",
            S.completed, id="approved-as-the-20-working-days-end",
        ),
    ],
)  # fmt: skip
async def test_a_decision_accepted_in_time_wins_over_the_clock(
    env, submit, at_step, decide, slow_activity, action, state
):
    """Half a second before the deadline an officer decides; recording it takes a retry, and
    the deadline passes meanwhile. The decision stands: nothing expires or turns overdue."""
    application = await submit()
    await at_step(application)
    deadline = application.last_step.step_deadline
    await application.sleep_until(deadline - timedelta(milliseconds=500))
    timeline_so_far, told_so_far = application.timeline(), application.notified()
    application.records.failing[slow_activity] = 1

    decision = asyncio.create_task(decide(application))
    assert await caught_up(lambda: application.records.failing[slow_activity] == 0)
    await env.sleep(timedelta(seconds=5))  # the deadline passes before the retry

    assert (await asyncio.wait_for(decision, CATCH_UP)).state == state
    assert await application.now() > deadline
    assert application.timeline() == [*timeline_so_far, (action, state)]
    assert [event for event, _ in application.notified()[len(told_so_far) :]] == [action]


async def test_approved_while_the_overdue_flag_is_being_recorded(env, submit):
    """The 20 working days run out and, while the overdue flag is still being written (a retry),
    an officer approves (also retried): the application completes, the flag stays on record."""
    application = await submit()
    await application.under_review()
    deadline = application.last_step.step_deadline
    await application.sleep_until(deadline - timedelta(milliseconds=500))
    failing = application.records.failing
    failing["record_transition"] = 1

    await env.sleep(timedelta(milliseconds=700))  # the flag is due, its recording to be retried
    assert await caught_up(lambda: failing["record_transition"] == 0)
    failing["complete_application"] = 1
    decision = asyncio.create_task(application.commission_decision(Decision.approve))
    assert await caught_up(lambda: failing["complete_application"] == 0)
    await env.sleep(timedelta(seconds=5))

    assert (await asyncio.wait_for(decision, CATCH_UP)).state == S.completed
    assert await application.outcome() == ApplicationOutcome(
        state=S.completed, certificate_no=CERTIFICATE_NO
    )
    assert application.timeline()[-2:] == [
        ("overdue", S.under_review),
        ("completed", S.completed),
    ]
    assert application.notified()[-2:] == [
        ("overdue", ["commission"]),
        ("completed", ["physician", "institution", "old_institution"]),
    ]


# --- who filed it: the institution's own report, the commission's own authority --------------


async def test_an_institutions_own_cancellation_is_not_sent_back_to_it(submit):
    """Staff report a ground for cancellation: the report is the institution's confirmation, so
    it goes straight to the paper documents, which the institution brings; the physician and
    the institution are told. Its clock and reminders are the institution's."""
    application = await submit(STAFF, ApplicationType.cancellation, S.awaiting_documents)
    step = application.last_step
    assert (step.actor_role, step.step_deadline - step.at) == (
        "institution_staff",
        DOCUMENTS_WINDOW,
    )
    assert application.notified() == [("filed_by_institution", ["physician", "institution"])]
    assert application.notices_of("filed_by_institution")[0].params == {
        "deadline": str(china_date(step.step_deadline))
    }
    await assert_refused(
        application.institution_decision(Decision.approve),
        "wrong_state",
        state="awaiting_documents",
    )

    await application.sleep_until(step.step_deadline - REMIND_BEFORE + A_MINUTE)
    assert application.notified()[-1][0] == "reminder"
    assert application.notified()[-1][1] == ["institution"]

    await application.paper_check()
    done = await application.commission_decision(Decision.approve)
    assert done.state == S.completed
    assert [action for action, _ in application.timeline()] == [
        "submitted",
        "documents_accepted",
        "completed",
    ]


async def test_a_cancellation_the_commission_opens_needs_only_its_decision(submit):
    """依职权注销: an officer opens it, it waits for the commission's decision on the statutory
    clock; physician, institution and commission are told; another commission cannot decide,
    an officer of this one approves and the registry is changed."""
    application = await submit(OFFICER, ApplicationType.cancellation, S.under_review)
    step = application.last_step
    assert step.actor_role == "commission_officer"
    assert step.step_deadline == review_deadline(step.at)
    assert application.notified() == [("ex_officio", ["physician", "institution", "commission"])]
    for attempt, code in (
        (application.institution_decision(Decision.approve), "wrong_state"),
        (application.paper_check(), "wrong_state"),
        (
            application.commission_decision(Decision.approve, actor=OTHER_OFFICER),
            "wrong_commission",
        ),
    ):
        assert (await refusal(attempt)).type == code
    assert await application.accepted_updates() == 0

    done = await application.commission_decision(Decision.approve, comment="依职权注销")
    assert done.state == S.completed
    assert application.timeline() == [
        ("submitted", S.under_review),
        ("completed", S.completed),
    ]
    assert application.notified()[-1] == (
        "completed",
        ["physician", "institution", "old_institution"],
    )


# --- the physician's institution changes -----------------------------------------------------


async def test_completion_ends_reviews_addressed_to_a_former_institution(env, submit):
    """A change of primary institution completes while a personal-information review waits at
    the old one: the review ends, the physician and that institution are told; a review that
    closed meanwhile (no workflow to signal) does not hold up the completion."""
    profile = FakeProfile()
    review_id = 900_000 + next(_numbers)
    async with profile.worker(env.client):
        review = await env.client.start_workflow(
            ProfileReviewWorkflow.run,
            review_start(review_id),
            id=review_workflow_id(review_id),
            task_queue=profile.task_queue,
        )
        await eventually(lambda: "submitted" in profile.events(), "the institution is told")
        application = await submit()
        await application.under_review()
        gone = review_id + 1  # a review whose workflow has closed and been cleaned away
        application.records.completion = Completion(
            completed=True, certificate_no=CERTIFICATE_NO, stale_reviews=[review_id, gone]
        )

        done = await application.commission_decision(Decision.approve)

        assert done.state == S.completed
        assert (await review.result()).state == ReviewState.ended
        await eventually(lambda: "ended" in profile.events(), "both are told")
        [(_, ended)] = [(at, n) for at, n in profile.notices if n.event == "ended"]
        assert ended.audiences == ["physician", "institution"]
        assert ended.params == {"application_no": application.last_step.application_no}
        assert profile.records[-1].state == ReviewState.ended
        assert application.last_step.application_no in profile.records[-1].comment
        assert await application.outcome() == ApplicationOutcome(
            state=S.completed, certificate_no=CERTIFICATE_NO
        )
