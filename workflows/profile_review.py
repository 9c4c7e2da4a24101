"""A profile review: the physician's institution approves a personal-information change or a
photo, or rejects it with a reason.

One workflow per review (``profile-review-<id>``); one open review per physician and kind. The
decision is an update whose validator refuses, before anything enters history, another
institution's staff, a closed review, a rejection without a reason, or a decision on a photo
that a newer upload has replaced. A newer photo does not start a second review: it is handed to
this one (``replace_photo``), which from then on shows staff only the newest and restarts its
30 days. A reminder goes to the institution 7 days before the review expires. Until a decision,
the physician may withdraw the review (``withdraw``), to correct the change or drop it. A
completed application after which the institution is no longer the physician's ends the review
(signal ``institution_changed``), telling the physician and the institution.
"""

from datetime import datetime

from temporalio import workflow

from workflows.common import Notices, Steps, china_date, refuse, run_activity

with workflow.unsafe.imports_passed_through():
    from activities.profile import ProfileActivities
    from registry.access import is_staff_of
    from registry.application_types import Audience, Decision
    from registry.reference import CHINA_TIME
    from registry.reviews import (
        KIND_NAMES,
        REVIEW_ENDED_SIGNAL,
        REVIEW_REMIND_BEFORE,
        REVIEW_WINDOW,
        STATE_NAMES,
        TERMINAL,
        PhotoReplacement,
        ReplaceResult,
        ReviewDecision,
        ReviewEnding,
        ReviewEvent,
        ReviewKind,
        ReviewNotice,
        ReviewOutcome,
        ReviewRecord,
        ReviewResult,
        ReviewStart,
        ReviewState,
        ReviewWithdrawal,
    )
    from workflows import search_attributes as sa

Rs = ReviewState
Re = ReviewEvent
Au = Audience


