"""Delivery of SMS and email.

SMS go through a gateway interface; the dev gateway records each message in the database, where
``GET /api/v1/dev/messages`` reads it. Email always goes over real SMTP: in dev to the local sink.
"""

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from registry.db import session_scope
from registry.models import DevMessage
from registry.settings import Settings


class SmsGateway(Protocol):
    async def send(self, phone: str, text: str) -> None: ...


class DevSmsGateway:
    """Stands in for an SMS provider: the message lands in ``dev_messages``."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url

    async def send(self, phone: str, text: str) -> None:
        async with session_scope(self._database_url) as session:
            session.add(DevMessage(channel="sms", recipient=phone, body=text))


class Mailer:
    def __init__(self, host: str, port: int, sender: str) -> None:
        self._host, self._port, self._sender = host, port, sender

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        await aiosmtplib.send(message, hostname=self._host, port=self._port, timeout=20)


def sms_gateway(settings: Settings) -> SmsGateway:
    if settings.sms_gateway != "dev":
        raise ValueError(f"unknown SMS gateway {settings.sms_gateway!r}")
    return DevSmsGateway(settings.database_url)


def mailer(settings: Settings) -> Mailer:
    return Mailer(settings.smtp_host, settings.smtp_port, settings.mail_from)
