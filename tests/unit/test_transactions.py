"""``registry.db.in_transaction``: all of a function's statements are kept, or none."""

import pytest
from sqlalchemy import insert, select

from registry.db import in_transaction, session_scope
from registry.models import DevMessage


def message(body: str) -> dict:
    return {"channel": "sms", "recipient": "13800000000", "body": body}


async def bodies(settings) -> list[str]:
    async with session_scope(settings.database_url) as session:
        return list(await session.scalars(select(DevMessage.body).order_by(DevMessage.id)))


async def test_what_the_function_wrote_is_committed_and_its_result_returned(settings):
    def write(connection) -> int:
        connection.execute(insert(DevMessage), [message("一"), message("二")])
        return len(connection.execute(select(DevMessage.id)).all())

    assert await in_transaction(settings.database_url, write) == 2
    assert await bodies(settings) == ["一", "二"]


async def test_a_function_that_fails_half_way_leaves_nothing(settings):
    def half_way(connection) -> None:
        connection.execute(insert(DevMessage).values(message("一")))
        raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError):
        await in_transaction(settings.database_url, half_way)
    assert await bodies(settings) == []
