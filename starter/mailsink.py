"""The local SMTP sink: keeps every message it receives, for the dev 'inbox'."""

import asyncio
import logging
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from functools import partial

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Connection, bindparam, insert, select

from registry.db import in_transaction
from registry.models import DevMessage, DevSend, utcnow

log = logging.getLogger(__name__)


class StoringHandler:
    """Stores each received message once per recipient in ``dev_messages``.

    Like a mailbox, it keeps one copy of a message sent again with the same Message-ID (a
    retried send); ``duplicates`` counts the copies it dropped. Every copy it accepts, dropped
    or not, is counted in ``dev_sends`` first. Messages that arrive while a
    write is in progress are written together in the next one (a group commit): a message is
    acknowledged only once it is stored, and a burst costs a few transactions, not one each.
    """

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._pending: list[tuple[list[dict], asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self.duplicates = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        rows = _rows(envelope)
        stored = asyncio.get_running_loop().create_future()
        self._pending.append((rows, stored))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        try:
            await stored
        except Exception as error:
            # The error's text may quote the addresses: its type only.
            log.error("could not store a message: %s", type(error).__name__)
            return "451 Requested action aborted: local error in processing"
        return "250 Message accepted for delivery"

    async def _write_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._store([row for rows, _ in batch for row in rows])
            except Exception as error:
                outcome = error
            else:
                outcome = None
            for _, stored in batch:
                if stored.done():  # its client went away: the message is stored all the same
                    continue
                if outcome is None:
                    stored.set_result(None)
                else:
                    stored.set_exception(outcome)

    async def _store(self, rows: list[dict]) -> None:
        self.duplicates += await in_transaction(self._database_url, partial(_store_new, rows))


# Built once: a statement built per message costs more CPU than SQLite takes to run it (an
# IN list is rendered anew on every run; one id at a time reuses the compiled statement).
_RECIPIENTS_OF = select(DevMessage.recipient).where(DevMessage.message_id == bindparam("id"))
_STORE = insert(DevMessage.__table__)
_COUNT = insert(DevSend.__table__)


def _store_new(rows: list[dict], connection: Connection) -> int:
    """Count every row received, then insert those whose (Message-ID, recipient) is not stored
    yet; how many were not."""
    connection.execute(
        _COUNT,
        [
            {
                "channel": "email",
                "recipient": row["recipient"],
                "message_key": row["message_id"],
                "created_at": row["created_at"],
            }
            for row in rows
        ],
    )
    ids = {row["message_id"] for row in rows if row["message_id"]}
    seen = {
        (message_id, recipient)
        for message_id in ids
        for recipient in connection.scalars(_RECIPIENTS_OF, {"id": message_id})
    }
    new = []
    for row in rows:
        key = (row["message_id"], row["recipient"])
        if row["message_id"] and key in seen:
            continue
        seen.add(key)
        new.append(row)
    if new:
        connection.execute(_STORE, new)
    return len(rows) - len(new)


def _rows(envelope: Envelope) -> list[dict]:
    """One ``dev_messages`` row per recipient. The compat32 parser: a tenth of the cost of the
    modern one, which builds an object for every header."""
    message = message_from_bytes(envelope.original_content or b"")
    message_id = str(message.get("Message-ID", "")).strip()[:255] or None
    raw_subject = str(message.get("Subject", ""))
    try:
        subject = str(make_header(decode_header(raw_subject)))
    except (LookupError, ValueError):  # an unknown charset or a broken encoded word
        subject = raw_subject
    body = _text(message)
    return [
        {
            "channel": "email",
            "recipient": recipient.lower(),
            "subject": subject[:255],
            "body": body,
            "message_id": message_id,
            "created_at": utcnow(),
        }
        for recipient in envelope.rcpt_tos
    ]


def _text(message: Message) -> str:
    parts = [p for p in message.walk() if p.get_content_maintype() == "text"]
    part = next((p for p in parts if p.get_content_subtype() == "plain"), None)
    part = part or (parts[0] if parts else None)
    if part is None:
        return ""
    payload = part.get_payload(decode=True) or b""
    try:
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace").strip()
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace").strip()


async def serve(database_url: str, host: str, port: int) -> asyncio.Server:
    """Start the sink on the running loop (real SMTP on ``host:port``)."""
    # aiosmtpd logs every envelope (recipient addresses) at INFO: keep addresses out of logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = StoringHandler(database_url)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, hostname="ereg-sink", enable_SMTPUTF8=True), host, port
    )


async def main(database_url: str, host: str, port: int) -> None:
    server = await serve(database_url, host, port)
    async with server:
        await server.serve_forever()
