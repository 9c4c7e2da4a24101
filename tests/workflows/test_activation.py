"""ActivationWorkflow on the time-skipping test server: every path to active, expired and locked.

Each test reads like what the physician (or institution staff) would see: the state the account
is in, the notices and codes they received, the refusal codes the API would show and how long
they are told to wait. Days pass in milliseconds: ``env.sleep`` moves the server's clock.
"""

import asyncio
from datetime import timedelta

import pytest
from temporalio.service import RPCError, RPCStatusCode

from registry.activation import (
    ACTIVATION_CODE_TTL,
    ACTIVATION_WINDOW,
    LOCKOUT,
    QUALIFICATION_WAIT,
    VERIFICATION_CODE_TTL,
    ActivationState,
    Channel,
    CodePurpose,
    Notice,
)
from starter.services.activation import as_of
from tests.workflows.conftest import (
    INSTITUTION,
    NOT_FOUND,
    OTHER_INSTITUTION,
    PROVINCE,
    WRONG_CODE,
    Activation,
    eventually,
    found,
    refusal,
)

A_MOMENT = timedelta(seconds=1)

awaiting_qualification = ActivationState.awaiting_qualification
awaiting_verification = ActivationState.awaiting_verification
awaiting_institution = ActivationState.awaiting_institution
active = ActivationState.active
expired = ActivationState.expired


async def assert_refused(update, code: str, **details) -> None:
    """The API would answer ``code`` with these details (``retry_after`` within a second)."""
    refused = await refusal(update)
    assert refused.type == code
    params = refused.details[0] if refused.details else {}
    assert params == pytest.approx(details, abs=1)


async def lock_out(activation: Activation, enter) -> None:
    """Type five wrong codes: the attempts left count down, then the account is locked."""
    for left in (4, 3, 2, 1):
        check = await enter(WRONG_CODE)
        assert (check.accepted, check.attempts_left, check.locked_until) == (False, left, None)
    check = await enter(WRONG_CODE)
    assert (check.accepted, check.attempts_left) == (False, 0)
    assert check.locked_until == (await activation.status()).locked_until
    assert check.locked_until - await activation.env.get_current_time() == pytest.approx(
        LOCKOUT, abs=A_MOMENT
    )


async def at_institution(start, wrong_codes_first: int = 0) -> Activation:
    """A physician whose institution activates by hand, with the phone verified (after typing
    ``wrong_codes_first`` wrong verification codes)."""
    activation = await start(found(auto_activate=False))
    await activation.send_verification_code()
    for _ in range(wrong_codes_first):
        assert (await activation.confirm_verification(WRONG_CODE)).accepted is False
    check = await activation.confirm_verification(activation.verification_code())
    assert (check.accepted, check.next_state) == (True, awaiting_institution)
    await activation.settles_in(awaiting_institution)
    return activation


def _signals_handled(activation: Activation, count: int):
    """``count`` signals arrived and the workflow tasks they caused have completed."""

    async def check() -> bool:
        events = await activation.events()
        return events.count("WORKFLOW_EXECUTION_SIGNALED") == count and events.count(
            "WORKFLOW_TASK_SCHEDULED"
        ) == events.count("WORKFLOW_TASK_COMPLETED")

    return check


# --- qualification ---------------------------------------------------------------------------


async def test_found_at_once_and_auto_activated_after_sms_verification(start, registry):
    """Record on file, institution activates by itself: one SMS code and the account is active."""
    activation = await start(found(auto_activate=True))
    assert await activation.search_attributes() == {
        "ActivationState": "awaiting_verification",
        "InstitutionCode": INSTITUTION,
        "ProvinceCode": PROVINCE,
    }

    check = await activation.verify(Channel.sms)

    assert (check.accepted, check.attempts_left, check.next_state) == (True, 5, active)
    assert await activation.outcome() == active
    assert registry.states == [awaiting_verification, active]
    assert registry.notices == [Notice.activated]
    assert [(d.purpose, d.channels) for d in registry.deliveries] == [
        (CodePurpose.verification, [Channel.sms])
    ]
    assert (await activation.search_attributes())["ActivationState"] == "active"
    status = await activation.status()
    assert (status.state, status.verified_channel, status.pending_codes) == (
        active,
        Channel.sms,
        [],
    )


