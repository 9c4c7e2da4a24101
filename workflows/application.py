"""A business application: physician → institution → paper documents → commission → registry.

One workflow per application (``application-<no>``). Every human step is an update whose
validator refuses, before anything enters history, a decision in the wrong state or by the
wrong institution or commission. Every waiting step has a clock: a reminder before it runs out,
then expiry — except the commission's statutory 20 working days, past which the application is
flagged overdue and the officers reminded, never approved by itself.

Where an application starts depends on who filed it (``registry.applications.first_state``):
an institution's own report of a cancellation ground goes straight to the paper documents, a
cancellation a commission opens on its own authority straight to the officer's decision
(patch ``own-filing-skips-steps``). A completion that leaves open profile reviews addressed to
an institution no longer the physician's ends them (patch ``end-stale-reviews``). A refusal by
a rule at completion is told in words, its code kept beside them on the timeline.

The paper check records each required document as present, missing or not acceptable; one
not present returns the application (补正) with those items in words, and its resubmission
comes straight back to the paper check (patch ``paper-check-returns``; before it, an
incomplete check was a note on the timeline).
"""

from contextlib import suppress
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import FailureError

from workflows.common import Notices, Steps, china_date, refuse, run_activity

with workflow.unsafe.imports_passed_through():
    from activities.applications import ApplicationActivities
    from registry.access import acts_for_applicant, is_officer_of, is_staff_of, supervises
    from registry.application_types import (
        DOCUMENTS_WINDOW,
        INSTITUTION_WINDOW,
        OVERDUE_REMINDER_EVERY,
        REMIND_BEFORE,
        RESUBMIT_WINDOW,
        REVIEW_REMIND_WORKING_DAYS,
        REVIEW_WORKING_DAYS,
        STATE_NAMES,
        TERMINAL,
        TYPE_NAMES,
        Actor,
        ApplicationOutcome,
        ApplicationStart,
        ApplicationState,
        Audience,
        CommissionDecision,
        Decision,
        DecisionResult,
        DocumentStatus,
        InstitutionDecision,
        Notice,
        NoticeEvent,
        PaperCheck,
        Resubmission,
        Transition,
        Withdrawal,
    )
    from registry.applications import first_state
    from registry.claims import Claim, ClaimAction, ClaimOut, ClaimRecord, ClaimRequest
    from registry.documents import findings_text, name_of
    from registry.reference import CHINA_TIME
    from registry.reviews import REVIEW_ENDED_SIGNAL, ReviewEnding, review_workflow_id
    from registry.roles import Role
    from workflows import search_attributes as sa

Sx = ApplicationState
Ev = NoticeEvent
Au = Audience
# Patches: running workflows of the older shape keep taking the older branch on replay.
OWN_FILING_SKIPS_STEPS = "own-filing-skips-steps"
END_STALE_REVIEWS = "end-stale-reviews"
PAPER_CHECK_RETURNS = "paper-check-returns"
BATCH_ROWS_QUIET = "batch-rows-quiet"

# Who is waited on in each open state, and the window they have (None: the statutory clock).
_WAITING_ON: dict[ApplicationState, tuple[Audience, timedelta | None, tuple[str, str]]] = {
    Sx.awaiting_institution: (
        Au.institution, INSTITUTION_WINDOW,
        ("医疗机构 {institution} 确认（批准、退回或不予通过）",
         "institution {institution} to approve, return or reject"),
    ),
    Sx.returned: (
        Au.physician, RESUBMIT_WINDOW,
        ("申请人补正后重新提交", "the applicant to correct and resubmit"),
    ),
    Sx.awaiting_documents: (
        Au.physician, DOCUMENTS_WINDOW,
        ("申请人到卫生健康委 {commission} 现场提交纸质材料",
         "the applicant to bring the paper documents to commission {commission}"),
    ),
    Sx.under_review: (
        Au.commission, None,
        ("卫生健康委 {commission} 审批（批准、退回或不予通过）",
         "commission {commission} to approve, return or reject"),
    ),
}  # fmt: skip


