"""``Deliverer.batch()``: the messages of one notice read the delivery log once and share one
SMTP connection, kept open for the next notice, and a retried activity still sends nothing
twice."""

import asyncio

import pytest

from activities.messaging import Deliverer, DevSmsGateway
from registry.db import session_scope
from registry.models import Delivery
from tests.conftest import start_sink
from tests.sends import sends
from tests.unit.test_deliveries import (
    EMAIL,
    PHONE,
    SECRET,
    CountingSms,
    FlakyMailer,
    activity_env,
    dev_deliverer,
    logged,
    received,
)

OTHER = "staff.li@example.com"


def _nothing(connection) -> None:
    return None


def batched_notice(deliverer: Deliverer, text: str = "您的申请已受理"):
    async def send() -> None:
        async with deliverer.batch(_nothing):
            await deliverer.sms(PHONE, text)
            await deliverer.email(EMAIL, "ereg", text)
            await deliverer.email(OTHER, "ereg", text)
            await deliverer.email(EMAIL, "ereg", text)  # the same recipient twice: once

    return send


async def test_a_batch_shares_one_connection_and_a_retry_sends_nothing_twice(settings, sink):
    connections = 0

    class CountingConnections(FlakyMailer):
        def connection(self):
            nonlocal connections
            connections += 1
            return super().connection()

    deliverer = Deliverer(
        settings.database_url,
        DevSmsGateway(settings.database_url),
        CountingConnections(settings.smtp_port),
        SECRET,
    )
    env = activity_env()
    await env.run(batched_notice(deliverer))
    await env.run(batched_notice(deliverer))  # the same activity, retried
    assert connections == 2
    assert len(await received(settings, "sms", PHONE)) == 1
    assert len(await received(settings, "email", EMAIL)) == 1
    assert len(await received(settings, "email", OTHER)) == 1
    assert sink.duplicates == 0
    assert sum((await sends(settings.database_url)).values()) == 3  # before any de-duplication
    assert sorted(d.channel for d in await logged(settings)) == ["email", "email", "sms"]


async def test_a_batch_failing_part_way_resends_only_what_did_not_go(settings, sink):
    sms = CountingSms()
    mail = FlakyMailer(settings.smtp_port, failures=1)
    deliverer = Deliverer(settings.database_url, sms, mail, SECRET)
    env = activity_env()
    with pytest.raises(ConnectionRefusedError):
        await env.run(batched_notice(deliverer))
    await env.run(batched_notice(deliverer))
    assert sms.sent == [(PHONE, "您的申请已受理")]
    assert len(await received(settings, "email", EMAIL)) == 1
    assert len(await received(settings, "email", OTHER)) == 1


async def test_outside_an_activity_a_batch_simply_sends(settings, sink):
    sms = CountingSms()
    deliverer = Deliverer(settings.database_url, sms, FlakyMailer(settings.smtp_port), SECRET)
    await batched_notice(deliverer)()
    assert len(sms.sent) == 1
    assert len(await received(settings, "email", EMAIL)) == 2  # no log outside an activity
    assert await logged(settings) == []


async def test_rows_a_concurrent_attempt_wrote_are_skipped_and_the_rest_kept(settings, sink):
    """An attempt that timed out may still be running beside its retry: the one to finish last
    finds some rows written and keeps the others."""
    deliverer = dev_deliverer(settings)
    email_key = {
        "workflow_id": "application-2026010100001",
        "run_id": "run-1",
        "activity_id": "7",
        "channel": "email",
        "recipient_hash": deliverer.recipient_hash(OTHER),
    }

    async def send() -> None:
        async with deliverer.batch(_nothing):
            await deliverer.sms(PHONE, "您的申请已受理")
            await deliverer.email(OTHER, "ereg", "您的申请已受理")
            async with session_scope(settings.database_url) as session:
                session.add(Delivery(**email_key))  # the other attempt logged this one

    await activity_env().run(send)
    assert len(await received(settings, "sms", PHONE)) == 1
    assert sorted(d.channel for d in await logged(settings)) == ["email", "sms"]


async def two_notices(settings, idle_timeout: float = 300, pause: float = 0) -> int:
    """Two activities' notices, ``pause`` seconds apart, both delivered; how many connections
    the sink accepted."""
    server, _, accepted = await start_sink(settings, idle_timeout)
    deliverer = dev_deliverer(settings)
    async with server:
        await activity_env(activity_id="7").run(batched_notice(deliverer, "已受理"))
        await asyncio.sleep(pause)
        await activity_env(activity_id="8").run(batched_notice(deliverer, "已批准"))
    assert {m.body for m in await received(settings, "email", OTHER)} == {"已受理", "已批准"}
    return len(accepted)


async def test_notices_one_after_another_share_a_connection(settings):
    assert await two_notices(settings) == 1


async def test_a_connection_the_server_closed_is_not_used_again(settings):
    # The server times the idle connection out between the two.
    assert await two_notices(settings, idle_timeout=0.2, pause=0.6) == 2
