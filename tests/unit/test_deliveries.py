"""The delivery log: a retried activity never sends the same message twice.

An activity runs again after a worker crash, a timeout or a failure part-way. These tests run
the sending code inside an activity context (``ActivityEnvironment``, with the identity a retry
keeps: workflow id, run id, activity id) against the real database, the dev SMS gateway and a
real SMTP sink on loopback, and count what the physician's phone and inbox received.
"""

import dataclasses
import hashlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from temporalio.testing import ActivityEnvironment

from activities.activation import ActivationActivities
from activities.messaging import Deliverer, DevSmsGateway, Mailer, Sms
from registry.activation import Channel, CodeDelivery, CodePurpose, Notice, NoticeDelivery
from registry.db import session_scope
from registry.models import Account, Delivery, DevMessage
from tests.sends import sends, sent_twice

PHONE = "13912345678"
EMAIL = "Doc.Zhang@Example.com"
SECRET = "delivery-test-secret"


def activity_env(workflow_id="application-2026010100001", run_id="run-1", activity_id="7"):
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, workflow_id=workflow_id, workflow_run_id=run_id, activity_id=activity_id
    )
    return env


class CountingSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone: str, sms) -> str:
        self.sent.append((phone, sms.text))
        return ""


class FlakyMailer(Mailer):
    """A real mailer whose first ``failures`` sends find the SMTP server down."""

    def __init__(self, port: int, failures: int = 0) -> None:
        super().__init__("127.0.0.1", port, "ereg@ereg.example")
        self.failures = failures
        self.attempts = 0

    async def send(self, to, subject, body, message_id=None) -> None:
        self.attempts += 1
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("SMTP server down")
        await super().send(to, subject, body, message_id)


def dev_deliverer(settings) -> Deliverer:
    """SMS to the dev gateway, email over SMTP to the test's port."""
    return Deliverer(
        settings.database_url,
        DevSmsGateway(settings.database_url),
        FlakyMailer(settings.smtp_port),
        SECRET,
    )


async def received(settings, channel: str, to: str) -> list[DevMessage]:
    async with session_scope(settings.database_url) as session:
        return list(
            await session.scalars(
                select(DevMessage).where(
                    DevMessage.channel == channel, DevMessage.recipient == to.lower()
                )
            )
        )


async def logged(settings) -> list[Delivery]:
    async with session_scope(settings.database_url) as session:
        return list(await session.scalars(select(Delivery)))


def notice(deliverer: Deliverer, text: str = "您的申请已受理"):
    async def send() -> None:
        await deliverer.sms(PHONE, text)
        await deliverer.email(EMAIL, "ereg", text)

    return send


async def test_a_retried_activity_sends_nothing_twice(settings, sink):
    deliverer = dev_deliverer(settings)
    env = activity_env()
    await env.run(notice(deliverer))
    await env.run(notice(deliverer))  # the same activity, retried
    assert len(await received(settings, "sms", PHONE)) == 1
    assert len(await received(settings, "email", EMAIL)) == 1
    assert sink.duplicates == 0  # skipped by the log, not dropped by the mailbox
    assert sum((await sends(settings.database_url)).values()) == 2  # sent once each
    assert {d.channel for d in await logged(settings)} == {"sms", "email"}


async def test_every_copy_is_counted_before_the_dev_gateway_or_sink_drops_it(settings, sink):
    """What ``dev_sends`` is for: a message sent again reaches the dev phone and inbox once —
    the gateway finds its delivery-log row, the sink its Message-ID — but a real phone, or a
    mailbox that does not look at Message-IDs, twice. The count sees both copies."""
    gateway, mailer = DevSmsGateway(settings.database_url), FlakyMailer(settings.smtp_port)
    key = {
        "workflow_id": "application-2026010100001",
        "run_id": "run-1",
        "activity_id": "7",
        "channel": "sms",
        "recipient_hash": "0" * 64,
    }
    sms = Sms("您的申请已受理")
    await gateway.send(PHONE, sms, logged=key)
    with pytest.raises(IntegrityError):
        await gateway.send(PHONE, sms, logged=key)
    for _ in range(2):
        await mailer.send(EMAIL, "ereg", "您的申请已受理", message_id="<same@ereg.example>")

    assert len(await received(settings, "sms", PHONE)) == 1
    assert len(await received(settings, "email", EMAIL)) == 1
    assert sink.duplicates == 1
    twice = await sent_twice(settings.database_url)
    assert sorted((channel, copies) for channel, _, copies in twice) == [("email", 2), ("sms", 2)]