async def test_waits_for_the_record_and_continues_when_it_is_imported(start, registry):
    """No record yet: the account waits; the import signal makes it match again and go on."""
    activation = await start(NOT_FOUND)
    assert (await activation.status()).state == awaiting_qualification
    assert (await activation.search_attributes())["ActivationState"] == "awaiting_qualification"
    await assert_refused(
        activation.send_verification_code(), "wrong_state", state="awaiting_qualification"
    )

    registry.match = found()
    await activation.qualification_imported()

    await activation.settles_in(awaiting_verification)
    assert registry.match_calls == 2
    assert await activation.age() < A_MOMENT  # the signal, not the daily re-check
    assert registry.notices == [Notice.qualification_found]
    assert registry.states == [awaiting_verification]
    assert (await activation.search_attributes())["ActivationState"] == "awaiting_verification"


async def test_an_import_signalled_while_matching_is_not_lost(start, registry):
    """The record is imported (and signalled) while a match that missed it is still running."""
    activation = await start(NOT_FOUND)
    registry.match_gate = asyncio.Event()
    await activation.qualification_imported()
    await eventually(lambda: registry.match_calls == 2, "the second match")  # now hangs

    registry.match = found()
    await activation.qualification_imported()
    await eventually(_signals_handled(activation, 2), "the second signal handled while matching")
    registry.match_gate.set()  # the running match answers: not found

    await activation.settles_in(awaiting_verification)
    assert registry.match_calls == 3
    assert await activation.age() < A_MOMENT  # not left for the next day's re-check


async def test_a_code_asked_for_during_the_first_match_is_sent_once_it_finds_the_record(
    start, registry
):
    """Sign-up answers before the workflow has matched: a physician asking for the code at once
    gets it when the match is in, not a refusal (seen in the e2e tests once sign-up got fast)."""
    registry.match_gate = asyncio.Event()
    activation = await start(found(auto_activate=True), settle=False)
    await eventually(lambda: registry.match_calls == 1, "the first match running")
    asked = asyncio.create_task(activation.send_verification_code())
    await asyncio.sleep(0.3)
    assert not asked.done() and registry.deliveries == []  # waiting for the match
    registry.match_gate.set()

    await asked
    assert [(d.purpose, d.channels) for d in registry.deliveries] == [
        (CodePurpose.verification, [Channel.sms])
    ]
    check = await activation.confirm_verification(activation.verification_code())
    assert (check.accepted, check.next_state) == (True, active)


async def test_a_code_asked_for_during_a_first_match_that_finds_nothing_is_refused(start, registry):
    registry.match_gate = asyncio.Event()
    activation = await start(NOT_FOUND, settle=False)
    await eventually(lambda: registry.match_calls == 1, "the first match running")
    asked = asyncio.create_task(activation.send_verification_code())
    await asyncio.sleep(0.3)
    registry.match_gate.set()

    await assert_refused(asked, "wrong_state", state="awaiting_qualification")
    assert registry.deliveries == []
    await activation.settles_in(awaiting_qualification)


async def test_daily_recheck_finds_the_record_without_a_signal(env, start, registry):
    """No import signal ever comes: the record is still found by the next day's re-check."""
    activation = await start(NOT_FOUND)
    registry.match = found()

    await env.sleep(timedelta(hours=23))
    assert (await activation.status()).state == awaiting_qualification
    assert registry.match_calls == 1

    await env.sleep(timedelta(hours=1) + A_MOMENT)
    await activation.settles_in(awaiting_verification)
    assert registry.match_calls == 2
    assert registry.notices == [Notice.qualification_found]


async def test_never_found_expires_after_90_days(env, start, registry):
    """The record never arrives: re-checked daily, still waiting on day 89, expired on day 90."""
    activation = await start(NOT_FOUND)

    status = await activation.status()
    assert status.deadline - activation.started_at == pytest.approx(
        QUALIFICATION_WAIT, abs=A_MOMENT
    )

    await env.sleep(QUALIFICATION_WAIT - timedelta(days=1))
    assert (await activation.status()).state == awaiting_qualification
    assert registry.notices == []
    assert registry.match_calls in (89, 90)  # one at the start, then one a day

    assert await activation.outcome() == expired
    assert QUALIFICATION_WAIT <= await activation.lasted() < QUALIFICATION_WAIT + timedelta(hours=1)
    assert registry.match_calls == 1 + 90
    assert registry.states == [expired]
    assert registry.notices == [Notice.expired]
    assert (await activation.status()).state == expired


