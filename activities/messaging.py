"""Delivery of SMS and email.

SMS go through a gateway: the dev gateway records each message in the database, where
``GET /api/v1/dev/messages`` reads it; ``activities.sms`` sends them through Alibaba Cloud or
Tencent Cloud. Email always goes over real SMTP: in dev to the local sink, in production to a
relay (login, STARTTLS or implicit TLS). Activities send through a :class:`Deliverer`, which
sends each message of an activity once however often the activity is retried, and which
gives up on a message the provider or relay refused for good instead of retrying it forever.
"""

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.header import Header
from email.mime.text import MIMEText
from functools import cache, partial
from typing import Protocol, TypeVar

import aiosmtplib
from sqlalchemy import Connection, Insert, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from registry.db import in_transaction
from registry.models import Delivery, DevMessage, DevSend
from registry.settings import Settings

log = logging.getLogger("ereg.delivery")
_Row = tuple[type, dict]  # a model and the values of one row to insert
T = TypeVar("T")


@dataclass(frozen=True)
class Sms:
    """One SMS: ``text`` as the dev gateway records it; ``key`` and ``params`` for a provider's
    template; ``ref``, a reference without personal data found again in the provider's records."""

    text: str
    key: str = "notice"
    params: Mapping[str, str] = field(default_factory=dict)
    ref: str = ""


class DeliveryRefused(Exception):
    """The provider or relay refused the message for good: sending it again would not help.

    The message says why (a provider's code, an SMTP reply) and never holds personal data.
    """


class SmsUnavailable(Exception):
    """The provider could not take the message now (throttling, outage): try again later."""


class SmsGateway(Protocol):
    async def send(self, phone: str, sms: Sms) -> str:
        """Hand the SMS to the provider; its id for the message. Raises
        :class:`DeliveryRefused` or :class:`SmsUnavailable` (or a network error)."""
        ...


