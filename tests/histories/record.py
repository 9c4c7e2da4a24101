"""Record a history of every workflow type and path into ``tests/histories/*.json``.

    .venv/bin/python -m tests.histories.record            # every scenario
    .venv/bin/python -m tests.histories.record NAME ...   # only these

``tests/workflows/test_replay.py`` replays each file against the workflows of ``worker.py``: a
change that would break a workflow already running (a command added, removed or reordered)
fails there. Re-record only after an intentional change that running workflows can survive —
one that changes what a running workflow does needs ``workflow.patched`` (see docs/tests.md).

The scenarios run on the time-skipping test server, as in ``tests/workflows``: the activities
are fakes with the real names and signatures (the statutory deadline is the real, pure
computation) and payloads use the plain pydantic converter, so the files do not depend on
payload keys. Each scenario drives the workflow as the API, staff and officers would, and ends
it in a terminal state.
"""

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.applications import ApplicationActivities
from activities.batch import FiledRows, RowRange
from registry.activation import (
    ActivationCodeRequest,
    ActivationStart,
    Channel,
    CodeDelivery,
    CodeEntry,
    CodePurpose,
    InstitutionSettings,
    NoticeDelivery,
    QualificationMatch,
    StateChange,
    VerificationRequest,
)
from registry.application_types import (
    Actor,
    ApplicationStart,
    ApplicationType,
    CommissionDecision,
    Completion,
    Decision,
    DocumentCheck,
    DocumentStatus,
    InstitutionDecision,
    Notice,
    PaperCheck,
    Resubmission,
    Transition,
    Withdrawal,
)
from registry.claims import ClaimRecord, ClaimRequest
from registry.codes import code_digest
from registry.reviews import (
    REVIEW_ENDED_SIGNAL,
    PhotoReplacement,
    ReviewDecision,
    ReviewEnding,
    ReviewKind,
    ReviewNotice,
    ReviewRecord,
    ReviewStart,
    ReviewWithdrawal,
    review_workflow_id,
)
from registry.security import ContactMessage
from worker import WORKFLOWS
from workflows import search_attributes as sa
from workflows.activation import ActivationWorkflow
from workflows.application import ApplicationWorkflow
from workflows.batch import BatchProgress, BatchWorkflow
from workflows.contact_message import ContactMessageWorkflow
from workflows.profile_review import ProfileReviewWorkflow

HERE = Path(__file__).parent
TASK_QUEUE = "record-histories"
SECRET = "history-recording-secret"
ACCOUNT_ID = 4242
INSTITUTION = "H4301020001"
OLD_INSTITUTION = "H4305810001"
PROVINCE = "430000"
COMMISSION = "430000"
CODE = "246810"  # every code the fakes "send"
WRONG = "000000"

PHYSICIAN = Actor(account_id=ACCOUNT_ID, role="physician")
STAFF = Actor(account_id=5, role="institution_staff", institution_code=INSTITUTION)
OFFICER = Actor(account_id=6, role="commission_officer", commission_code=COMMISSION)
COLLEAGUE = Actor(account_id=7, role="institution_staff", institution_code=INSTITUTION)
ADMIN = Actor(account_id=8, role="institution_admin", institution_code=INSTITUTION)


# --- fakes: what the database and the outboxes would answer ----------------------------------