# --- verification ------------------------------------------------------------------------------


async def test_verification_code_expires_after_5_minutes(env, start):
    """A code still counts after 4 minutes, is refused as expired at 5, and a new one works."""
    activation = await start(found(auto_activate=True))
    sent = await activation.send_verification_code()
    assert sent.expires_at - await env.get_current_time() == pytest.approx(
        VERIFICATION_CODE_TTL, abs=A_MOMENT
    )

    await env.sleep(timedelta(minutes=4))
    assert (await activation.confirm_verification(WRONG_CODE)).attempts_left == 4

    await env.sleep(timedelta(minutes=1) + A_MOMENT)
    await assert_refused(
        activation.confirm_verification(activation.verification_code()), "code_expired"
    )

    await activation.send_verification_code()
    check = await activation.confirm_verification(activation.verification_code())
    assert (check.accepted, check.next_state) == (True, active)
    assert await activation.outcome() == active


async def test_resend_refused_within_60_seconds(env, start, registry):
    """Asking again within a minute says how long to wait; after it a new code replaces the old."""
    activation = await start(found(auto_activate=True))
    first = await activation.send_verification_code()
    first_code = activation.verification_code()

    await env.sleep(timedelta(seconds=20))
    await assert_refused(activation.send_verification_code(), "resend_too_soon", retry_after=40)
    await env.sleep(timedelta(seconds=39))
    await assert_refused(activation.send_verification_code(), "resend_too_soon", retry_after=1)
    # Each channel has its own code: email may be asked for meanwhile.
    await activation.send_verification_code(Channel.email)

    await env.sleep(A_MOMENT)
    second = await activation.send_verification_code()
    assert second.resend_after - first.resend_after == pytest.approx(
        timedelta(seconds=60), abs=A_MOMENT
    )
    assert len(registry.deliveries) == 3
    assert (await activation.confirm_verification(first_code)).accepted is False
    assert (await activation.confirm_verification(activation.verification_code())).accepted
    assert await activation.outcome() == active


async def test_five_wrong_codes_lock_for_30_minutes(env, start, registry):
    """Five wrong codes lock the account; even the right code waits out the 30 minutes."""
    activation = await start(found(auto_activate=True))
    await activation.send_verification_code()
    right_code = activation.verification_code()

    await lock_out(activation, activation.confirm_verification)

    await assert_refused(
        activation.confirm_verification(right_code), "code_locked", retry_after=1800
    )
    await assert_refused(activation.send_verification_code(), "code_locked", retry_after=1800)
    await assert_refused(
        activation.send_verification_code(Channel.email), "code_locked", retry_after=1800
    )
    await env.sleep(timedelta(minutes=10))
    await assert_refused(
        activation.confirm_verification(right_code), "code_locked", retry_after=1200
    )

    await env.sleep(timedelta(minutes=20) + A_MOMENT)
    await assert_refused(activation.confirm_verification(right_code), "code_expired")
    status = await activation.status()
    assert (status.attempts_left, status.locked_until) == (5, None)
    check = await activation.verify()
    assert (check.accepted, check.attempts_left, check.next_state) == (True, 5, active)
    assert await activation.outcome() == active
    assert len(registry.deliveries) == 2


async def test_verification_by_email(start, registry):
    """Email works like SMS; a code sent by SMS cannot be entered as the email code."""
    activation = await start(found(auto_activate=True))
    await activation.send_verification_code(Channel.sms)
    await assert_refused(
        activation.confirm_verification(activation.verification_code(), Channel.email),
        "code_not_sent",
    )

    check = await activation.verify(Channel.email)

    assert (check.accepted, check.next_state) == (True, active)
    assert await activation.outcome() == active
    assert (await activation.status()).verified_channel == Channel.email
    assert registry.deliveries[-1].channels == [Channel.email]
    assert registry.notices == [Notice.activated]


# --- institution -------------------------------------------------------------------------------


