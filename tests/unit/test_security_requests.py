"""Who a password-reset request and a sign-up attempt reach, and which codes a physician sees
as still pending: the decisions the worker takes without telling the requester."""

from datetime import UTC, datetime, timedelta

from registry import security
from registry.activation import Channel
from registry.db import session_scope
from registry.models import Account, ContactCode
from registry.security import ContactCodePurpose, SecurityEventKind

SECRET = "unit-code-secret"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _reset(username: str | None, channel: Channel = Channel.sms) -> security.ContactMessage:
    return security.ContactMessage(kind="reset_request", username=username, channel=channel.value)


def _account(username: str, **more) -> Account:
    return Account(username=username, password_hash="x", **({"role": "physician"} | more))


async def test_a_reset_by_email_reaches_an_account_with_only_an_email(settings):
    async with session_scope(settings.database_url) as session:
        session.add(_account("mail-only", email="mail-only@example.cn", phone=None))
        await session.flush()
        sent = await security.issue_reset(session, SECRET, _reset("mail-only", Channel.email), T0)
        assert sent is not None and sent.kind == "code"
        row = await session.get(ContactCode, sent.ref_id)
        assert (row.purpose, row.channel) == ("password_reset", "email")
        assert await security.issue_reset(session, SECRET, _reset("mail-only"), T0) is None


async def test_only_a_deactivated_staff_account_is_kept_from_resetting(settings):
    async with session_scope(settings.database_url) as session:
        session.add_all([
            _account("staff-active", role="institution_staff", phone="13800005555"),
            _account("doc-gone", phone="13800006666", activation_state=security.DEACTIVATED),
        ])  # fmt: skip
        await session.flush()
        for username in ("staff-active", "doc-gone"):
            sent = await security.issue_reset(session, SECRET, _reset(username), T0)
            assert sent is not None and sent.kind == "code", username


async def test_a_reset_request_without_a_username_reaches_nobody(settings):
    async with session_scope(settings.database_url) as session:
        session.add_all(
            [_account("xxxx", phone="13800007777"), _account("user", phone="13800008888")]
        )
        await session.flush()
        assert await security.issue_reset(session, SECRET, _reset(None), T0) is None
        assert await security.issue_reset(session, SECRET, _reset("  "), T0) is None


async def test_a_sign_up_attempt_is_told_to_each_owner_whatever_else_happened(settings):
    async with session_scope(settings.database_url) as session:
        first = _account("owner-one", id_number="430581199001011234")
        second = _account("owner-two", id_number="330102199203152468")
        session.add_all([first, second])
        await session.flush()
        # the first owner's own notice, and another kind of event just before, stop nobody else
        await security.record_event(session, second, SecurityEventKind.phone_changed)
        now = datetime.now(UTC)
        told_first = await security.signup_attempt_to_tell(session, first.id_number, now)
        told_second = await security.signup_attempt_to_tell(session, second.id_number, now)
        assert (told_first.account_id, told_second.account_id) == (first.id, second.id)
        assert told_second.event == "signup_attempted"


async def test_an_owner_told_exactly_an_hour_ago_is_told_again(settings):
    async with session_scope(settings.database_url) as session:
        owner = _account("owner-hour", id_number="430581199001011234")
        session.add(owner)
        await session.flush()
        told = await security.signup_attempt_to_tell(session, owner.id_number, datetime.now(UTC))
        told_at = told.created_at if told.created_at.tzinfo else told.created_at.replace(tzinfo=UTC)
        just_before = told_at + security.SIGNUP_ATTEMPT_NOTICE_EVERY - timedelta(milliseconds=1)
        assert await security.signup_attempt_to_tell(session, owner.id_number, just_before) is None
        on_the_hour = told_at + security.SIGNUP_ATTEMPT_NOTICE_EVERY
        again = await security.signup_attempt_to_tell(session, owner.id_number, on_the_hour)
        assert again is not None and again.id != told.id


async def test_pending_codes_are_the_physicians_own_until_they_expire(settings):
    async with session_scope(settings.database_url) as session:
        mine, theirs = _account("codes-mine"), _account("codes-theirs")
        session.add_all([mine, theirs])
        await session.flush()
        purpose = ContactCodePurpose.phone_change
        issued = await security.issue(
            session, SECRET, mine.id, purpose, Channel.sms, "13800001111", T0
        )
        await security.issue(session, SECRET, theirs.id, purpose, Channel.sms, "13800002222", T0)
        await session.flush()
        last_moment = issued.expires_at - timedelta(seconds=1)
        pending = await security.pending_codes(session, mine.id, last_moment)
        assert [(row.id, row.target) for row in pending] == [(issued.row_id, "13800001111")]
        assert await security.pending_codes(session, mine.id, issued.expires_at) == []