class Fakes:
    """Activities with the real names; ``match`` and ``completion`` steer a scenario."""

    def __init__(self) -> None:
        self.match = QualificationMatch(found=False)
        self.completion = Completion(completed=True, certificate_no="114320260000001")

    def activities(self) -> list[Callable]:
        fakes = self
        real = ApplicationActivities("sqlite+aiosqlite:///unused", None, None)

        @activity.defn(name="match_qualification")
        async def match_qualification(account_id: int) -> QualificationMatch:
            return fakes.match

        @activity.defn(name="record_state")
        async def record_state(change: StateChange) -> None:
            pass

        @activity.defn(name="send_code")
        async def send_code(delivery: CodeDelivery) -> str:
            return code_digest(SECRET, delivery.account_id, delivery.purpose, CODE)

        @activity.defn(name="notify")
        async def notify(delivery: NoticeDelivery) -> None:
            pass

        @activity.defn(name="record_transition")
        async def record_transition(transition: Transition) -> None:
            pass

        @activity.defn(name="complete_application")
        async def complete_application(application_no: str, today: date) -> Completion:
            return fakes.completion

        @activity.defn(name="review_deadline")
        async def review_deadline(accepted_on: date, working_days: int) -> datetime:
            return await real.review_deadline(accepted_on, working_days)

        @activity.defn(name="notify_application")
        async def notify_application(notice: Notice) -> None:
            pass

        @activity.defn(name="record_review")
        async def record_review(step: ReviewRecord) -> None:
            pass

        @activity.defn(name="apply_review")
        async def apply_review(review_id: int, photo_id: int | None) -> None:
            pass

        @activity.defn(name="keep_newest_photo")
        async def keep_newest_photo(account_id: int, photo_id: int) -> None:
            pass

        @activity.defn(name="notify_review")
        async def notify_review(notice: ReviewNotice) -> None:
            pass

        @activity.defn(name="deliver_contact_message")
        async def deliver_contact_message(message: ContactMessage) -> None:
            pass

        @activity.defn(name="issue_reset_code")
        async def issue_reset_code(request: ContactMessage) -> ContactMessage | None:
            """A code for the username "known"; nothing for any other (as for a stranger)."""
            if request.username != "known":
                return None
            return ContactMessage(kind="code", ref_id=5, nonce="r3set")

        @activity.defn(name="file_rows")
        async def file_rows(rows: RowRange) -> FiledRows:
            """Every row filed but the second, refused by a rule."""
            numbers = [n for n in range(rows.first, rows.last + 1) if n != 2]
            return FiledRows(
                starts=[batch_start(n) for n in numbers],
                refused=rows.last - rows.first + 1 - len(numbers),
            )

        @activity.defn(name="record_claim")
        async def record_claim(record: ClaimRecord) -> None:
            pass

        @activity.defn(name="finish_batch")
        async def finish_batch(batch_id: str) -> None:
            pass

        return [
            match_qualification,
            record_state,
            send_code,
            notify,
            record_transition,
            complete_application,
            review_deadline,
            notify_application,
            record_review,
            apply_review,
            keep_newest_photo,
            notify_review,
            deliver_contact_message,
            issue_reset_code,
            file_rows,
            finish_batch,
            record_claim,
        ]


def batch_start(row: int) -> ApplicationStart:
    """The application a batch row was filed as: by the institution, for its own physician."""
    return ApplicationStart(
        application_no=f"2026010109{row:04d}",
        type=ApplicationType.registration,
        filed_by=STAFF,
        account_id=None,
        institution_code=INSTITUTION,
        commission_code=COMMISSION,
        province_code=PROVINCE,
    )


# --- driving ---------------------------------------------------------------------------------

_ENDED = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: (
        EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
        EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
    ),
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: (
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    ),
}


async def settled(handle: WorkflowHandle) -> None:
    """Wait (in real time: the clock stays put) until no workflow task or activity is in
    flight: the workflow waits for a person or a timer."""
    give_up = asyncio.get_running_loop().time() + 60
    while asyncio.get_running_loop().time() < give_up:
        kinds = [event.event_type async for event in handle.fetch_history_events()]
        if all(
            kinds.count(started) == sum(kinds.count(end) for end in ends)
            for started, ends in _ENDED.items()
        ):
            return
        await asyncio.sleep(0.02)
    names = [EventType.Name(kind).removeprefix("EVENT_TYPE_") for kind in kinds[-8:]]
    raise RuntimeError(f"{handle.id} never settled: ... {names}")


async def step(handle: WorkflowHandle, update, argument):
    """An update, once the previous step has settled; then settle again."""
    await settled(handle)
    result = await handle.execute_update(update, argument)
    await settled(handle)
    return result