async def test_another_activity_or_run_is_another_event(settings, sink):
    deliverer = dev_deliverer(settings)
    await activity_env(activity_id="7").run(notice(deliverer))
    await activity_env(activity_id="8").run(notice(deliverer))  # the next notice
    await activity_env(run_id="run-2").run(notice(deliverer))  # a new run (reset, restart)
    await activity_env(workflow_id="application-2026010100002").run(notice(deliverer))
    assert len(await received(settings, "sms", PHONE)) == 4
    assert len(await received(settings, "email", EMAIL)) == 4


async def test_failure_part_way_resends_only_what_did_not_go(settings, sink):
    """The SMS went, the SMTP server was down: the retry sends the email, not the SMS again."""
    sms = CountingSms()
    mail = FlakyMailer(settings.smtp_port, failures=2)
    deliverer = Deliverer(settings.database_url, sms, mail, SECRET)
    env = activity_env()
    for _ in range(2):
        with pytest.raises(ConnectionRefusedError):
            await env.run(notice(deliverer))
    await env.run(notice(deliverer))
    await env.run(notice(deliverer))  # and once more after it all went: nothing
    assert sms.sent == [(PHONE, "您的申请已受理")]
    assert mail.attempts == 3
    assert len(await received(settings, "email", EMAIL)) == 1


async def test_a_send_whose_log_write_failed_is_kept_once_by_message_id(settings, sink):
    """The narrow window the log cannot close: the SMTP server took the message, then the
    worker died before the row was written. The resend has the same Message-ID."""
    deliverer = Deliverer(
        settings.database_url, CountingSms(), FlakyMailer(settings.smtp_port), SECRET
    )
    real_log = deliverer._log
    calls = 0

    async def crash_once(key):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("worker died")
        await real_log(key)

    deliverer._log = crash_once

    async def send() -> None:
        await deliverer.email(EMAIL, "ereg", "您的申请已办结")

    env = activity_env()
    with pytest.raises(RuntimeError):
        await env.run(send)
    await env.run(send)
    [kept] = await received(settings, "email", EMAIL)
    assert kept.message_id and kept.message_id.endswith("@ereg.example>")
    assert sink.duplicates == 1


async def test_the_log_holds_no_personal_data(settings, sink):
    deliverer = dev_deliverer(settings)
    await activity_env().run(notice(deliverer))
    rows = await logged(settings)
    assert len(rows) == 2
    for row in rows:
        values = " ".join(str(v) for v in vars(row).values()).lower()
        assert PHONE not in values and EMAIL.lower() not in values
        # keyed: not the plain hash an attacker could compute over every phone number
        assert row.recipient_hash not in {
            hashlib.sha256(PHONE.encode()).hexdigest(),
            hashlib.sha256(EMAIL.lower().encode()).hexdigest(),
        }
    # the same address however it is written
    assert deliverer.recipient_hash(EMAIL.lower()) in {r.recipient_hash for r in rows}


async def test_outside_an_activity_messages_just_go(settings, sink):
    sms = CountingSms()
    deliverer = Deliverer(settings.database_url, sms, FlakyMailer(settings.smtp_port), SECRET)
    await notice(deliverer)()
    await notice(deliverer)()
    assert len(sms.sent) == 2
    assert await logged(settings) == []


async def physician(settings) -> int:
    async with session_scope(settings.database_url) as session:
        account = Account(
            username="delivery_doc",
            password_hash="x",
            role="physician",
            name="张医生",
            phone=PHONE,
            email=EMAIL.lower(),
        )
        session.add(account)
        await session.flush()
        return account.id


async def test_activation_activities_send_a_code_and_a_notice_once(settings, sink):
    """The real activities: a retried ``send_code`` re-sends nothing (and returns the same
    digest); a retried ``notify`` neither."""
    account_id = await physician(settings)
    activities = ActivationActivities(
        settings.database_url,
        settings.code_secret,
        DevSmsGateway(settings.database_url),
        FlakyMailer(settings.smtp_port),
    )
    code = CodeDelivery(
        account_id=account_id,
        purpose=CodePurpose.activation,
        channels=[Channel.sms, Channel.email],
    )
    sending = activity_env(workflow_id=f"activation-{account_id}", activity_id="3")
    first = await sending.run(activities.send_code, code)
    assert await sending.run(activities.send_code, code) == first
    notifying = activity_env(workflow_id=f"activation-{account_id}", activity_id="4")
    for _ in range(3):
        await notifying.run(
            activities.notify, NoticeDelivery(account_id=account_id, notice=Notice.activated)
        )
    assert len(await received(settings, "sms", PHONE)) == 2
    assert len(await received(settings, "email", EMAIL)) == 2
    async with session_scope(settings.database_url) as session:
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 4
