"""What reached a phone or the SMTP server, counted before any de-duplication (``dev_sends``).

The dev SMS gateway and the dev SMTP sink keep one copy of a message sent again (by its
delivery-log row, by its Message-ID), as a careful mailbox would; a phone would not. Tests that
promise "nobody gets a message twice" count here.
"""

from collections import Counter

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
        (channel, key, copies)
        for (channel, _, key), copies in (await sends(database_url)).items()
        if key is not None and copies > 1
    ]