class DevSmsGateway:
    """Stands in for an SMS provider: the message lands in ``dev_messages``."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url

    async def send(self, phone: str, sms: Sms, *, logged: dict | None = None) -> str:
        """``logged``: the delivery-log row, written in the same transaction as the message."""
        sent = [self.counted(phone, logged)]
        try:
            await in_transaction(
                self._database_url, partial(_insert, sent + self.rows(phone, sms.text, logged))
            )
        except IntegrityError:  # logged already: counted all the same, as a provider would send
            await in_transaction(self._database_url, partial(_insert, sent))
            raise
        return ""

    @staticmethod
    def rows(phone: str, text: str, logged: dict | None = None) -> list[_Row]:
        """What sending writes: the message, and its delivery-log row if any."""
        message = (DevMessage, {"channel": "sms", "recipient": phone, "body": text})
        return [message, (Delivery, logged)] if logged is not None else [message]

    @staticmethod
    def counted(phone: str, logged: dict | None) -> _Row:
        """The ``dev_sends`` row of one send, written even when the delivery log then keeps the
        message out of ``dev_messages``: a real provider would have sent it."""
        key = Deliverer._ref(logged) or None
        return (DevSend, {"channel": "sms", "recipient": phone, "message_key": key})


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

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str = "",
        password: str = "",
        security: str = "none",
        ca_file: str | None = None,
    ) -> None:
        """``security``: ``starttls`` (upgrade before logging in; the server must offer it),
        ``tls`` (implicit TLS from the first byte, port 465) or ``none``; the server's
        certificate is checked against the system's CAs, or ``ca_file``'s."""
        if username and security == "none":
            raise ValueError("an SMTP password is sent only over TLS: set EREG_SMTP_SECURITY")
        self._host, self._port, self._sender = host, port, sender
        self.domain = sender.rpartition("@")[2] or "localhost"
        self._idle: list[aiosmtplib.SMTP] = []
        # What every connection is opened with (aiosmtplib logs in right after connecting).
        self._options = {
            "hostname": host,
            "port": port,
            "timeout": 20,
            "use_tls": security == "tls",
            "start_tls": security == "starttls",
            "cert_bundle": ca_file,
            "username": username or None,
            "password": password or None,
        }

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
        """Send one message. A permanent (5xx) refusal — a wrong password, an unknown mailbox,
        a sender the relay will not relay for — raises :class:`DeliveryRefused`; anything
        else (the relay down, a 4xx) raises as it is, and the activity tries again."""
        message = self._compose(to, subject, body, message_id)
        try:
            await self._send(to, message)
        except aiosmtplib.SMTPAuthenticationError as error:
            if error.code < 500:
                raise
            raise DeliveryRefused(
                f"the SMTP relay refused ereg's username or password ({error.code}): "
                "check EREG_SMTP_USERNAME and EREG_SMTP_PASSWORD"
            ) from None
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = sorted({refused.code for refused in error.recipients})
            if min(codes) < 500:
                raise
            raise DeliveryRefused(f"the SMTP relay refused the recipient ({codes[0]})") from None
        except aiosmtplib.SMTPResponseException as error:
            # Only the reply code: a server's text may quote the address.
            if error.code < 500:
                raise
            raise DeliveryRefused(f"the SMTP relay refused the message ({error.code})") from None

    async def _send(self, to: str, message: bytes) -> None:
        shared = _connection.get()
        if shared is None or shared.mailer is not self:
            await aiosmtplib.send(message, sender=self._sender, recipients=[to], **self._options)
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
        smtp = aiosmtplib.SMTP(**self._options)
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


def worded(compose: Callable[..., tuple[str, str]], *args) -> tuple[str, str]:
    """(subject, body) from a message builder; a missing text or parameter is a programming
    error that no retry can mend, so the activity fails at once instead of retrying forever."""
    try:
        return compose(*args)
    except (KeyError, IndexError) as missing:
        raise ApplicationError(
            f"no text for {missing!r}", type="MessageTextMissing", non_retryable=True
        ) from None


def sms_gateway(settings: Settings) -> SmsGateway:
    """The gateway ``EREG_SMS_GATEWAY`` names; a provider missing a setting fails here, when
    the worker starts, rather than at the first message."""
    if settings.sms_gateway == "dev":
        return DevSmsGateway(settings.database_url)
    from activities.sms import PROVIDERS  # the providers' module imports this one

    return PROVIDERS[settings.sms_gateway](settings)


def mailer(settings: Settings) -> Mailer:
    return Mailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.mail_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        security=settings.smtp_security,
        ca_file=str(settings.smtp_ca_file) if settings.smtp_ca_file else None,
    )


class Deliverer:
    """Sends each message of an activity once, however often the activity runs.

    An activity is retried after a worker crash, a timeout or a failure part-way (the SMS went,
    the SMTP server was down): without a record it would send again what already went. The log
    ``deliveries`` has a row per message handled — sent, or refused for good by the provider or
    relay — keyed by the activity (workflow id, run id and activity id, which a retry keeps),
    the channel and a keyed SHA-256 of the recipient — no phone or email in the log. It is
    read before sending and written right after (in a ``batch()``, at its end); the dev SMS
    gateway's message and its row share a transaction. Between an SMTP server or SMS provider
    accepting a message and the row being written a crash can still leave one to send again:
    an email goes again with the same Message-ID, by which mailboxes (and the dev sink) keep a
    single copy; an SMS with the same reference (``OutId``), by which it can be traced.

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

    async def sms(
        self, phone: str, text: str, key: str = "notice", params: Mapping[str, str] | None = None
    ) -> bool:
        """Send unless this activity sent it already; whether it was sent now. ``key`` and
        ``params`` pick the provider's template (``activities.sms``): the key names the message
        (``code.verification``, ``application.completed``…), the params are its values."""
        logged = self._key("sms", phone.strip())
        sms = Sms(text, key, dict(params or {}), ref=self._ref(logged))
        if logged is None:
            return await self._refusable("sms", self._sms.send(phone, sms))
        if await self._sent(logged):
            return False
        if isinstance(self._sms, DevSmsGateway):
            batch = _batch.get()
            if batch is not None:
                batch.unwritten.append([DevSmsGateway.counted(phone, logged)])  # a group of its own
                batch.unwritten.append(DevSmsGateway.rows(phone, text, logged))
            else:
                try:
                    await self._sms.send(phone, sms, logged=logged)
                except IntegrityError:
                    return False  # a concurrent attempt of the same activity sent it
            self._remember(logged)
            return True
        went = await self._refusable("sms", self._sms.send(phone, sms))
        await self._log(logged)  # sent, or refused for good: either way a retry leaves it
        return went

    async def email(self, to: str, subject: str, body: str) -> bool:
        """Send unless this activity sent it already; whether it was sent now."""
        logged = self._key("email", to.strip().lower())
        if logged is None:
            return await self._refusable("email", self._mail.send(to, subject, body))
        if await self._sent(logged):
            return False
        message_id = f"<{self._ref(logged)}@{self._mail.domain}>"
        went = await self._refusable("email", self._mail.send(to, subject, body, message_id))
        await self._log(logged)
        return went

    @staticmethod
    async def _refusable(channel: str, sending: Awaitable[object]) -> bool:
        """Await ``sending``; whether the message went. A refusal for good is logged (the
        reason, the workflow and activity: no address) and counted, not raised: retrying would
        not help, and a failed activity would stop the workflow. Anything else raises."""
        try:
            await sending
            return True
        except DeliveryRefused as refusal:
            where = "outside an activity"
            if activity.in_activity():
                info = activity.info()
                where = f"workflow {info.workflow_id} activity {info.activity_id}"
                activity.metric_meter().create_counter(
                    "ereg_messages_refused", "Messages a provider or relay refused for good"
                ).add(1, {"channel": channel})
            log.error("%s not delivered, %s: %s", channel, where, refusal)
            return False

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

    @staticmethod
    def _ref(key: dict[str, str] | None) -> str:
        """The message's reference, without personal data: the same on every retry, so an
        email's Message-ID and an SMS's reference at the provider (``OutId``) stay put."""
        if key is None:
            return ""
        return hashlib.sha256("|".join(key.values()).encode()).hexdigest()[:40]

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