async def test_institution_issues_the_activation_code(env, start, registry):
    """Manual institution: only its own staff can issue the code; the physician enters it."""
    activation = await at_institution(start)
    assert registry.states == [awaiting_verification, awaiting_institution]
    assert await activation.search_attributes() == {
        "ActivationState": "awaiting_institution",
        "InstitutionCode": INSTITUTION,
        "ProvinceCode": PROVINCE,
    }
    await assert_refused(activation.verify(), "wrong_state", state="awaiting_institution")

    await assert_refused(activation.issue_activation_code(OTHER_INSTITUTION), "wrong_institution")
    sent = await activation.issue_activation_code(INSTITUTION)
    assert sent.expires_at - await env.get_current_time() == pytest.approx(
        ACTIVATION_CODE_TTL, abs=A_MOMENT
    )
    assert registry.deliveries[-1].channels == [Channel.sms, Channel.email]
    await assert_refused(activation.issue_activation_code(), "resend_too_soon", retry_after=60)

    check = await activation.enter_activation_code(activation.activation_code())

    assert (check.accepted, check.next_state) == (True, active)
    assert await activation.outcome() == active
    assert registry.states == [awaiting_verification, awaiting_institution, active]
    assert registry.notices == [Notice.activated]


async def test_activation_code_expires_after_7_days(env, start):
    """A week-old activation code is refused as expired; staff issue a new one, and it works."""
    activation = await at_institution(start)
    await activation.issue_activation_code()
    old_code = activation.activation_code()

    await env.sleep(ACTIVATION_CODE_TTL - timedelta(minutes=1))
    assert (await activation.enter_activation_code(WRONG_CODE)).attempts_left == 4
    await env.sleep(timedelta(minutes=1) + A_MOMENT)
    await assert_refused(activation.enter_activation_code(old_code), "code_expired")

    await activation.issue_activation_code()
    assert (await activation.enter_activation_code(activation.activation_code())).accepted
    assert await activation.outcome() == active


async def test_wrong_activation_codes_lock_but_the_code_survives(env, start):
    """Five wrong activation codes lock for 30 minutes; the week-long code still works after.

    Wrong verification codes typed before do not carry over: the institution step starts with
    five attempts again (``lock_out`` counts them down from 4)."""
    activation = await at_institution(start, wrong_codes_first=3)
    assert (await activation.status()).attempts_left == 5
    await activation.issue_activation_code()
    code = activation.activation_code()

    await lock_out(activation, activation.enter_activation_code)
    await assert_refused(activation.enter_activation_code(code), "code_locked", retry_after=1800)

    await env.sleep(LOCKOUT + A_MOMENT)
    check = await activation.enter_activation_code(code)
    assert (check.accepted, check.next_state) == (True, active)
    assert await activation.outcome() == active


async def test_auto_activate_switched_on_while_waiting_for_institution(start, registry):
    """The institution turns on automatic activation: the waiting physician becomes active."""
    activation = await at_institution(start)

    await activation.change_institution_settings(auto_activate=True)

    assert await activation.outcome() == active
    assert await activation.lasted() < A_MOMENT
    assert registry.states == [awaiting_verification, awaiting_institution, active]
    assert registry.notices == [Notice.activated]
    assert (await activation.status()).auto_activate is True


async def test_auto_activate_switched_off_before_verification(start, registry):
    """The institution turns automatic activation off in time: verification leads to it."""
    activation = await start(found(auto_activate=True))

    await activation.change_institution_settings(auto_activate=False)
    check = await activation.verify()

    assert check.next_state == awaiting_institution
    await activation.settles_in(awaiting_institution)
    assert registry.notices == []


# --- expiry and wrong states -------------------------------------------------------------------


async def test_expires_30_days_after_the_match_while_verifying(env, start, registry):
    """Never verified: still possible on day 29, expired on day 30 with a notice."""
    activation = await start(found(auto_activate=True))
    deadline = (await activation.status()).deadline
    assert deadline - activation.started_at == pytest.approx(ACTIVATION_WINDOW, abs=A_MOMENT)

    await env.sleep(ACTIVATION_WINDOW - timedelta(days=1))
    await activation.send_verification_code()
    assert (await activation.status()).state == awaiting_verification

    assert await activation.outcome() == expired
    assert ACTIVATION_WINDOW <= await activation.lasted() < ACTIVATION_WINDOW + timedelta(minutes=1)
    assert registry.states == [awaiting_verification, expired]
    assert registry.notices == [Notice.expired]
    status = await activation.status()
    assert (status.state, status.pending_codes) == (expired, [])


