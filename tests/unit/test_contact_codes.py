"""Contact and reset codes (registry/security.py) at their edges: whose code is whose, what a
locked or too-early request is told, the lock's last second, and a burst of first requests.
Real database (SQLite, or PostgreSQL with ``EREG_TEST_DATABASE=postgresql``)."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, false, select, update

from registry import security
from registry.activation import LOCKOUT, RESEND_INTERVAL, Channel
from registry.db import get_sessionmaker, session_scope
from registry.errors import DomainError
from registry.models import Account, AuditEvent, ContactCode
from registry.security import ContactCodePurpose as P

SECRET = "unit-code-secret"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def _accounts(settings, n: int) -> list[int]:
    async with session_scope(settings.database_url) as session:
        rows = [
            Account(username=f"codes-{i}", password_hash="x", role="physician") for i in range(n)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def _issue(settings, account_id, at, purpose=P.phone_change, target="13800001111"):
    async with session_scope(settings.database_url) as session:
        return await security.issue(session, SECRET, account_id, purpose, Channel.sms, target, at)


async def _redeem(settings, account_id, code, at, purpose=P.phone_change):
    async with session_scope(settings.database_url) as session:
        return await security.redeem(session, SECRET, account_id, purpose, code, at)


async def _refused(awaitable) -> DomainError:
    with pytest.raises(DomainError) as info:
        await awaitable
    return info.value


def _code(issued) -> str:
    return security.code_for(SECRET, issued.row_id, issued.nonce)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_code_is_bound_to_its_row_and_its_nonce():
    codes = {security.code_for(SECRET, 1, "a1"), security.code_for(SECRET, 2, "a1"),
             security.code_for(SECRET, 1, "b2")}  # fmt: skip
    assert len(codes) == 3


async def test_each_account_and_purpose_has_its_own_code(settings):
    first, second = await _accounts(settings, 2)
    phone = await _issue(settings, first, T0)
    email = await _issue(settings, first, T0, purpose=P.email_change)  # not "too soon"
    other = await _issue(settings, second, T0)  # nor for another account
    assert len({phone.row_id, email.row_id, other.row_id}) == 3
    # one account's code is no code for another account, nor for another purpose
    refused = await _refused(_redeem(settings, second, _code(phone), T0))
    assert refused.code in ("code_incorrect", "code_locked")
    refused = await _refused(_redeem(settings, first, _code(phone), T0, purpose=P.email_change))
    assert refused.code in ("code_incorrect", "code_locked")
    # and their wrong tries are theirs: the first account's phone code still has 5 tries left
    assert (await _redeem(settings, first, _code(phone), T0)).id == phone.row_id
    assert (await _redeem(settings, second, _code(other), T0)).id == other.row_id


async def test_a_locked_code_says_how_long_and_unlocks_on_the_second(settings):
    (account,) = await _accounts(settings, 1)
    issued = await _issue(settings, account, T0)
    for _ in range(5):
        last = await _refused(_redeem(settings, account, _wrong(_code(issued)), T0))
    assert (last.code, last.params) == ("code_locked", {"retry_after": 1800})
    a_minute_on = T0 + timedelta(minutes=1)
    for attempt in (_redeem(settings, account, _code(issued), a_minute_on),
                    _issue(settings, account, a_minute_on)):  # fmt: skip
        locked = await _refused(attempt)
        assert (locked.code, locked.params) == ("code_locked", {"retry_after": 1740})
    # the lock's last instant is its end: a new code may be asked for, and used
    reopened = await _issue(settings, account, T0 + LOCKOUT)
    assert (await _redeem(settings, account, _code(reopened), T0 + LOCKOUT)).id == issued.row_id


async def _redeem_racing(settings, account_id, code, at, meanwhile):
    """Redeem ``code``, with ``meanwhile`` (what a request beside this one did) taking effect
    just before this one uses the code up: the race the one-statement use is for."""
    async with session_scope(settings.database_url) as session:
        raced = []

        def just_before_use(state):
            if state.is_delete and not raced:
                raced.append(meanwhile)
                state.session.execute(meanwhile)

        event.listen(session.sync_session, "do_orm_execute", just_before_use)
        return await security.redeem(session, SECRET, account_id, P.phone_change, code, at)


async def test_a_right_code_racing_a_lock_or_a_use_is_told_which(settings):
    """Right code, but another request locked it (its fifth wrong try), used it or sent a new
    one a moment before: refused as locked, with the wait, or as no code sent — never an
    error, never a code used twice."""
    account, other = await _accounts(settings, 2)
    issued = await _issue(settings, account, T0)
    lock = update(ContactCode).where(ContactCode.account_id == account)
    locked = await _refused(
        _redeem_racing(settings, account, _code(issued), T0, lock.values(locked_until=T0 + LOCKOUT))
    )
    assert (locked.code, locked.params) == ("code_locked", {"retry_after": 1800})
    issued = await _issue(settings, other, T0)
    use = delete(ContactCode).where(ContactCode.account_id == other)
    used = await _refused(_redeem_racing(settings, other, _code(issued), T0, use))
    assert (used.code, used.params) == ("code_not_sent", {})
    # a resend replaced it in between: the code typed is no longer the one sent
    issued = await _issue(settings, other, T0)
    resend = update(ContactCode).where(ContactCode.account_id == other).values(digest="0" * 64)
    replaced = await _refused(_redeem_racing(settings, other, _code(issued), T0, resend))
    assert (replaced.code, replaced.params) == ("code_not_sent", {})


async def test_a_wrong_code_at_the_lock_end_counts_again_from_five(settings):
    (account,) = await _accounts(settings, 1)
    issued = await _issue(settings, account, T0)
    for _ in range(5):
        await _refused(_redeem(settings, account, _wrong(_code(issued)), T0))
    fresh = await _issue(settings, account, T0 + LOCKOUT)
    wrong = await _refused(_redeem(settings, account, _wrong(_code(fresh)), T0 + LOCKOUT))
    assert (wrong.code, wrong.params) == ("code_incorrect", {"attempts_left": 4})


async def test_a_burst_of_first_requests_sends_one_code(settings):
    """Many first requests at once (no row yet): one code goes out, the others are told to
    wait — never an error, whichever way the database orders them."""
    (account,) = await _accounts(settings, 1)

    async def ask():
        async with get_sessionmaker(settings.database_url)() as session:
            try:
                await security.issue(
                    session, SECRET, account, P.password_reset, Channel.sms, None, T0
                )
                await session.commit()
                return ("sent", None)
            except DomainError as error:
                await session.rollback()
                return (error.code, error.params["retry_after"])

    outcomes = await asyncio.gather(*(ask() for _ in range(8)))
    assert Counter(o[0] for o in outcomes) == {"sent": 1, "resend_too_soon": 7}
    assert {o[1] for o in outcomes if o[0] != "sent"} == {int(RESEND_INTERVAL.total_seconds())}


async def test_a_first_request_that_lost_the_race_to_create_the_code_is_told_to_wait(settings):
    """Two first requests both find no code; the other's insert wins, this one meets the
    unique row and is told to wait a whole interval, as a resend would be."""
    (account,) = await _accounts(settings, 1)
    await _issue(settings, account, T0)
    async with session_scope(settings.database_url) as session:

        def found_nothing_yet(state):
            if state.is_select:
                state.statement = select(ContactCode).where(false())

        event.listen(session.sync_session, "do_orm_execute", found_nothing_yet)
        lost = await _refused(
            security.issue(session, SECRET, account, P.phone_change, Channel.sms, "1380", T0)
        )
    assert (lost.code, lost.params) == (
        "resend_too_soon",
        {"retry_after": int(RESEND_INTERVAL.total_seconds())},
    )


def _reset(username: str, channel: Channel = Channel.sms) -> security.ContactMessage:
    return security.ContactMessage(kind="reset_request", username=username, channel=channel.value)


async def test_a_reset_request_becomes_a_code_only_for_a_real_reachable_account(settings):
    """Decided in the worker, so the API answers alike either way; here, what it decides."""
    async with session_scope(settings.database_url) as session:
        doc = Account(username="reset-doc", password_hash="x", role="physician",
                      phone="13800002222", email=None)  # fmt: skip
        gone = Account(username="reset-gone", password_hash="x", role="institution_staff",
                       phone="13800003333", activation_state=security.DEACTIVATED)  # fmt: skip
        session.add_all([doc, gone])
        await session.flush()
        doc_id = doc.id
    now = datetime.now(UTC)
    async with session_scope(settings.database_url) as session:
        sent = await security.issue_reset(session, SECRET, _reset("  Reset-Doc "), now)
        assert sent is not None and sent.kind == "code" and sent.nonce
        row = await session.get(security.ContactCode, sent.ref_id)
        assert (row.account_id, row.purpose, row.channel) == (doc_id, "password_reset", "sms")
        # nothing for: no such user, no email on file, a deactivated staff account, too soon
        for request in (_reset("nobody"), _reset("reset-doc", Channel.email),
                        _reset("reset-gone"), _reset("reset-doc")):  # fmt: skip
            assert await security.issue_reset(session, SECRET, request, now) is None


async def test_the_owner_is_told_of_a_sign_up_with_their_id_number_once_an_hour(settings):
    async with session_scope(settings.database_url) as session:
        owner = Account(username="id-owner", password_hash="x", role="physician",
                        id_number="430581199001011234")  # fmt: skip
        session.add(owner)
        await session.flush()
        owner_id = owner.id
    now = datetime.now(UTC)
    async with session_scope(settings.database_url) as session:
        told = await security.signup_attempt_to_tell(session, "430581199001011234", now)
        assert (told.account_id, told.event) == (owner_id, "signup_attempted")
        assert await security.signup_attempt_to_tell(session, "430581199001011234", now) is None
        assert await security.signup_attempt_to_tell(session, "110101199001011237", now) is None
        later = now + security.SIGNUP_ATTEMPT_NOTICE_EVERY + timedelta(seconds=1)
        again = await security.signup_attempt_to_tell(session, "430581199001011234", later)
        assert again is not None and again.id != told.id


async def test_a_security_change_is_kept_for_the_old_contact_and_audited(settings):
    async with session_scope(settings.database_url) as session:
        doc = Account(username="sec-doc", password_hash="x", role="physician",
                      institution_code="H4301020001")  # fmt: skip
        staff = Account(username="sec-staff", password_hash="x", role="institution_staff",
                        institution_code="H4301020001")  # fmt: skip
        session.add_all([doc, staff])
        await session.flush()
        kinds = security.SecurityEventKind
        event = await security.record_event(session, doc, kinds.phone_changed, "13800004444")
        await security.record_event(session, staff, kinds.password_changed)
        assert (event.account_id, event.event, event.previous) == (
            doc.id, "phone_changed", "13800004444",
        )  # fmt: skip
        audited = (
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.actor_id.in_([doc.id, staff.id]))
                .order_by(AuditEvent.id)
            )
        ).all()
        assert [(a.action, a.actor_role, a.physician_id, a.institution_code) for a in audited] == [
            ("phone_changed", "physician", doc.id, "H4301020001"),
            ("password_changed", "institution_staff", None, "H4301020001"),
        ]
