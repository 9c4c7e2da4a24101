"""What reached a phone or the SMTP server, counted before any de-duplication (``dev_sends``).

The dev SMS gateway and the dev SMTP sink keep one copy of a message sent again (by its
delivery-log row, by its Message-ID), as a careful mailbox would; a phone would not. Tests that
promise "nobody gets a message twice" count here.
"""

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select

from registry.db import session_scope
from registry.models import DevSend


async def sends(database_url: str) -> Counter[tuple[str, str, str | None]]:
    """How often each message was sent: (channel, recipient, message key) → copies."""
    async with session_scope(database_url) as session:
        rows = await session.execute(
            select(DevSend.channel, DevSend.recipient, DevSend.message_key)
        )
        return Counter(tuple(row) for row in rows)


async def sent_twice(database_url: str) -> list[tuple[str, str, int]]:
    """(channel, message key, copies) of each message of an activity sent more than once."""
    return [
        (channel, key, len(times))
        for (channel, key), times in (await send_times(database_url)).items()
        if len(times) > 1
    ]


async def send_times(database_url: str) -> dict[tuple[str, str], list[datetime]]:
    """When each message of an activity was sent (UTC, oldest first): (channel, key) → times.
    The key names the recipient (the SMS's recipient hash, the email's Message-ID with one
    row per recipient), so a key and a recipient go together."""
    async with session_scope(database_url) as session:
        rows = await session.execute(
            select(DevSend.channel, DevSend.recipient, DevSend.message_key, DevSend.created_at)
            .where(DevSend.message_key.is_not(None))
            .order_by(DevSend.id)
        )
        times: dict[tuple[str, str], list[datetime]] = {}
        for channel, recipient, key, at in rows:
            at = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite drops the zone
            times.setdefault((channel, f"{key} {recipient}"), []).append(at)
        return times
