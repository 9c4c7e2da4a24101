"""The local SMTP sink: keeps every message it receives, for the dev 'inbox'."""

import asyncio
import logging
from email import message_from_bytes, policy

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from registry.db import session_scope
from registry.models import DevMessage


class StoringHandler:
    """Stores each received message once per recipient in ``dev_messages``.

    Like a mailbox, it keeps one copy of a message sent again with the same Message-ID (a
    retried send); ``duplicates`` counts the copies it dropped.
    """

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self.duplicates = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
        message_id = str(message.get("Message-ID", "")).strip()[:255] or None
        async with session_scope(self._database_url) as db:
            for recipient in envelope.rcpt_tos:
                if message_id and await db.scalar(
                    select(DevMessage.id).where(
                        DevMessage.message_id == message_id,
                        DevMessage.recipient == recipient.lower(),
                    )
                ):
                    self.duplicates += 1
                    continue
                db.add(
                    DevMessage(
                        channel="email",
                        recipient=recipient.lower(),
                        subject=str(message.get("Subject", "")),
                        body=body.strip(),
                        message_id=message_id,
                    )
                )
        return "250 Message accepted for delivery"


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