@workflow.defn
class ApplicationWorkflow:
    @workflow.init
    def __init__(self, start: ApplicationStart) -> None:
        # Set before any update is validated: one may arrive in the very first workflow task.
        self._start = start
        self._state = Sx.awaiting_institution
        # One step at a time, and only once the submission is in the database.
        self._steps = Steps(ready=lambda: self._submitted)
        self._deadline: datetime | None = None
        self._review_reminder_at: datetime | None = None
        self._reminded = False
        self._overdue = False
        self._submitted = False  # the submission is in the database: steps may follow
        self._completing = False
        self._certificate_no: str | None = None
        self._notices = Notices()
        self._entry = Sx.awaiting_institution  # where a (re)submission enters; set by run
        self._claim: Claim | None = None  # who works on the step now (registry.claims)
        self._documents_returned = False  # returned at the paper check: resubmit to it

    @workflow.run
    async def run(self, start: ApplicationStart) -> ApplicationOutcome:
        self._entry = self._entry_state()
        await self._transition(self._entry, "submitted", start.filed_by)
        self._submitted = True
        self._notify_entry(Ev.submitted)
        while self._state not in TERMINAL:
            await self._wait_for_next_step()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._notices.all_sent()
        return ApplicationOutcome(state=self._state, certificate_no=self._certificate_no)

    def _entry_state(self) -> ApplicationState:
        """The institution confirms, unless it filed the application itself or a commission
        opened it; decided once, at the start (old histories: always the institution)."""
        entry = first_state(self._start.filed_by, self._start.institution_code)
        if entry != Sx.awaiting_institution and workflow.patched(OWN_FILING_SKIPS_STEPS):
            return entry
        return Sx.awaiting_institution

    def _notify_entry(self, event: NoticeEvent) -> None:
        """Tell those concerned that the application was (re)submitted where it entered."""
        if self._entry == Sx.awaiting_institution:
            if event == Ev.submitted:
                self._notify(event, Au.institution, Au.old_institution, Au.physician)
            else:
                self._notify(event, Au.institution)
        elif self._entry == Sx.awaiting_documents:
            # A row of a collective registration (started by its batch) is not announced to
            # the institution that uploaded the file: its batch page follows the rows, and a
            # thousand rows would be a thousand messages to each of its staff.
            deadline = china_date(self._deadline)
            if workflow.info().parent is not None and workflow.patched(BATCH_ROWS_QUIET):
                self._notify(Ev.filed_collectively, Au.physician, deadline=deadline)
            else:
                self._notify(
                    Ev.filed_by_institution, Au.physician, Au.institution, deadline=deadline
                )
        else:
            self._notify(Ev.ex_officio, Au.physician, Au.institution, Au.commission)

    def _waiting_audience(self) -> Audience:
        """Who is reminded of the step waited on: what waits on "the applicant" waits on the
        institution or the commission when one of them filed the application."""
        audience = _WAITING_ON[self._state][0]
        if audience != Au.physician:
            return audience
        return {Role.INSTITUTION_STAFF: Au.institution, Role.COMMISSION_OFFICER: Au.commission}.get(
            self._start.filed_by.role, Au.physician
        )

    # --- clocks --------------------------------------------------------------------------------

    async def _wait_for_next_step(self) -> None:
        """Wait for a decision, a reminder time or a deadline, whichever comes first."""
        await workflow.wait_condition(self._steps.idle)
        if self._state in TERMINAL:  # a step ended it while the clock was recording
            return
        seen = self._steps.sequence
        audience = self._waiting_audience()
        if self._overdue:
            if not await self._steps.taken_within(OVERDUE_REMINDER_EVERY, seen):
                self._notify(Ev.overdue, audience, deadline=china_date(self._deadline))
            return
        reminder_at = self._reminder_at()
        if not self._reminded and workflow.now() < reminder_at:
            if not await self._steps.taken_within(reminder_at - workflow.now(), seen):
                self._reminded = True
                self._notify(Ev.reminder, audience, deadline=china_date(self._deadline))
            return
        if await self._steps.taken_within(self._deadline - workflow.now(), seen):
            return
        if self._state == Sx.under_review:
            self._overdue = True
            await self._record("overdue", None)
            self._notify(Ev.overdue, audience, deadline=china_date(self._deadline))
        else:
            await self._transition(Sx.expired, "expired", None)
            self._notify(Ev.expired, Au.physician, Au.institution)

    def _reminder_at(self) -> datetime:
        return self._review_reminder_at or self._deadline - REMIND_BEFORE

    # --- recording -----------------------------------------------------------------------------

    async def _transition(
        self,
        state: ApplicationState,
        action: str,
        actor: Actor | None,
        comment: str | None = None,
        **reason,
    ) -> None:
        """Enter ``state``: restart its clock, show it to operators, record it."""
        deadline, reminder_at = await self._clock_for(state)
        self._state, self._deadline, self._review_reminder_at = state, deadline, reminder_at
        if self._claim is not None:  # the step it was taken for is taken
            await self._set_claim(None)
        self._reminded = self._overdue = False
        await self._record(action, actor, comment, **reason)

    async def _clock_for(self, state: ApplicationState) -> tuple[datetime | None, datetime | None]:
        """(deadline, statutory reminder time) of a state entered now."""
        if state in TERMINAL:
            return None, None
        if state != Sx.under_review:
            return workflow.now() + _WAITING_ON[state][1], None
        accepted_on = workflow.now().astimezone(CHINA_TIME).date()
        deadline = await run_activity(
            ApplicationActivities.review_deadline, accepted_on, REVIEW_WORKING_DAYS
        )
        reminder_at = await run_activity(
            ApplicationActivities.review_deadline,
            accepted_on,
            REVIEW_WORKING_DAYS - REVIEW_REMIND_WORKING_DAYS,
        )
        return deadline, reminder_at

    async def _record(
        self, action: str, actor: Actor | None, comment: str | None = None, **reason
    ) -> None:
        """``reason``: ``reason_code`` and ``comment_en`` of a refusal by a rule, ``documents``
        of a paper check."""
        sequence = self._steps.count()
        self._describe()
        await run_activity(
            ApplicationActivities.record_transition,
            Transition(
                application_no=self._start.application_no,
                sequence=sequence,
                state=self._state,
                action=action,
                actor_role=actor.role if actor else "system",
                actor_id=actor.account_id if actor else None,
                comment=comment,
                at=workflow.now(),
                step_deadline=self._deadline,
                overdue=self._overdue,
                **reason,
            ),
        )

    def _notify(self, event: NoticeEvent, *audiences: Audience, **params: str) -> None:
        """Send notices without holding up the step; the run waits for them before it ends."""
        notice = Notice(
            application_no=self._start.application_no,
            event=event,
            audiences=list(audiences),
            params=params,
        )
        self._notices.send(ApplicationActivities.notify_application, notice)

    def _describe(self) -> None:
        start = self._start
        workflow.upsert_search_attributes(
            [
                sa.APPLICATION_TYPE.value_set(start.type),
                sa.APPLICATION_STATE.value_set(self._state),
                sa.INSTITUTION_CODE.value_set(start.institution_code),
                sa.PROVINCE_CODE.value_set(start.province_code),
                sa.COMMISSION_CODE.value_set(start.commission_code),
                sa.STEP_DEADLINE.value_set(self._deadline)
                if self._deadline
                else sa.STEP_DEADLINE.value_unset(),
                sa.OVERDUE.value_set(self._overdue),
            ]
        )
        type_zh, type_en = TYPE_NAMES[start.type]
        state_zh, state_en = STATE_NAMES[self._state]
        lines_zh = [f"**{type_zh} · 申请 {start.application_no}**", f"当前步骤：{state_zh}"]
        lines_en = [f"**{type_en} · application {start.application_no}**", f"Step: {state_en}"]
        if self._state in _WAITING_ON:
            zh, en = (
                text.format(institution=start.institution_code, commission=start.commission_code)
                for text in _WAITING_ON[self._state][2]
            )
            due = self._deadline.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
            flag_zh, flag_en = ("（已超期）", " (OVERDUE)") if self._overdue else ("", "")
            lines_zh += [f"等待：{zh}", f"截止：{due}（北京时间）{flag_zh}"]
            lines_en += [f"Awaiting: {en}", f"Due: {due} China time{flag_en}"]
        if self._certificate_no:
            lines_zh.append(f"执业证书编码：{self._certificate_no}")
            lines_en.append(f"Certificate: {self._certificate_no}")
        workflow.set_current_details("\n\n".join(lines_zh + lines_en))

    def _result(self) -> DecisionResult:
        return DecisionResult(
            state=self._state, certificate_no=self._certificate_no, step_deadline=self._deadline
        )

    # --- validators' checks --------------------------------------------------------------------

    def _check_state(self, *states: ApplicationState) -> None:
        if self._state not in states or self._steps.busy:
            raise refuse("wrong_state", state=self._state.value)

    def _check_institution(self, actor: Actor) -> None:
        if not is_staff_of(actor, self._start.institution_code):
            raise refuse("wrong_institution")

    def _check_commission(self, actor: Actor) -> None:
        if not is_officer_of(actor, self._start.commission_code):
            raise refuse("wrong_commission")

    def _check_applicant(self, actor: Actor) -> None:
        if not acts_for_applicant(self._start.filed_by, actor):
            raise refuse("not_applicant")

    @staticmethod
    def _check_reason(decision: Decision, comment: str | None) -> None:
        if decision != Decision.approve and not (comment or "").strip():
            raise refuse("comment_required")

    # --- institution ---------------------------------------------------------------------------

    @workflow.update
    async def institution_decision(self, decision: InstitutionDecision) -> DecisionResult:
        async with self._steps.taking(lambda: self._validate_institution_decision(decision)):
            actor, comment = decision.actor, decision.comment
            if decision.decision == Decision.approve:
                await self._transition(
                    Sx.awaiting_documents, "institution_approved", actor, comment
                )
                self._notify(
                    Ev.institution_approved, Au.physician, deadline=china_date(self._deadline)
                )
            elif decision.decision == Decision.return_:
                await self._transition(Sx.returned, "institution_returned", actor, comment)
                self._notify(Ev.returned, Au.physician, comment=comment)
            else:
                await self._transition(Sx.rejected, "institution_rejected", actor, comment)
                # Written reasons to the applicant and the institution (Physicians Law art. 16).
                self._notify(Ev.institution_rejected, Au.physician, Au.institution, comment=comment)
            return self._result()

    @institution_decision.validator
    def _validate_institution_decision(self, decision: InstitutionDecision) -> None:
        self._check_institution(decision.actor)
        self._check_claim(decision.actor)
        self._check_state(Sx.awaiting_institution)
        self._check_reason(decision.decision, decision.comment)

    # --- commission ----------------------------------------------------------------------------

    @workflow.update
    async def paper_check(self, check: PaperCheck) -> DecisionResult:
        async with self._steps.taking(lambda: self._validate_paper_check(check)):
            documents = check.items or None
            if check.complete:
                await self._transition(
                    Sx.under_review,
                    "documents_accepted",
                    check.actor,
                    check.comment,
                    documents=documents,
                )
                self._notify(
                    Ev.documents_accepted,
                    Au.physician,
                    Au.institution,
                    deadline=china_date(self._deadline),
                )
            elif workflow.patched(PAPER_CHECK_RETURNS):
                await self._return_for_documents(check)
            else:  # older workflows: a note on the timeline, the documents window runs on
                await self._record("documents_incomplete", check.actor, check.comment)
                self._notify(Ev.documents_incomplete, Au.physician, comment=check.comment)
            return self._result()

    async def _return_for_documents(self, check: PaperCheck) -> None:
        """Return it (补正) with what is missing or not acceptable, in words on the timeline and
        in the notice; the resubmission comes straight back to the paper check."""
        zh, en = findings_text(check.items, check.comment)
        self._documents_returned = True
        await self._transition(
            Sx.returned,
            "documents_returned",
            check.actor,
            zh,
            comment_en=en,
            documents=check.items or None,
        )
        self._notify(
            Ev.documents_returned,
            self._waiting_audience(),
            comment=zh,
            comment_zh=zh,
            comment_en=en,
        )

    @paper_check.validator
    def _validate_paper_check(self, check: PaperCheck) -> None:
        self._check_commission(check.actor)
        self._check_claim(check.actor)
        self._check_state(Sx.awaiting_documents)
        kinds = [item.kind for item in check.items]
        if len(set(kinds)) != len(kinds):
            raise refuse("document_checklist_incomplete", documents="—")
        for item in check.items:
            if item.status == DocumentStatus.not_acceptable and not (item.note or "").strip():
                raise refuse("document_note_required", document=name_of(item.kind)[0])
        if not check.complete and not check.items and not (check.comment or "").strip():
            raise refuse("comment_required")

    @workflow.update
    async def commission_decision(self, decision: CommissionDecision) -> DecisionResult:
        async with self._steps.taking(lambda: self._validate_commission_decision(decision)):
            actor, comment = decision.actor, decision.comment
            if decision.decision == Decision.return_:
                await self._transition(Sx.returned, "commission_returned", actor, comment)
                self._notify(Ev.returned, Au.physician, comment=comment)
            elif decision.decision == Decision.reject:
                await self._transition(Sx.rejected, "commission_rejected", actor, comment)
                self._notify(Ev.rejected, Au.physician, Au.institution, comment=comment)
            else:
                await self._complete(actor, comment)
            return self._result()

    @commission_decision.validator
    def _validate_commission_decision(self, decision: CommissionDecision) -> None:
        self._check_commission(decision.actor)
        self._check_claim(decision.actor)
        self._check_state(Sx.under_review)
        self._check_reason(decision.decision, decision.comment)

    async def _complete(self, actor: Actor, comment: str | None) -> None:
        """Approve: check the rules again and change the registry, exactly once."""
        self._completing = True
        today = workflow.now().astimezone(CHINA_TIME).date()
        completion = await run_activity(
            ApplicationActivities.complete_application, self._start.application_no, today
        )
        self._completing = False
        if completion.completed:
            self._certificate_no = completion.certificate_no
            await self._transition(Sx.completed, "completed", actor, comment)
            self._notify(
                Ev.completed,
                Au.physician,
                Au.institution,
                Au.old_institution,
                certificate_no=self._certificate_no or "—",
            )
            if completion.stale_reviews and workflow.patched(END_STALE_REVIEWS):
                self._notices.also(self._end_reviews(completion.stale_reviews))
        else:
            # Written reasons (Physicians Law art. 16), in words; the code stays on the timeline.
            code = completion.refusal_code
            reason_zh = completion.refusal_zh or f"rule:{code}"  # older activity results
            reason_en = completion.refusal_en or reason_zh
            await self._transition(
                Sx.rejected,
                "refused_at_completion",
                actor,
                reason_zh,
                reason_code=code,
                comment_en=reason_en,
            )
            self._notify(
                Ev.rejected,
                Au.physician,
                Au.institution,
                comment=reason_zh,
                comment_zh=reason_zh,
                comment_en=reason_en,
            )

    async def _end_reviews(self, review_ids: list[int]) -> None:
        """End the profile reviews addressed to an institution that is no longer the
        physician's; each review tells the physician and that institution."""
        ending = ReviewEnding(application_no=self._start.application_no)
        for review_id in review_ids:
            handle = workflow.get_external_workflow_handle(review_workflow_id(review_id))
            with suppress(FailureError):  # it closed meanwhile: nothing left to end
                await handle.signal(REVIEW_ENDED_SIGNAL, ending)

    # --- claims (registry.claims) ----------------------------------------------------------------
    # No patch: a new handler, and checks that change nothing while no claim was ever taken —
    # which is every history recorded before claims existed.

    def _check_claim(self, actor: Actor) -> None:
        """While someone else holds a live claim, the decision is theirs."""
        claim = self._claim
        if claim and claim.live(workflow.now()) and claim.holder.account_id != actor.account_id:
            raise refuse(
                "claimed_by_other",
                holder=claim.holder.account_id,
                until=claim.until.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M"),
            )

    def _check_works_on_step(self, actor: Actor) -> None:
        if self._state == Sx.awaiting_institution:
            self._check_institution(actor)
        elif self._state in (Sx.awaiting_documents, Sx.under_review):
            self._check_commission(actor)
        else:
            raise refuse("wrong_state", state=self._state.value)

    @workflow.update
    async def claim(self, request: ClaimRequest) -> ClaimOut:
        self._validate_claim(request)  # again: another claim may have been taken meanwhile
        if request.action == ClaimAction.release:
            await self._set_claim(None)
        else:
            holder = request.to if request.action == ClaimAction.reassign else request.actor
            now = workflow.now()
            keeps = self._claim and self._claim.holder.account_id == holder.account_id
            since = self._claim.since if keeps and self._claim.live(now) else now
            until = now + timedelta(minutes=request.lapse_minutes)
            await self._set_claim(Claim(holder=holder, since=since, until=until))
        return self._claim_out()

    @claim.validator
    def _validate_claim(self, request: ClaimRequest) -> None:
        if request.action == ClaimAction.reassign:
            # The supervisor of the step's desk: the institution's, then the commission's.
            at_institution = self._state == Sx.awaiting_institution
            institution = self._start.institution_code if at_institution else None
            commission = None if at_institution else self._start.commission_code
            if not supervises(request.actor, institution, commission):
                raise refuse("not_supervisor")
            if request.to is None:
                raise refuse("claim_holder_required")
            self._check_works_on_step(request.to)
            return
        self._check_works_on_step(request.actor)
        self._check_claim(request.actor)
        if not 1 <= request.lapse_minutes <= 24 * 60:
            raise refuse("invalid_request", detail="lapse_minutes")

    @workflow.query
    def current_claim(self) -> ClaimOut:
        return self._claim_out()

    def _claim_out(self) -> ClaimOut:
        claim = self._claim
        if claim is None or not claim.live(workflow.now()):
            return ClaimOut()
        return ClaimOut(holder_id=claim.holder.account_id, since=claim.since, until=claim.until)

    async def _set_claim(self, claim: Claim | None) -> None:
        """Hold (or end) the claim; operators and the inboxes see it, with no personal data."""
        self._claim = claim
        if claim is None:
            workflow.upsert_search_attributes(
                [sa.CLAIMED_BY.value_unset(), sa.CLAIMED_UNTIL.value_unset()]
            )
        else:
            workflow.upsert_search_attributes(
                [
                    sa.CLAIMED_BY.value_set(str(claim.holder.account_id)),
                    sa.CLAIMED_UNTIL.value_set(claim.until),
                ]
            )
        await run_activity(
            ApplicationActivities.record_claim,
            ClaimRecord(
                application_no=self._start.application_no,
                holder_id=claim and claim.holder.account_id,
                since=claim and claim.since,
                until=claim and claim.until,
            ),
        )

    # --- applicant -----------------------------------------------------------------------------

    @workflow.update
    async def withdraw(self, withdrawal: Withdrawal) -> DecisionResult:
        async with self._steps.taking(lambda: self._validate_withdraw(withdrawal)):
            reached_commission = self._state in (Sx.awaiting_documents, Sx.under_review)
            await self._transition(Sx.withdrawn, "withdrawn", withdrawal.actor)
            audiences = [Au.institution, Au.commission] if reached_commission else [Au.institution]
            self._notify(Ev.withdrawn, *audiences)
            return self._result()

    @withdraw.validator
    def _validate_withdraw(self, withdrawal: Withdrawal) -> None:
        self._check_applicant(withdrawal.actor)
        if self._completing:
            raise refuse("completion_in_progress")
        self._check_state(*(s for s in ApplicationState if s not in TERMINAL))

    @workflow.update
    async def resubmit(self, resubmission: Resubmission) -> DecisionResult:
        async with self._steps.taking(lambda: self._validate_resubmit(resubmission)):
            if self._documents_returned:  # only papers were missing: back to the counter
                self._documents_returned = False
                await self._transition(
                    Sx.awaiting_documents, "resubmitted", resubmission.actor, resubmission.comment
                )
                self._notify(
                    Ev.documents_resubmitted,
                    self._waiting_audience(),
                    deadline=china_date(self._deadline),
                )
                return self._result()
            await self._transition(
                self._entry, "resubmitted", resubmission.actor, resubmission.comment
            )
            self._notify_entry(Ev.resubmitted)
            return self._result()

    @resubmit.validator
    def _validate_resubmit(self, resubmission: Resubmission) -> None:
        self._check_applicant(resubmission.actor)
        self._check_state(Sx.returned)