class Recorder:
    def __init__(self, env: WorkflowEnvironment, fakes: Fakes) -> None:
        self.env, self.fakes = env, fakes

    @property
    def client(self) -> Client:
        return self.env.client

    async def sleep(self, handle: WorkflowHandle, duration: timedelta) -> None:
        await self.env.sleep(duration)
        await settled(handle)

    # --- activation ------------------------------------------------------------------------

    async def activation(self, name: str) -> WorkflowHandle:
        handle = await self.client.start_workflow(
            ActivationWorkflow.run,
            ActivationStart(account_id=ACCOUNT_ID, institution_code=INSTITUTION),
            id=f"{name}-{uuid.uuid4().hex[:8]}",
            task_queue=TASK_QUEUE,
        )
        await settled(handle)
        return handle

    def found(self, auto_activate: bool) -> None:
        self.fakes.match = QualificationMatch(
            found=True,
            institution_code=INSTITUTION,
            province_code=PROVINCE,
            auto_activate=auto_activate,
        )

    @staticmethod
    def entry(purpose: CodePurpose, code: str, channel: Channel | None = None) -> CodeEntry:
        return CodeEntry(channel=channel, digest=code_digest(SECRET, ACCOUNT_ID, purpose, code))

    async def verify(self, handle: WorkflowHandle, channel: Channel, wrong_first: bool) -> None:
        await step(
            handle, ActivationWorkflow.send_verification_code, VerificationRequest(channel=channel)
        )
        if wrong_first:
            await step(
                handle,
                ActivationWorkflow.confirm_verification,
                self.entry(CodePurpose.verification, WRONG, channel),
            )
        await step(
            handle,
            ActivationWorkflow.confirm_verification,
            self.entry(CodePurpose.verification, CODE, channel),
        )

    async def activation_auto(self) -> WorkflowHandle:
        """Matched at once at an institution with auto-activation: verify, active."""
        self.found(auto_activate=True)
        handle = await self.activation("activation-auto")
        await self.verify(handle, Channel.sms, wrong_first=True)
        await handle.result()
        return handle

    async def activation_institution_code(self) -> WorkflowHandle:
        """The record arrives later (import signal); verify by email; the institution issues
        a code, a wrong one is typed, then the right one: active."""
        handle = await self.activation("activation-institution-code")
        await self.sleep(handle, timedelta(days=2))  # two daily re-checks
        self.found(auto_activate=False)
        await handle.signal(ActivationWorkflow.qualification_imported)
        await settled(handle)
        await self.verify(handle, Channel.email, wrong_first=False)
        request = ActivationCodeRequest(institution_code=INSTITUTION)
        await step(handle, ActivationWorkflow.issue_activation_code, request)
        await step(
            handle,
            ActivationWorkflow.enter_activation_code,
            self.entry(CodePurpose.activation, WRONG),
        )
        await step(
            handle,
            ActivationWorkflow.enter_activation_code,
            self.entry(CodePurpose.activation, CODE),
        )
        await handle.result()
        return handle

    async def activation_auto_turned_on(self) -> WorkflowHandle:
        """Waiting for the institution when it turns auto-activation on: active."""
        self.found(auto_activate=False)
        handle = await self.activation("activation-auto-turned-on")
        await self.verify(handle, Channel.sms, wrong_first=False)
        await handle.signal(
            ActivationWorkflow.institution_settings_changed, InstitutionSettings(auto_activate=True)
        )
        await handle.result()
        return handle

    async def activation_expired_unverified(self) -> WorkflowHandle:
        """Matched, a code sent, never verified: expired after 30 days."""
        self.found(auto_activate=False)
        handle = await self.activation("activation-expired-unverified")
        await step(
            handle,
            ActivationWorkflow.send_verification_code,
            VerificationRequest(channel=Channel.sms),
        )
        await handle.result()
        return handle

    async def activation_expired_at_institution(self) -> WorkflowHandle:
        """Verified, the institution never issues a code: expired after 30 days."""
        self.found(auto_activate=False)
        handle = await self.activation("activation-expired-at-institution")
        await self.verify(handle, Channel.sms, wrong_first=False)
        await handle.result()
        return handle

    async def activation_expired_no_qualification(self) -> WorkflowHandle:
        """No qualification record for 90 days (re-checked daily): expired."""
        self.fakes.match = QualificationMatch(found=False)
        handle = await self.activation("activation-expired-no-qualification")
        await handle.result()
        return handle

    # --- applications ----------------------------------------------------------------------

    async def application(
        self,
        name: str,
        filed_by: Actor = PHYSICIAN,
        type_: ApplicationType = ApplicationType.change,
    ) -> WorkflowHandle:
        self.fakes.completion = Completion(completed=True, certificate_no="114320260000001")
        no = f"20260101{uuid.uuid4().int % 10**6:06d}"
        handle = await self.client.start_workflow(
            ApplicationWorkflow.run,
            ApplicationStart(
                application_no=no,
                type=type_,
                filed_by=filed_by,
                account_id=ACCOUNT_ID,
                institution_code=INSTITUTION,
                notify_institution_code=OLD_INSTITUTION,
                commission_code=COMMISSION,
                province_code=PROVINCE,
            ),
            id=f"{name}-{no}",
            task_queue=TASK_QUEUE,
        )
        await settled(handle)
        return handle

    @staticmethod
    async def institution(handle, decision: Decision, comment: str | None = None):
        await step(
            handle,
            ApplicationWorkflow.institution_decision,
            InstitutionDecision(actor=STAFF, decision=decision, comment=comment),
        )

    @staticmethod
    async def papers(handle, complete: bool = True, comment: str | None = None):
        await step(
            handle,
            ApplicationWorkflow.paper_check,
            PaperCheck(actor=OFFICER, documents_complete=complete, comment=comment),
        )

    @staticmethod
    async def commission(handle, decision: Decision, comment: str | None = None):
        await step(
            handle,
            ApplicationWorkflow.commission_decision,
            CommissionDecision(actor=OFFICER, decision=decision, comment=comment),
        )

    async def application_completed(self) -> WorkflowHandle:
        handle = await self.application("application-completed")
        await self.institution(handle, Decision.approve, "信息属实")
        await self.papers(handle)
        await self.commission(handle, Decision.approve, "准予注册")
        await handle.result()
        return handle

    async def application_rejected_by_institution(self) -> WorkflowHandle:
        handle = await self.application("application-rejected-by-institution")
        await self.institution(handle, Decision.reject, "非本院医师")
        await handle.result()
        return handle

    async def application_rejected_by_commission(self) -> WorkflowHandle:
        handle = await self.application("application-rejected-by-commission")
        await self.institution(handle, Decision.approve)
        await self.papers(handle)
        await self.commission(handle, Decision.reject, "不符合条件")
        await handle.result()
        return handle

    async def application_refused_at_completion(self) -> WorkflowHandle:
        """Approved, but a rule no longer holds when the registry is changed: rejected."""
        handle = await self.application("application-refused-at-completion")
        await self.institution(handle, Decision.approve)
        await self.papers(handle)
        self.fakes.completion = Completion(
            completed=False, refusal_code="already_registered_in_location"
        )
        await self.commission(handle, Decision.approve)
        await handle.result()
        return handle

    async def application_refused_with_reasons(self) -> WorkflowHandle:
        """Refused at completion by a refusal ground: the written reasons in words, the rule's
        code beside them."""
        handle = await self.application("application-refused-with-reasons")
        await self.institution(handle, Decision.approve)
        await self.papers(handle)
        self.fakes.completion = Completion(
            completed=False,
            refusal_code="registration_barred_until",
            refusal_zh="不予注册：被吊销医师执业证书不满二年（《医师法》第十六条），期限至2027-03-01届满。",
            refusal_en="Registration is refused: under 2 years since the practice certificate "
            "was revoked (Physicians Law art. 16); the period ends on 2027-03-01.",
        )
        await self.commission(handle, Decision.approve)
        await handle.result()
        return handle

    async def application_filed_by_institution(self) -> WorkflowHandle:
        """The institution reports a cancellation ground: no confirmation by itself; the
        documents, returned once by the commission, resubmitted, approved."""
        handle = await self.application(
            "application-filed-by-institution", STAFF, ApplicationType.cancellation
        )
        await self.papers(handle)
        await self.commission(handle, Decision.return_, "请补充判决书")
        await step(handle, ApplicationWorkflow.resubmit, Resubmission(actor=STAFF))
        await self.papers(handle)
        await self.commission(handle, Decision.approve)
        await handle.result()
        return handle

    async def application_claimed(self) -> WorkflowHandle:
        """A clerk claims it, the administrator hands it to a colleague who approves; an
        officer claims it at the counter and decides."""
        handle = await self.application("application-claimed")
        await step(handle, ApplicationWorkflow.claim, ClaimRequest(actor=STAFF, action="claim"))
        await step(
            handle,
            ApplicationWorkflow.claim,
            ClaimRequest(actor=ADMIN, action="reassign", to=COLLEAGUE),
        )
        await step(
            handle,
            ApplicationWorkflow.institution_decision,
            InstitutionDecision(actor=COLLEAGUE, decision=Decision.approve),
        )
        await step(handle, ApplicationWorkflow.claim, ClaimRequest(actor=OFFICER, action="claim"))
        await self.papers(handle)
        await self.commission(handle, Decision.approve)
        await handle.result()
        return handle

    async def application_ex_officio(self) -> WorkflowHandle:
        """The commission cancels on its own authority: only its decision is awaited."""
        handle = await self.application(
            "application-ex-officio", OFFICER, ApplicationType.cancellation
        )
        await self.commission(handle, Decision.approve, "依职权注销")
        await handle.result()
        return handle

    async def application_ends_stale_reviews(self) -> WorkflowHandle:
        """A change of primary institution completes while a review waits at the old one (and
        another review has closed): the waiting review is ended by a signal."""
        review = await self.review("profile-review-stale", ReviewKind.personal_info, 8)
        handle = await self.application("application-ends-stale-reviews")
        await self.institution(handle, Decision.approve)
        await self.papers(handle)
        self.fakes.completion = Completion(
            completed=True, certificate_no="114320260000001", stale_reviews=[8, 9]
        )
        await self.commission(handle, Decision.approve)
        await handle.result()
        await review.result()
        return handle

    async def application_withdrawn(self) -> WorkflowHandle:
        handle = await self.application("application-withdrawn")
        await self.institution(handle, Decision.approve)
        await step(handle, ApplicationWorkflow.withdraw, Withdrawal(actor=PHYSICIAN))
        await handle.result()
        return handle

    async def application_expired(self) -> WorkflowHandle:
        """The institution never answers: reminded 7 days before, expired after 30 days."""
        handle = await self.application("application-expired")
        await handle.result()
        return handle

    async def application_returned_resubmitted(self) -> WorkflowHandle:
        """Returned by the institution, resubmitted; documents incomplete once; returned by the
        commission, resubmitted again; then completed."""
        handle = await self.application("application-returned-resubmitted")
        await self.institution(handle, Decision.return_, "请补充科室信息")
        await step(
            handle, ApplicationWorkflow.resubmit, Resubmission(actor=PHYSICIAN, comment="已补正")
        )
        await self.institution(handle, Decision.approve)
        await self.papers(handle, complete=False, comment="缺体检证明")
        await self.papers(handle)
        await self.commission(handle, Decision.return_, "证明过期")
        await step(handle, ApplicationWorkflow.resubmit, Resubmission(actor=PHYSICIAN))
        await self.institution(handle, Decision.approve)
        await self.papers(handle)
        await self.commission(handle, Decision.approve)
        await handle.result()
        return handle

    async def application_documents_returned(self) -> WorkflowHandle:
        """The paper check item by item (patch paper-check-returns): two documents missing,
        one not acceptable, so returned; resubmitted straight to the counter; all present;
        completed."""
        handle = await self.application("application-documents-returned")
        await self.institution(handle, Decision.approve)
        kinds = ["application_form", "identity_document", "practice_certificate"]
        found = [DocumentCheck(kind=kind, status=DocumentStatus.present) for kind in kinds]
        await step(
            handle,
            ApplicationWorkflow.paper_check,
            PaperCheck(
                actor=OFFICER,
                items=[
                    found[0],
                    DocumentCheck(kind=kinds[1], status=DocumentStatus.missing),
                    DocumentCheck(kind=kinds[2], status=DocumentStatus.not_acceptable, note="破损"),
                ],
            ),
        )
        await step(handle, ApplicationWorkflow.resubmit, Resubmission(actor=PHYSICIAN))
        await step(handle, ApplicationWorkflow.paper_check, PaperCheck(actor=OFFICER, items=found))
        await self.commission(handle, Decision.approve)
        await handle.result()
        return handle

    async def application_returned_expired(self) -> WorkflowHandle:
        """Returned and never resubmitted: expired after 60 days."""
        handle = await self.application("application-returned-expired")
        await self.institution(handle, Decision.return_, "请补充材料")
        await handle.result()
        return handle

    async def application_overdue_completed(self) -> WorkflowHandle:
        """Past the 20 working days: reminded, flagged overdue, reminded weekly; approved."""
        handle = await self.application("application-overdue-completed")
        await self.institution(handle, Decision.approve)
        await self.papers(handle)
        await self.sleep(handle, timedelta(days=45))
        await self.commission(handle, Decision.approve)
        await handle.result()
        return handle

    # --- profile ---------------------------------------------------------------------------

    async def review(
        self, name: str, kind: ReviewKind, review_id: int = 7, photo_id: int | None = None
    ):
        """A review; with a ``review_id`` other than 7 its workflow id is the API's."""
        handle = await self.client.start_workflow(
            ProfileReviewWorkflow.run,
            ReviewStart(
                review_id=review_id,
                account_id=ACCOUNT_ID,
                kind=kind,
                institution_code=INSTITUTION,
                province_code=PROVINCE,
                photo_id=photo_id,
            ),
            id=f"{name}-{uuid.uuid4().hex[:8]}"
            if review_id == 7
            else review_workflow_id(review_id),
            task_queue=TASK_QUEUE,
        )
        await settled(handle)
        return handle

    @staticmethod
    async def decide(handle, decision: str, comment: str | None = None, photo_id=None):
        await step(
            handle,
            ProfileReviewWorkflow.decide,
            ReviewDecision(actor=STAFF, decision=decision, comment=comment, photo_id=photo_id),
        )

    async def review_approved(self) -> WorkflowHandle:
        handle = await self.review("profile-review-approved", ReviewKind.personal_info)
        await self.decide(handle, "approve", "核实无误")
        await handle.result()
        return handle

    async def review_rejected(self) -> WorkflowHandle:
        handle = await self.review("profile-review-rejected", ReviewKind.personal_info)
        await self.decide(handle, "reject", "邮编与地址不符")
        await handle.result()
        return handle

    async def review_expired(self) -> WorkflowHandle:
        handle = await self.review("profile-review-expired", ReviewKind.personal_info)
        await handle.result()
        return handle

    async def review_withdrawn(self) -> WorkflowHandle:
        """The physician takes the change back before the institution decides."""
        handle = await self.review("profile-review-withdrawn", ReviewKind.personal_info)
        await self.sleep(handle, timedelta(days=2))
        await step(handle, ProfileReviewWorkflow.withdraw, ReviewWithdrawal(actor=PHYSICIAN))
        await handle.result()
        return handle

    async def review_photo_replaced(self) -> WorkflowHandle:
        """A newer photo replaces the one under review (its 30 days start again); approved."""
        handle = await self.review("profile-review-photo-replaced", ReviewKind.photo, photo_id=11)
        await self.sleep(handle, timedelta(days=10))
        await step(handle, ProfileReviewWorkflow.replace_photo, PhotoReplacement(photo_id=12))
        await self.decide(handle, "approve", photo_id=12)
        await handle.result()
        return handle

    async def review_ended(self) -> WorkflowHandle:
        """A completed application made another institution the physician's: the review ends."""
        handle = await self.review("profile-review-ended", ReviewKind.photo, photo_id=13)
        await self.sleep(handle, timedelta(days=3))
        await handle.signal(REVIEW_ENDED_SIGNAL, ReviewEnding(application_no="20260101000077"))
        await handle.result()
        return handle

    async def contact(self, name: str, message: ContactMessage) -> WorkflowHandle:
        handle = await self.client.start_workflow(
            ContactMessageWorkflow.run,
            message,
            id=f"{name}-{uuid.uuid4().hex[:8]}",
            task_queue=TASK_QUEUE,
        )
        await handle.result()
        return handle

    async def contact_code(self) -> WorkflowHandle:
        return await self.contact(
            "contact-message-code", ContactMessage(kind="code", ref_id=3, nonce="n0nce")
        )

    async def batch_filed(self) -> WorkflowHandle:
        handle = await self.client.start_workflow(
            BatchWorkflow.run,
            BatchProgress(batch_id="0123456789abcdef0123456789abcdef", rows=3),
            id=f"batch-{uuid.uuid4().hex[:8]}",
            task_queue=TASK_QUEUE,
        )
        await handle.result()
        return handle

    async def contact_notice(self) -> WorkflowHandle:
        return await self.contact("contact-message-notice", ContactMessage(kind="notice", ref_id=4))

    async def contact_reset_sent(self) -> WorkflowHandle:
        """A password-reset request for an account: the worker issues a code, then sends it."""
        request = ContactMessage(kind="reset_request", username="known", channel="sms")
        return await self.contact("password-reset-sent", request)

    async def contact_reset_nothing(self) -> WorkflowHandle:
        """A password-reset request for nobody: the same start, nothing to send."""
        request = ContactMessage(kind="reset_request", username="nobody", channel="sms")
        return await self.contact("password-reset-nothing", request)


