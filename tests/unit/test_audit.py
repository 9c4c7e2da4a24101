"""The audit trail (``registry/audit.py``): what one entry records, a retried write recorded
once, and the trail an auditor reads — newest first, by record, by kind of event and by time
(``since`` ≤ at < ``until``), a page at a time. On a copy of the migrated, seeded database."""

import os
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import delete, func, select

from registry import audit
from registry.models import AuditEvent
from tests.unit.test_batches import session, template  # noqa: F401 (fixtures)

# ruff: noqa: F811 (a test names the imported fixture ``session``)

HUNAN, ANJI = "H4301020001", "H3305230001"


@contextmanager
def local_zone(name: str):
    """The process's local time zone set to ``name`` for a while (``TZ``, as a server's)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_an_entry_holds_who_did_what_to_which_record_and_when():
    before = datetime.now(UTC)
    entry = audit.entry(
        "application_filed",
        actor_id=3,
        actor_role="institution_staff",
        physician_id=7,
        institution_code=HUNAN,
        application_no="20261201000001",
        detail={"type": "registration"},
        dedupe_key="k1",
    )
    at = entry.pop("at")
    assert before <= at <= datetime.now(UTC)
    assert entry == {
        "action": "application_filed",
        "actor_id": 3,
        "actor_role": "institution_staff",
        "physician_id": 7,
        "institution_code": HUNAN,
        "application_no": "20261201000001",
        "detail": {"type": "registration"},
        "dedupe_key": "k1",
    }
    bare = audit.entry("login", actor_id=None, actor_role="physician")
    assert (bare["physician_id"], bare["institution_code"], bare["application_no"]) == (
        None,
        None,
        None,
    )
    assert (bare["detail"], bare["dedupe_key"]) == ({}, None)


async def test_a_write_with_a_key_already_recorded_is_recorded_once(session):
    await session.execute(delete(AuditEvent))
    for _ in range(2):
        await audit.record(session, "code_issued", dedupe_key="wf-1:issue", actor_id=None,
                           actor_role="system", physician_id=7)  # fmt: skip
        await session.flush()
    # without a key every write is its own event
    for _ in range(2):
        await audit.record(session, "login", actor_id=7, actor_role="physician", physician_id=7)
        await session.flush()
    await audit.record(session, "code_issued", dedupe_key="wf-2:issue", actor_id=None,
                       actor_role="system", physician_id=7)  # fmt: skip
    await session.flush()
    counted = dict(
        (
            await session.execute(
                select(AuditEvent.action, func.count()).group_by(AuditEvent.action)
            )
        ).all()
    )
    assert counted == {"code_issued": 2, "login": 2}
    keyed = await session.scalar(select(AuditEvent).where(AuditEvent.dedupe_key == "wf-1:issue"))
    assert (keyed.action, keyed.actor_role, keyed.physician_id, keyed.detail) == (
        "code_issued",
        "system",
        7,
        {},
    )


async def test_the_trail_is_read_newest_first_filtered_and_by_page(session):
    await session.execute(delete(AuditEvent))
    start = datetime(2026, 11, 1, tzinfo=UTC)
    made = [
        ("signup", 7, HUNAN, None),
        ("application_filed", 7, HUNAN, "A1"),
        ("application_filed", 8, ANJI, "A2"),
        ("decision", 7, HUNAN, "A1"),
        ("decision", 8, ANJI, "A2"),
    ]
    for n, (action, physician, institution, number) in enumerate(made):
        session.add(
            AuditEvent(
                at=start + timedelta(days=n),
                action=action,
                actor_id=1,
                actor_role="system",
                physician_id=physician,
                institution_code=institution,
                application_no=number,
            )
        )
    await session.flush()

    async def read(**filters) -> list[tuple]:
        return [
            (e.action, e.application_no or e.physician_id)
            for e in await audit.events(session, **filters)
        ]

    assert await read() == [("decision", "A2"), ("decision", "A1"), ("application_filed", "A2"),
                            ("application_filed", "A1"), ("signup", 7)]  # fmt: skip
    assert await read(physician_id=8) == [("decision", "A2"), ("application_filed", "A2")]
    hunan = [("decision", "A1"), ("application_filed", "A1"), ("signup", 7)]
    assert await read(institution_code=HUNAN) == hunan
    assert await read(application_no="A1") == [("decision", "A1"), ("application_filed", "A1")]
    assert await read(action="decision") == [("decision", "A2"), ("decision", "A1")]
    # since ≤ at < until: the second to the fourth day
    assert await read(since=start + timedelta(days=1), until=start + timedelta(days=3)) == [
        ("application_filed", "A2"),
        ("application_filed", "A1"),
    ]
    # a bound in China time means the same moment: 1 November 08:00 there is 00:00 UTC (also
    # on a server whose own clock is set to China time)
    china = timezone(timedelta(hours=8))
    for server_zone in ("UTC", "Asia/Shanghai"):
        with local_zone(server_zone):
            assert await read(since=datetime(2026, 11, 5, 8, tzinfo=china)) == [("decision", "A2")]
            assert await read(until=datetime(2026, 11, 2, 7, 59, tzinfo=china)) == [("signup", 7)]
    assert await read(limit=2) == [("decision", "A2"), ("decision", "A1")]
    assert await read(limit=2, offset=2) == [("application_filed", "A2"),
                                             ("application_filed", "A1")]  # fmt: skip
    assert len(await read(limit=100)) == 5
    # the defaults: a hundred newest, nothing skipped
    for _ in range(100):
        session.add(AuditEvent(at=start, action="login", actor_id=1, actor_role="physician"))
    await session.flush()
    assert len(await read()) == 100
    assert (await read())[-1] == ("login", None)
    # a physician id of 0 is a filter too (not "no filter")
    assert await read(physician_id=0) == []