async def test_expires_30_days_after_the_match_at_the_institution(env, start, registry):
    """Verified but the institution never activates (code issued, never entered): expired."""
    activation = await at_institution(start)
    await activation.issue_activation_code()

    assert await activation.outcome() == expired
    assert ACTIVATION_WINDOW <= await activation.lasted() < ACTIVATION_WINDOW + timedelta(minutes=1)
    assert registry.states == [awaiting_verification, awaiting_institution, expired]
    assert registry.notices == [Notice.expired]
    assert (await activation.search_attributes())["ActivationState"] == "expired"


async def test_steps_out_of_order_are_refused(start):
    """An activation code before verification, or staff issuing one then, is the wrong state."""
    activation = await start(found(auto_activate=False))

    await assert_refused(
        activation.enter_activation_code(WRONG_CODE), "wrong_state", state="awaiting_verification"
    )
    await assert_refused(
        activation.issue_activation_code(), "wrong_state", state="awaiting_verification"
    )
    await assert_refused(activation.confirm_verification(WRONG_CODE), "code_not_sent")
    assert (await activation.status()).attempts_left == 5  # refusals cost no attempt


async def test_after_activation_updates_find_no_running_activation(start):
    """Entering the code again once active: the workflow is closed, the update is not found.

    (The API turns this NOT_FOUND into ``wrong_state`` with the state the status query reports.)
    """
    activation = await at_institution(start)
    await activation.issue_activation_code()
    code = activation.activation_code()
    assert (await activation.enter_activation_code(code)).accepted
    assert await activation.outcome() == active

    with pytest.raises(RPCError) as error:
        await activation.enter_activation_code(code)
    assert error.value.status == RPCStatusCode.NOT_FOUND
    assert (await activation.status()).state == active


# --- status ------------------------------------------------------------------------------------


async def test_status_shows_pending_codes_attempts_and_lock(env, start):
    """What the physician's page shows: codes sent (and when to resend), attempts, the lock."""
    activation = await start(found(auto_activate=True))
    status = await activation.status()
    assert (status.pending_codes, status.attempts_left, status.locked_until) == ([], 5, None)
    assert (status.institution_code, status.auto_activate) == (INSTITUTION, True)

    sms = await activation.send_verification_code(Channel.sms)
    email = await activation.send_verification_code(Channel.email)
    status = await activation.status()
    assert [(c.purpose, c.channel, c.expires_at, c.resend_after) for c in status.pending_codes] == [
        (CodePurpose.verification, Channel.sms, sms.expires_at, sms.resend_after),
        (CodePurpose.verification, Channel.email, email.expires_at, email.resend_after),
    ]

    await activation.confirm_verification(WRONG_CODE)
    await activation.confirm_verification(WRONG_CODE, Channel.email)
    assert (await activation.status()).attempts_left == 3  # counted across channels

    await env.sleep(VERIFICATION_CODE_TTL)
    await activation.send_verification_code()
    for _ in range(3):
        await activation.confirm_verification(WRONG_CODE)
    status = await activation.status()
    assert status.attempts_left == 0
    assert status.locked_until - await env.get_current_time() == pytest.approx(
        LOCKOUT, abs=A_MOMENT
    )
    assert [c.channel for c in status.pending_codes] == [Channel.sms]  # the email one expired


async def test_status_catches_up_with_the_clock_when_nothing_happens(env, start):
    """After the lock ends (and the code expires) with nothing else happening, the status the
    API shows says so: a query answers as of the last workflow task, and the API brings that
    answer to its own clock (``starter.services.activation.as_of``)."""
    activation = await start(found(auto_activate=True))
    await activation.send_verification_code()
    for _ in range(5):
        await activation.confirm_verification(WRONG_CODE)

    await env.sleep(LOCKOUT + A_MOMENT)

    status = as_of(await activation.status(), await env.get_current_time())
    assert (status.attempts_left, status.locked_until, status.pending_codes) == (5, None, [])