SCENARIOS: dict[str, Callable[[Recorder], Awaitable[WorkflowHandle]]] = {
    "activation_auto": Recorder.activation_auto,
    "activation_institution_code": Recorder.activation_institution_code,
    "activation_auto_turned_on": Recorder.activation_auto_turned_on,
    "activation_expired_unverified": Recorder.activation_expired_unverified,
    "activation_expired_at_institution": Recorder.activation_expired_at_institution,
    "activation_expired_no_qualification": Recorder.activation_expired_no_qualification,
    "application_completed": Recorder.application_completed,
    "application_rejected_by_institution": Recorder.application_rejected_by_institution,
    "application_rejected_by_commission": Recorder.application_rejected_by_commission,
    "application_refused_at_completion": Recorder.application_refused_at_completion,
    "application_refused_with_reasons": Recorder.application_refused_with_reasons,
    "application_filed_by_institution": Recorder.application_filed_by_institution,
    "application_ex_officio": Recorder.application_ex_officio,
    "application_claimed": Recorder.application_claimed,
    "application_ends_stale_reviews": Recorder.application_ends_stale_reviews,
    "application_withdrawn": Recorder.application_withdrawn,
    "application_expired": Recorder.application_expired,
    "application_returned_resubmitted": Recorder.application_returned_resubmitted,
    "application_documents_returned": Recorder.application_documents_returned,
    "application_returned_expired": Recorder.application_returned_expired,
    "application_overdue_completed": Recorder.application_overdue_completed,
    "review_approved": Recorder.review_approved,
    "review_rejected": Recorder.review_rejected,
    "review_expired": Recorder.review_expired,
    "review_withdrawn": Recorder.review_withdrawn,
    "review_photo_replaced": Recorder.review_photo_replaced,
    "review_ended": Recorder.review_ended,
    "contact_message_code": Recorder.contact_code,
    "contact_message_notice": Recorder.contact_notice,
    "contact_message_reset_sent": Recorder.contact_reset_sent,
    "contact_message_reset_nothing": Recorder.contact_reset_nothing,
    "batch_filed": Recorder.batch_filed,
}


def server_path() -> str:
    from tests.workflows.conftest import server_path

    return server_path()


async def record(names: list[str]) -> None:
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    for name in names:
        # A server of its own per scenario: each starts from "now" with nothing else running.
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=server_path(), data_converter=pydantic_data_converter
        )
        try:
            await env.client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(
                    namespace=env.client.namespace,
                    search_attributes={key.name: key.indexed_value_type for key in sa.ALL},
                )
            )
            fakes = Fakes()
            async with Worker(
                env.client,
                task_queue=TASK_QUEUE,
                workflows=WORKFLOWS,
                activities=fakes.activities(),
            ):
                handle = await SCENARIOS[name](Recorder(env, fakes))
                history = await handle.fetch_history()
        finally:
            await env.shutdown()
        (HERE / f"{name}.json").write_text(history.to_json() + "\n")
        print(f"{name}: {len(history.events)} events")


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1:] or list(SCENARIOS)))
