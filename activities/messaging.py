"""Delivery of SMS and email.

SMS go through a gateway interface; the dev gateway records each message in the database, where
``GET /api/v1/dev/messages`` reads it. Email always goes over real SMTP: in dev to the local sink.
Activities send through a :class:`Deliverer`, which sends each message of an activity once
however often the activity is retried.
"""

import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from email.header import Header
from email.mime.text import MIMEText
from functools import cache, partial
from typing import Protocol, TypeVar

import aiosmtplib
from sqlalchemy import Connection, Insert, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from temporalio import activity

from registry.db import in_transaction
from registry.models import Delivery, DevMessage
from registry.settings import Settings

_Row = tuple[type, dict]  # a model and the values of one row to insert
T = TypeVar("T")


class SmsGateway(Protocol):
    async def send(self, phone: str, text: str) -> None: ...


class DevSmsGateway:
    """Stands in for an SMS provider: the message lands in ``dev_messages``."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url

    async def send(self, phone: str, text: str, *, logged: dict | None = None) -> None:
        """``logged``: the delivery-log row, written in the same transaction as the message."""
        await in_transaction(self._database_url, partial(_insert, self.rows(phone, text, logged)))

    @staticmethod
    def rows(phone: str, text: str, logged: dict | None = None) -> list[_Row]:
        """What sending writes: the message, and its delivery-log row if any."""
        message = (DevMessage, {"channel": "sms", "recipient": phone, "body": text})
        return [message, (Delivery, logged)] if logged is not None else [message]


class _Connection:
    """The SMTP connection the messages of one ``Mailer.connection()`` block share."""

    def __init__(self, mailer: "Mailer") -> None:
        self.mailer = mailer
        self.smtp: aiosmtplib.SMTP | None = None


_connection: ContextVar[_Connection | None] = ContextVar("smtp_connection", default=None)


class _Batch:
    """What ``Deliverer.batch()`` knows: (channel, recipient hash) this activity logged before,
    and the rows still to write — dev SMS with their log rows, log rows of what went."""

    def __init__(self, logged: set[tuple[str, str]]) -> None:
        self.logged = logged
        self.unwritten: list[list[_Row]] = []


_batch: ContextVar[_Batch | None] = ContextVar("delivery_batch", default=None)


class Mailer:
    # Connections kept open between blocks: one per notice being sent at once is plenty.
    KEEP_IDLE = 8

    def __init__(self, host: str, port: int, sender: str) -> None:
        self._host, self._port, self._sender = host, port, sender
        self.domain = sender.rpartition("@")[2] or "localhost"
        self._idle: list[aiosmtplib.SMTP] = []

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[None]:
        """Within the block, messages sent by this task share one SMTP connection: one a block
        before left open, or a new one opened at the first message. It is left open for the
        next block unless sending failed: opening one per notice costs a TCP handshake, the
        greeting, EHLO and QUIT, on both sides."""
        shared = _Connection(self)
        token = _connection.set(shared)
        sent = False
        try:
            yield
            sent = True
        finally:
            _connection.reset(token)
            if shared.smtp is not None:
                await self._release(shared.smtp, reusable=sent)

    async def send(self, to: str, subject: str, body: str, message_id: str | None = None) -> None:
        message = self._compose(to, subject, body, message_id)
        shared = _connection.get()
        if shared is None or shared.mailer is not self:
            await aiosmtplib.send(
                message,
                sender=self._sender,
                recipients=[to],
                hostname=self._host,
                port=self._port,
                timeout=20,
            )
            return
        if shared.smtp is None:
            shared.smtp = await self._open()
        await shared.smtp.sendmail(self._sender, [to], message)

    async def _open(self) -> aiosmtplib.SMTP:
        """An idle connection the server has not closed, or a new one."""
        while self._idle:
            smtp = self._idle.pop()
            if smtp.is_connected:
                return smtp
            smtp.close()
        smtp = aiosmtplib.SMTP(hostname=self._host, port=self._port, timeout=20)
        await smtp.connect()
        return smtp

    async def _release(self, smtp: aiosmtplib.SMTP, reusable: bool) -> None:
        if reusable and smtp.is_connected and len(self._idle) < self.KEEP_IDLE:
            self._idle.append(smtp)
            return
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()

    def _compose(self, to: str, subject: str, body: str, message_id: str | None) -> bytes:
        """The message as sent: UTF-8 plain text, the subject RFC 2047-encoded.

        Built with the ``compat32`` classes: ``EmailMessage`` parses and refolds every header
        through its header registry, at six times the CPU for the same bytes (measured: 0.75 vs
        0.12 ms a message), and sending it had aiosmtplib parse the addresses back out.
        """
        if "\r" in to or "\n" in to:
            raise ValueError("line break in an email address")
        message = MIMEText(body, "plain", "utf-8")
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = Header(subject, "utf-8")
        if message_id:
            message["Message-ID"] = message_id
        return message.as_bytes()


def sms_gateway(settings: Settings) -> SmsGateway:
    if settings.sms_gateway != "dev":
        raise ValueError(f"unknown SMS gateway {settings.sms_gateway!r}")
    return DevSmsGateway(settings.database_url)


def mailer(settings: Settings) -> Mailer:
    return Mailer(settings.smtp_host, settings.smtp_port, settings.mail_from)


class Deliverer:
    """Sends each message of an activity once, however often the activity runs.

    An activity is retried after a worker crash, a timeout or a failure part-way (the SMS went,
    the SMTP server was down): without a record it would send again what already went. The log
    ``deliveries`` has a row per message sent, keyed by the activity (workflow id, run id and
    activity id, which a retry keeps), the channel and a keyed SHA-256 of the recipient — no
    phone or email in the log. It is read before sending and written right after (in a
    ``batch()``, at its end); the dev SMS gateway's message and its row share a transaction.
    Between an SMTP server accepting a message and the row being written a crash can still
    leave one to send again: the retry carries the same Message-ID, by which mailboxes (and
    the dev sink) keep a single copy.

    Outside an activity (nothing to retry) messages are simply sent.
    """

    def __init__(self, database_url: str, sms: SmsGateway, mail: Mailer, secret: str = "") -> None:
        self._database_url = database_url
        self._sms, self._mail = sms, mail
        self._secret = secret.encode()

    @asynccontextmanager
    async def batch(self, read: Callable[[Connection], T]) -> AsyncIterator[T]:
        """Several messages of one activity: its delivery log is read once for all of them, its
        emails share one SMTP connection, and what is written after sending (the dev gateway's
        SMS, the log rows) is written in one transaction at the end — also when a send fails
        part-way, so that a retry sends only what did not go. An email whose row a crash kept
        from being written goes again with the same Message-ID, which mailboxes keep once.

        ``read`` (whom to send what, say) runs in the transaction that reads the log; the block
        gets its result.
        """
        identity = self._key("", "")
        if identity is None:
            found = await in_transaction(self._database_url, read)
            async with self._mail.connection():
                yield found
            return
        found, rows = await in_transaction(
            self._database_url, partial(_read_with_log, read, identity)
        )
        batch = _Batch({(channel, recipient) for channel, recipient in rows})
        token = _batch.set(batch)
        try:
            async with self._mail.connection():
                yield found
        finally:
            _batch.reset(token)
            await self._write(batch.unwritten)

    async def _write(self, groups: list[list[_Row]]) -> None:
        """Write each group of rows; in one transaction, or group by group if a concurrent
        attempt of the same activity wrote some of them already."""
        if not groups:
            return
        try:
            rows = [row for group in groups for row in group]
            await in_transaction(self._database_url, partial(_insert, rows))
        except IntegrityError:
            for group in groups:
                with suppress(IntegrityError):
                    await in_transaction(self._database_url, partial(_insert, group))

    async def sms(self, phone: str, text: str) -> bool:
        """Send unless this activity sent it already; whether it was sent now."""
        key = self._key("sms", phone.strip())
        if key is None:
            await self._sms.send(phone, text)
            return True
        if await self._sent(key):
            return False
        if isinstance(self._sms, DevSmsGateway):
            batch = _batch.get()
            if batch is not None:
                batch.unwritten.append(DevSmsGateway.rows(phone, text, key))
            else:
                try:
                    await self._sms.send(phone, text, logged=key)
                except IntegrityError:
                    return False  # a concurrent attempt of the same activity sent it
            self._remember(key)
            return True
        await self._sms.send(phone, text)
        await self._log(key)
        return True

    async def email(self, to: str, subject: str, body: str) -> bool:
        """Send unless this activity sent it already; whether it was sent now."""
        key = self._key("email", to.strip().lower())
        if key is None:
            await self._mail.send(to, subject, body)
            return True
        if await self._sent(key):
            return False
        await self._mail.send(to, subject, body, message_id=self._message_id(key))
        await self._log(key)
        return True

    def recipient_hash(self, recipient: str) -> str:
        return hmac.new(self._secret, recipient.encode(), hashlib.sha256).hexdigest()

    def _key(self, channel: str, recipient: str) -> dict[str, str] | None:
        if not activity.in_activity():
            return None
        info = activity.info()
        return {
            "workflow_id": info.workflow_id or "",
            "run_id": info.workflow_run_id or "",
            "activity_id": info.activity_id,
            "channel": channel,
            "recipient_hash": self.recipient_hash(recipient),
        }

    def _message_id(self, key: dict[str, str]) -> str:
        token = hashlib.sha256("|".join(key.values()).encode()).hexdigest()[:40]
        return f"<{token}@{self._mail.domain}>"

    def _remember(self, key: dict[str, str]) -> None:
        batch = _batch.get()
        if batch is not None:
            batch.logged.add((key["channel"], key["recipient_hash"]))

    async def _sent(self, key: dict[str, str]) -> bool:
        batch = _batch.get()
        if batch is not None:
            return (key["channel"], key["recipient_hash"]) in batch.logged
        found = select(Delivery.id).where(
            *(getattr(Delivery, column) == value for column, value in key.items())
        )
        return await in_transaction(self._database_url, lambda c: c.scalar(found) is not None)

    async def _log(self, key: dict[str, str]) -> None:
        batch = _batch.get()
        self._remember(key)
        if batch is not None:
            batch.unwritten.append([(Delivery, key)])
            return
        with suppress(IntegrityError):  # a concurrent attempt of the same activity logged it
            await in_transaction(self._database_url, partial(_insert, [(Delivery, key)]))


_ACTIVITY = ("workflow_id", "run_id", "activity_id")
_LOGGED = select(Delivery.channel, Delivery.recipient_hash).where(
    *(getattr(Delivery, column) == bindparam(column) for column in _ACTIVITY)
)


def _read_with_log(
    read: Callable[[Connection], T], identity: dict[str, str], connection: Connection
) -> tuple[T, list]:
    """``read``'s result, and what the activity ``identity`` logged as sent."""
    logged = connection.execute(_LOGGED, {k: identity[k] for k in _ACTIVITY}).all()
    return read(connection), logged


def _insert(rows: list[_Row], connection: Connection) -> None:
    """Each model's rows in one statement run for all of them (a model's rows have the same
    columns); the statements are built once per process, not per row."""
    by_model: dict[type, list[dict]] = {}
    for model, values in rows:
        by_model.setdefault(model, []).append(values)
    for model, values in by_model.items():
        connection.execute(_insert_into(model), values)


@cache
def _insert_into(model: type) -> Insert:
    return insert(model.__table__)
