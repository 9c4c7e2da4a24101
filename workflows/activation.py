"""Account activation: match the qualification, verify a contact, let the institution activate.

One workflow per account (``activation-<account_id>``). The physician and institution staff act
through updates whose validators refuse, before anything enters history, a decision made in the
wrong state, by the wrong institution, too soon after the last code or while locked. A wrong code
is accepted as an update so that the attempt is counted durably.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow

from workflows.common import ACTIVITY_RETRY, ACTIVITY_TIMEOUT, Steps, refuse, wait_until

with workflow.unsafe.imports_passed_through():
    from activities.activation import ActivationActivities
    from registry.activation import (
        ACTIVATION_CODE_TTL,
        ACTIVATION_WINDOW,
        LOCKOUT,
        MAX_WRONG_CODES,
        QUALIFICATION_RECHECK,
        QUALIFICATION_WAIT,
        RESEND_INTERVAL,
        STATE_NAMES,
        VERIFICATION_CODE_TTL,
        ActivationCodeRequest,
        ActivationOutcome,
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
        PendingCodeStatus,
        QualificationMatch,
        StateChange,
        VerificationRequest,
    )
    from workflows.search_attributes import ACTIVATION_STATE, INSTITUTION_CODE, PROVINCE_CODE


_NEXT_STEP = {
    ActivationState.awaiting_qualification: (
        "资格数据到达后自动继续（每天复查）",
        "continues by itself when the qualification record arrives (checked daily)",
    ),
    ActivationState.awaiting_verification: (
        "医师验证手机（或邮箱）",
        "the physician verifies the phone (or email)",
    ),
    ActivationState.awaiting_institution: (
        "医疗机构 {institution} 发送激活码，医师输入",
        "institution {institution} issues an activation code, the physician enters it",
    ),
    ActivationState.active: ("无", "nothing"),
    ActivationState.expired: ("医师可重新开始激活", "the physician may start again"),
}


@dataclass
class _PendingCode:
    purpose: CodePurpose
    channel: Channel | None
    sent_at: datetime
    expires_at: datetime
    digest: str | None = None


@workflow.defn
class ActivationWorkflow:
    def __init__(self) -> None:
        self._account_id = 0
        self._state = ActivationState.awaiting_qualification
        self._recorded: ActivationState | None = None  # the state last written to the database
        self._institution_code: str | None = None
        self._province_code: str | None = None
        self._auto_activate = False
        self._deadline: datetime | None = None
        self._qualification_imported = False
        self._matching = True  # the first match is running: what it finds is not known yet
        # A code may be asked for before the match is known: steps wait for it.
        self._steps = Steps(ready=lambda: not self._matching)
        self._codes: dict[str, _PendingCode] = {}
        self._verified_channel: Channel | None = None
        self._activation_accepted = False
        self._wrong_codes = 0
        self._locked_until: datetime | None = None

    @workflow.run
    async def run(self, start: ActivationStart) -> ActivationOutcome:
        self._account_id = start.account_id
        self._institution_code = start.institution_code
        match = await self._await_qualification()
        if match is None:
            return await self._finish(ActivationState.expired, Notice.expired)
        self._institution_code = match.institution_code
        self._province_code = match.province_code
        self._auto_activate = match.auto_activate
        self._deadline = workflow.now() + ACTIVATION_WINDOW

        await self._enter(ActivationState.awaiting_verification)
        self._matching = False
        if not await self._wait_until(lambda: self._verified_channel is not None):
            return await self._finish(ActivationState.expired, Notice.expired)
        if not self._auto_activate:
            self._wrong_codes, self._locked_until = 0, None
            self._codes.clear()  # an unused code of the other channel is void now
            await self._enter(ActivationState.awaiting_institution)
            if not await self._wait_until(lambda: self._activation_accepted or self._auto_activate):
                return await self._finish(ActivationState.expired, Notice.expired)
        return await self._finish(ActivationState.active, Notice.activated)

    # --- steps ---------------------------------------------------------------------------------

    async def _await_qualification(self) -> QualificationMatch | None:
        """Match now; if not found, re-check on every import signal and daily, for 90 days."""
        give_up_at = workflow.now() + QUALIFICATION_WAIT
        self._deadline = give_up_at
        waited = False
        while True:
            self._qualification_imported = False  # before matching: a signal meanwhile counts
            match = await workflow.execute_activity_method(
                ActivationActivities.match_qualification,
                self._account_id,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
            if match.found:
                if waited:
                    await self._notify(Notice.qualification_found)
                return match
            if not waited:
                waited = True
                self._matching = False
                self._describe()
            remaining = give_up_at - workflow.now()
            if remaining <= timedelta(0):
                return None
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: self._qualification_imported,
                    timeout=min(QUALIFICATION_RECHECK, remaining),
                )

    async def _wait_until(self, done) -> bool:
        """Wait for ``done`` until the activation deadline; False if the deadline passed."""
        assert self._deadline is not None
        return await wait_until(done, self._deadline)

    async def _enter(self, state: ActivationState) -> None:
        self._state = state
        self._describe()
        await workflow.execute_activity_method(
            ActivationActivities.record_state,
            StateChange(
                account_id=self._account_id, state=state, institution_code=self._institution_code
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        self._recorded = state

    async def _finish(self, state: ActivationState, notice: Notice) -> ActivationOutcome:
        self._codes.clear()
        await self._enter(state)
        await self._notify(notice)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return ActivationOutcome(state=state)

    async def _recorded_beyond(self, state: ActivationState) -> ActivationState:
        """Wait until the step after ``state`` is in the database, so that the physician's next
        request (filing an application, say) already sees it."""
        await workflow.wait_condition(lambda: self._recorded != state)
        return self._recorded

    async def _notify(self, notice: Notice) -> None:
        await workflow.execute_activity_method(
            ActivationActivities.notify,
            NoticeDelivery(account_id=self._account_id, notice=notice),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    def _describe(self) -> None:
        """Search attributes and the current details an operator reads in the UI."""
        workflow.upsert_search_attributes(
            [
                ACTIVATION_STATE.value_set(self._state),
                INSTITUTION_CODE.value_set(self._institution_code or ""),
                PROVINCE_CODE.value_set(self._province_code or ""),
            ]
        )
        zh_state, en_state = STATE_NAMES[self._state]
        zh_next, en_next = (
            text.format(institution=self._institution_code) for text in _NEXT_STEP[self._state]
        )
        deadline = self._deadline.strftime("%Y-%m-%d %H:%M UTC") if self._deadline else "—"
        terminal = self._state in (ActivationState.active, ActivationState.expired)
        workflow.set_current_details(
            f"**账户激活 · 账户 {self._account_id}**\n\n"
            f"当前步骤：{zh_state}\n\n等待：{zh_next}\n\n"
            + ("" if terminal else f"截止：{deadline}\n\n")
            + f"**Account activation · account {self._account_id}**\n\n"
            f"Step: {en_state}\n\nAwaiting: {en_next}\n\n"
            + ("" if terminal else f"Deadline: {deadline}")
        )

    # --- codes ---------------------------------------------------------------------------------

    def _check_lock(self) -> None:
        now = workflow.now()
        if self._locked_until and now < self._locked_until:
            raise refuse("code_locked", retry_after=_seconds(self._locked_until - now))

    def _check_resend(self, key: str) -> None:
        pending = self._codes.get(key)
        if pending is not None:
            wait = pending.sent_at + RESEND_INTERVAL - workflow.now()
            if wait > timedelta(0):
                raise refuse("resend_too_soon", retry_after=_seconds(wait))

    def _check_entry(self, key: str) -> None:
        self._check_lock()
        pending = self._codes.get(key)
        if pending is None or pending.digest is None:
            raise refuse("code_not_sent")
        if workflow.now() >= pending.expires_at:
            raise refuse("code_expired")

    def _check_state(self, state: ActivationState) -> None:
        if self._state != state:
            raise refuse("wrong_state", state=self._state.value)

    async def _send_code(
        self, key: str, purpose: CodePurpose, channels: list[Channel], ttl: timedelta
    ) -> CodeSent:
        now = workflow.now()
        pending = _PendingCode(
            purpose=purpose,
            channel=channels[0] if len(channels) == 1 else None,
            sent_at=now,
            expires_at=now + ttl,
        )
        self._codes[key] = pending
        pending.digest = await workflow.execute_activity_method(
            ActivationActivities.send_code,
            CodeDelivery(account_id=self._account_id, purpose=purpose, channels=channels),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        return CodeSent(expires_at=pending.expires_at, resend_after=now + RESEND_INTERVAL)

    def _try_code(self, key: str, digest: str) -> CodeCheck:
        pending = self._codes[key]
        if digest == pending.digest:
            del self._codes[key]
            return CodeCheck(accepted=True, attempts_left=MAX_WRONG_CODES - self._wrong_codes)
        self._wrong_codes += 1
        if self._wrong_codes >= MAX_WRONG_CODES:
            self._wrong_codes = 0
            self._locked_until = workflow.now() + LOCKOUT
            return CodeCheck(accepted=False, attempts_left=0, locked_until=self._locked_until)
        return CodeCheck(accepted=False, attempts_left=MAX_WRONG_CODES - self._wrong_codes)

    # --- physician -----------------------------------------------------------------------------

    @workflow.update
    async def send_verification_code(self, request: VerificationRequest) -> CodeSent:
        # Validated again once the match is known.
        await self._steps.when_ready(lambda: self._validate_send_verification_code(request))
        return await self._send_code(
            request.channel.value,
            CodePurpose.verification,
            [request.channel],
            VERIFICATION_CODE_TTL,
        )

    @send_verification_code.validator
    def _validate_send_verification_code(self, request: VerificationRequest) -> None:
        # A physician may ask for the code the moment sign-up answers, while the first match is
        # still running: the update waits for it rather than refusing a qualified physician.
        if not self._matching:
            self._check_state(ActivationState.awaiting_verification)
        self._check_lock()
        self._check_resend(request.channel.value)

    @workflow.update
    async def confirm_verification(self, entry: CodeEntry) -> CodeCheck:
        assert entry.channel is not None
        check = self._try_code(entry.channel.value, entry.digest)
        if check.accepted:
            self._verified_channel = entry.channel
            check.next_state = await self._recorded_beyond(ActivationState.awaiting_verification)
        return check

    @confirm_verification.validator
    def _validate_confirm_verification(self, entry: CodeEntry) -> None:
        self._check_state(ActivationState.awaiting_verification)
        if entry.channel is None:
            raise refuse("invalid_request", detail="channel")
        self._check_entry(entry.channel.value)

    @workflow.update
    async def enter_activation_code(self, entry: CodeEntry) -> CodeCheck:
        check = self._try_code(CodePurpose.activation.value, entry.digest)
        self._activation_accepted = check.accepted
        if check.accepted:
            check.next_state = await self._recorded_beyond(ActivationState.awaiting_institution)
        return check

    @enter_activation_code.validator
    def _validate_enter_activation_code(self, entry: CodeEntry) -> None:
        self._check_state(ActivationState.awaiting_institution)
        self._check_entry(CodePurpose.activation.value)

    # --- institution ---------------------------------------------------------------------------

    @workflow.update
    async def issue_activation_code(self, request: ActivationCodeRequest) -> CodeSent:
        return await self._send_code(
            CodePurpose.activation.value,
            CodePurpose.activation,
            [Channel.sms, Channel.email],
            ACTIVATION_CODE_TTL,
        )

    @issue_activation_code.validator
    def _validate_issue_activation_code(self, request: ActivationCodeRequest) -> None:
        if request.institution_code != self._institution_code:
            raise refuse("wrong_institution")
        self._check_state(ActivationState.awaiting_institution)
        self._check_resend(CodePurpose.activation.value)

    @workflow.signal
    def institution_settings_changed(self, settings: InstitutionSettings) -> None:
        self._auto_activate = settings.auto_activate

    # --- import ---------------------------------------------------------------------------------

    @workflow.signal
    def qualification_imported(self) -> None:
        self._qualification_imported = True

    @workflow.query
    def status(self) -> ActivationStatus:
        now = workflow.now()
        locked = self._locked_until if self._locked_until and now < self._locked_until else None
        return ActivationStatus(
            state=self._state,
            institution_code=self._institution_code,
            deadline=self._deadline,
            verified_channel=self._verified_channel,
            pending_codes=[
                PendingCodeStatus(
                    purpose=code.purpose,
                    channel=code.channel,
                    expires_at=code.expires_at,
                    resend_after=code.sent_at + RESEND_INTERVAL,
                )
                for code in self._codes.values()
                if code.expires_at > now
            ],
            attempts_left=0 if locked else MAX_WRONG_CODES - self._wrong_codes,
            locked_until=locked,
            auto_activate=self._auto_activate,
        )


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))
