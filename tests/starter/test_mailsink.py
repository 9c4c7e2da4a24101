"""The dev SMTP sink over real SMTP on loopback: what the dev inbox shows of what was sent."""

import asyncio
from email.message import EmailMessage

import aiosmtplib
import pytest
from sqlalchemy import select

from registry.db import session_scope
from registry.models import DevMessage


def message(to: str, subject: str, body: str, message_id: str | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "ereg@ereg.example"
    mail["To"] = to
    mail["Subject"] = subject
    if message_id:
        mail["Message-ID"] = message_id
    mail.set_content(body)
    return mail


async def inbox(settings) -> list[DevMessage]:
    async with session_scope(settings.database_url) as session:
        return list(await session.scalars(select(DevMessage).order_by(DevMessage.id)))


async def test_chinese_subject_and_body_are_stored_readable(settings, sink):
    await aiosmtplib.send(
        message("Doc.Wang@Example.com", "【医师注册】申请已受理", "申请 2026112600001 已受理。"),
        hostname="127.0.0.1",
        port=settings.smtp_port,
    )
    [stored] = await inbox(settings)
    assert (stored.channel, stored.recipient) == ("email", "doc.wang@example.com")
    assert stored.subject == "【医师注册】申请已受理"
    assert stored.body == "申请 2026112600001 已受理。"


async def test_a_burst_is_stored_whole_and_a_resent_message_once(settings, sink):
    async def send(i: int) -> None:
        await aiosmtplib.send(
            message(f"p{i}@example.com", f"通知 {i}", f"正文 {i}", f"<m{i}@ereg.example>"),
            hostname="127.0.0.1",
            port=settings.smtp_port,
        )

    await asyncio.gather(*(send(i) for i in range(60)))
    await asyncio.gather(*(send(i) for i in range(0, 60, 3)))  # 20 retried sends
    stored = await inbox(settings)
    assert sorted(m.recipient for m in stored) == sorted(f"p{i}@example.com" for i in range(60))
    assert {m.body for m in stored} == {f"正文 {i}" for i in range(60)}
    assert sink.duplicates == 20


async def test_a_message_it_cannot_store_is_refused_for_a_later_retry(settings, sink):
    sink._database_url = "sqlite+aiosqlite:////nonexistent/dir/ereg.db"
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await aiosmtplib.send(
            message("p@example.com", "通知", "正文"), hostname="127.0.0.1", port=settings.smtp_port
        )
    assert refused.value.code == 451
    sink._database_url = settings.database_url
    await aiosmtplib.send(
        message("p@example.com", "通知", "正文"), hostname="127.0.0.1", port=settings.smtp_port
    )
    assert [m.body for m in await inbox(settings)] == ["正文"]


async def test_an_unknown_charset_is_still_stored(settings, sink):
    raw = (
        "From: ereg@ereg.example\r\nTo: p@example.com\r\n"
        "Subject: =?x-unknown?q?abc?=\r\n"
        "Content-Type: text/plain; charset=x-unknown\r\n\r\nhello\r\n"
    )
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=settings.smtp_port) as smtp:
        await smtp.sendmail("ereg@ereg.example", ["p@example.com"], raw)
    [stored] = await inbox(settings)
    assert (stored.recipient, stored.body) == ("p@example.com", "hello")