@workflow.defn
class ProfileReviewWorkflow:
    @workflow.init
    def __init__(self, start: ReviewStart) -> None:
        # Known from the first moment, so that a validator never sees a half-started review.
        self._start = start
        self._state = Rs.awaiting_institution
        self._photo_id = start.photo_id
        self._deadline: datetime | None = None
        self._reminded = False
        # One step at a time: validators refuse a busy review, so handlers hold it at once.
        self._steps = Steps()
        self._notices = Notices()

    @workflow.run
    async def run(self, start: ReviewStart) -> ReviewOutcome:
        await self._open_clock()
        if self._photo_id is not None:
            await run_activity(
                ProfileActivities.keep_newest_photo, start.account_id, self._photo_id
            )
        self._notify(Re.submitted, Au.institution, deadline=china_date(self._deadline))
        while self._state not in TERMINAL:
            await self._wait_for_next_step()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._notices.all_sent()
        return ReviewOutcome(state=self._state)

    # --- clock -----------------------------------------------------------------------------------

    async def _open_clock(self) -> None:
        """(Re)start the 30 days: on submission and when a newer photo replaces the old."""
        self._deadline = workflow.now() + REVIEW_WINDOW
        self._reminded = False
        await self._record()

    async def _wait_for_next_step(self) -> None:
        """Wait for a step, the reminder time or the deadline, whichever comes first."""
        steps = self._steps
        await workflow.wait_condition(steps.idle)
        seen = steps.sequence
        reminder_at = self._deadline - REVIEW_REMIND_BEFORE
        if not self._reminded and workflow.now() < reminder_at:
            if not await steps.taken_within(reminder_at - workflow.now(), seen, let_finish=False):
                self._reminded = True
                self._notify(Re.reminder, Au.institution, deadline=china_date(self._deadline))
            return
        # A decision being taken when the time ran out stands.
        if await steps.taken_within(self._deadline - workflow.now(), seen):
            return
        with steps.held():
            self._state = Rs.expired
            await self._record()
        self._notify(Re.expired, Au.physician, Au.institution)

    # --- recording -------------------------------------------------------------------------------

    async def _record(self, decided_by: int | None = None, comment: str | None = None) -> None:
        sequence = self._steps.count()
        self._describe()
        await run_activity(
            ProfileActivities.record_review,
            ReviewRecord(
                review_id=self._start.review_id,
                sequence=sequence,
                state=self._state,
                photo_id=self._photo_id,
                deadline=None if self._state in TERMINAL else self._deadline,
                decided_by=decided_by,
                comment=comment,
                at=workflow.now(),
            ),
        )

    def _notify(self, event: ReviewEvent, *audiences: Audience, **params: str) -> None:
        """Send without holding up the step; the run waits for every notice before it ends."""
        self._notices.send(
            ProfileActivities.notify_review,
            ReviewNotice(
                review_id=self._start.review_id,
                event=event,
                audiences=list(audiences),
                params=params,
            ),
        )

    def _describe(self) -> None:
        """Search attributes and the bilingual current details an operator reads in the UI."""
        start = self._start
        open_ = self._state not in TERMINAL
        workflow.upsert_search_attributes(
            [
                sa.REVIEW_STATE.value_set(self._state),
                sa.INSTITUTION_CODE.value_set(start.institution_code),
                sa.PROVINCE_CODE.value_set(start.province_code),
                sa.STEP_DEADLINE.value_set(self._deadline)
                if open_
                else sa.STEP_DEADLINE.value_unset(),
            ]
        )
        kind_zh, kind_en = KIND_NAMES[start.kind]
        state_zh, state_en = STATE_NAMES[self._state]
        zh = [f"**{kind_zh}审核 · 审核 {start.review_id}**", f"当前步骤：{state_zh}"]
        en = [f"**{kind_en.capitalize()} review · review {start.review_id}**", f"Step: {state_en}"]
        if self._photo_id is not None:
            zh.append(f"照片版本：{self._photo_id}")
            en.append(f"Photo version: {self._photo_id}")
        if open_:
            due = self._deadline.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
            zh += [f"等待：医疗机构 {start.institution_code} 审核", f"截止：{due}（北京时间）"]
            en += [
                f"Awaiting: institution {start.institution_code} to approve or reject",
                f"Due: {due} China time",
            ]
        workflow.set_current_details("\n\n".join(zh + en))

    def _result(self) -> ReviewResult:
        return ReviewResult(
            review_id=self._start.review_id, state=self._state, photo_id=self._photo_id
        )

    # --- institution -----------------------------------------------------------------------------

    @workflow.update
    async def decide(self, decision: ReviewDecision) -> ReviewResult:
        with self._steps.held():
            actor, comment = decision.actor, decision.comment
            if decision.decision == Decision.approve:
                await run_activity(
                    ProfileActivities.apply_review, self._start.review_id, self._photo_id
                )
                self._state = Rs.approved
                await self._record(actor.account_id, comment)
                self._notify(Re.approved, Au.physician)
            else:
                self._state = Rs.rejected
                await self._record(actor.account_id, comment)
                self._notify(Re.rejected, Au.physician, comment=comment or "—")
            return self._result()

    @decide.validator
    def _validate_decide(self, decision: ReviewDecision) -> None:
        actor = decision.actor
        if not is_staff_of(actor, self._start.institution_code):
            raise refuse("wrong_institution")
        if self._state != Rs.awaiting_institution or self._steps.busy:
            raise refuse("wrong_state", state=self._state.value)
        if decision.decision == Decision.reject and not (decision.comment or "").strip():
            raise refuse("comment_required")
        if decision.photo_id is not None and decision.photo_id != self._photo_id:
            raise refuse("review_outdated")

    # --- physician -------------------------------------------------------------------------------

    @workflow.update
    async def replace_photo(self, replacement: PhotoReplacement) -> ReplaceResult:
        """Review the newer upload instead; refused (accepted=False) once the review closed."""
        await workflow.wait_condition(self._steps.idle)
        if self._state in TERMINAL:
            return ReplaceResult(accepted=False)
        if replacement.photo_id <= (self._photo_id or 0):
            return ReplaceResult(accepted=True)  # an even newer one is under review already
        with self._steps.held():
            self._photo_id = replacement.photo_id
            await run_activity(
                ProfileActivities.keep_newest_photo, self._start.account_id, self._photo_id
            )
            await self._open_clock()
        return ReplaceResult(accepted=True)

    @replace_photo.validator
    def _validate_replace_photo(self, replacement: PhotoReplacement) -> None:
        if self._start.kind != ReviewKind.photo:
            raise refuse("wrong_state", state=self._state.value)
        if self._state in TERMINAL:
            raise refuse("wrong_state", state=self._state.value)

    @workflow.update
    async def withdraw(self, withdrawal: ReviewWithdrawal) -> ReviewResult:
        """The physician takes the change back; the slot is free for a corrected one at once."""
        with self._steps.held():
            self._state = Rs.withdrawn
            await self._record()
            self._notify(Re.withdrawn, Au.institution)
            return self._result()

    @withdraw.validator
    def _validate_withdraw(self, withdrawal: ReviewWithdrawal) -> None:
        if withdrawal.actor.account_id != self._start.account_id:
            raise refuse("forbidden")
        if self._state != Rs.awaiting_institution or self._steps.busy:
            raise refuse("wrong_state", state=self._state.value)

    # --- the registry ----------------------------------------------------------------------------

    @workflow.signal(name=REVIEW_ENDED_SIGNAL)
    async def institution_changed(self, ending: ReviewEnding) -> None:
        """The physician's institution changed (an application completed): this institution no
        longer decides; the review ends, and the physician submits again to the new one. A
        review decided meanwhile stays as decided."""
        await workflow.wait_condition(self._steps.idle)
        if self._state in TERMINAL:
            return
        with self._steps.held():
            self._state = Rs.ended
            await self._record(
                comment=f"主要执业机构已变更（业务申请 {ending.application_no}）/ No longer the "
                f"physician's institution (application {ending.application_no})"
            )
        self._notify(Re.ended, Au.physician, Au.institution, application_no=ending.application_no)
