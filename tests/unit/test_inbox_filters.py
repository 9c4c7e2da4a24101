"""``registry.inbox`` beyond the first page of ``test_inbox.py``: each urgency's edges, the
review kinds told apart, the on-time filter (a deadline-less item included), the waiting-longest
sort both ways, the page size kept within bounds and an empty inbox."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from registry import inbox
from registry.db import session_scope
from registry.inbox import InboxKind, InboxQuery, InboxSort, Urgency, waiting
from tests.unit.test_inbox import HUNAN, NOW, OTHER, application, physician, review


@pytest.mark.parametrize(
    ("deadline", "urgency"),
    [
        (None, Urgency.on_time),
        (NOW - timedelta(seconds=1), Urgency.overdue),
        (NOW, Urgency.overdue),  # due now is already late
        (NOW + timedelta(seconds=1), Urgency.due_soon),
        (NOW + inbox.DUE_SOON, Urgency.due_soon),  # the third day's last moment
        (NOW + inbox.DUE_SOON + timedelta(seconds=1), Urgency.on_time),
    ],
)
def test_urgency_at_the_edges(deadline, urgency):
    assert inbox.urgency_of(deadline, NOW) == urgency
    assert timedelta(days=3) == inbox.DUE_SOON


def test_a_moment_read_back_from_sqlite_is_utc():
    assert inbox._utc(None) is None
    assert inbox._utc("2026-07-10 02:00:00") == NOW
    assert inbox._utc(datetime(2026, 7, 10, 2)) == NOW
    china = datetime(2026, 7, 10, 10, tzinfo=timezone(timedelta(hours=8)))
    assert inbox._utc(china) == NOW and inbox._utc(china).utcoffset() == timedelta(hours=8)


def test_pages_count_a_partial_page_and_at_least_one():
    assert inbox.InboxPage([], 0, 1, 20).pages == 1
    assert inbox.InboxPage([], 20, 1, 20).pages == 1
    assert inbox.InboxPage([], 21, 1, 20).pages == 2


async def fill(settings) -> dict[str, str]:
    """At Hunan: three applications with and without deadlines, created on different days, and
    a photo and a personal-information review due at once."""
    async with session_scope(settings.database_url) as session:
        docs = [physician() for _ in range(4)]
        session.add_all(docs)
        await session.flush()
        oldest = application(docs[0], NOW + timedelta(days=3, seconds=1))
        oldest.created_at = NOW - timedelta(days=9)
        open_ended = application(docs[1], None)
        open_ended.created_at = NOW - timedelta(days=5)
        newest = application(docs[2], NOW + timedelta(days=3))
        newest.created_at = NOW - timedelta(hours=1)
        photo = review(docs[3], "photo", NOW + timedelta(days=30))
        info = review(docs[3], "personal_info", NOW + timedelta(days=40))
        session.add_all([oldest, open_ended, newest, photo, info])
        await session.commit()
        return {
            "oldest": oldest.application_no,
            "open_ended": open_ended.application_no,
            "newest": newest.application_no,
            "photo": str(photo.id),
            "info": str(info.id),
        }


async def refs(settings, **query) -> list[str]:
    async with session_scope(settings.database_url) as session:
        page = await waiting(session, HUNAN, InboxQuery(**query), NOW)
    return [row.ref for row in page.rows]


async def test_each_review_kind_is_its_own_filter(settings):
    made = await fill(settings)
    assert await refs(settings, kind=InboxKind.photo) == [made["photo"]]
    assert await refs(settings, kind=InboxKind.personal_info) == [made["info"]]
    assert await refs(settings, kind=InboxKind.activation) == []


async def test_on_time_holds_items_without_a_deadline_and_after_the_third_day(settings):
    made = await fill(settings)
    on_time = await refs(settings, urgency=Urgency.on_time)
    # the deadline-less item comes last: it has no deadline to sort by
    assert on_time == [made["oldest"], made["photo"], made["info"], made["open_ended"]]
    assert await refs(settings, urgency=Urgency.due_soon) == [made["newest"]]
    assert await refs(settings, urgency=Urgency.overdue) == []


async def test_waiting_longest_first_or_last(settings):
    made = await fill(settings)
    # the reviews were created now: they have waited least
    longest = await refs(settings, kind=InboxKind.application, sort=InboxSort.since)
    assert longest == [made["oldest"], made["open_ended"], made["newest"]]
    shortest = await refs(settings, kind=InboxKind.application, sort=InboxSort.since_desc)
    assert shortest == [made["newest"], made["open_ended"], made["oldest"]]
    everything = await refs(settings, sort=InboxSort.since)
    assert everything[:3] == longest
    # deadline order, the other way: the deadline-less item still last
    latest = await refs(settings, sort=InboxSort.deadline_desc)
    assert latest[0] == made["info"] and latest[-1] == made["open_ended"]


async def test_a_page_holds_one_item_at_least_and_a_hundred_at_most(settings):
    await fill(settings)
    async with session_scope(settings.database_url) as session:
        tiny = await waiting(session, HUNAN, InboxQuery(size=0, page=0), NOW)
        huge = await waiting(session, HUNAN, InboxQuery(size=1000), NOW)
        second = await waiting(session, HUNAN, InboxQuery(size=2, page=2), NOW)
    assert (tiny.size, tiny.page, len(tiny.rows), tiny.pages) == (1, 1, 1, 5)
    assert (huge.size, len(huge.rows)) == (inbox.MAX_PAGE_SIZE, 5)
    assert inbox.MAX_PAGE_SIZE == 100
    assert (second.page, len(second.rows), second.total) == (2, 2, 5)


async def test_an_empty_inbox_is_one_empty_page(settings):
    async with session_scope(settings.database_url) as session:
        empty = await waiting(session, OTHER, InboxQuery(kind=InboxKind.photo), NOW)
        nothing = await waiting(session, OTHER, InboxQuery(), NOW)
    assert (empty.rows, empty.total, empty.page, empty.pages) == ([], 0, 1, 1)
    assert (nothing.rows, nothing.total, nothing.page) == ([], 0, 1)


@pytest.mark.parametrize("sort", list(InboxSort))
async def test_one_item_a_page_reads_the_same_list_as_one_page(settings, sort):
    """Each kind's rows are cut to ``page × size`` before the kinds are merged: the cut must
    keep the rows the merged order puts first, items without a deadline last."""
    await fill(settings)
    async with session_scope(settings.database_url) as session:
        whole = await waiting(session, HUNAN, InboxQuery(sort=sort, size=100), NOW)
        paged = [
            (await waiting(session, HUNAN, InboxQuery(sort=sort, size=1, page=n), NOW)).rows
            for n in range(1, whole.total + 1)
        ]
    assert [row.ref for row in whole.rows] == [rows[0].ref for rows in paged]


async def test_an_item_due_now_is_overdue_and_one_without_an_account_is_listed(settings):
    async with session_scope(settings.database_url) as session:
        doc = physician()
        session.add(doc)
        await session.flush()
        due_now = application(doc, NOW)
        nobodys = application(doc, NOW + timedelta(days=10))
        nobodys.account_id = None  # filed for a physician who has no account yet
        session.add_all([due_now, nobodys])
        await session.commit()
        refs = {"due_now": due_now.application_no, "nobodys": nobodys.application_no}
        overdue = await waiting(session, HUNAN, InboxQuery(urgency=Urgency.overdue), NOW)
        soon = await waiting(session, HUNAN, InboxQuery(urgency=Urgency.due_soon), NOW)
        every = await waiting(session, HUNAN, InboxQuery(), NOW)
    assert [r.ref for r in overdue.rows] == [refs["due_now"]]
    assert soon.rows == []
    listed = {r.ref: r for r in every.rows}
    assert listed[refs["nobodys"]].name is None and listed[refs["nobodys"]].account_id is None
    assert listed[refs["due_now"]].name == doc.name
    # whom it concerns and since when it waits, as UTC moments
    assert listed[refs["due_now"]].account_id == doc.id
    assert listed[refs["due_now"]].since == NOW - timedelta(days=1)
    assert listed[refs["due_now"]].deadline == NOW
    assert listed[refs["due_now"]].type == "registration"


async def test_without_a_moment_the_inbox_reads_the_clock_in_utc(settings, china_local_time):
    """On a server set to China's local time, an item due in four hours is due soon, not
    eight hours late."""
    async with session_scope(settings.database_url) as session:
        doc = physician()
        session.add(doc)
        await session.flush()
        soon = application(doc, datetime.now(UTC) + timedelta(hours=4))
        session.add(soon)
        await session.commit()
        overdue = await waiting(session, HUNAN, InboxQuery(urgency=Urgency.overdue))
        due_soon = await waiting(session, HUNAN, InboxQuery(urgency=Urgency.due_soon))
    assert overdue.rows == []
    assert [r.ref for r in due_soon.rows] == [soon.application_no]


async def test_a_kind_and_an_urgency_together_and_an_activation_far_from_due(settings):
    """An activation signed up yesterday has 29 days left: on time, not due soon; a photo
    asked for with its urgency leaves out a personal-information review as urgent."""
    async with session_scope(settings.database_url) as session:
        fresh = physician(state="awaiting_institution", created=NOW - timedelta(days=1))
        doc = physician()
        session.add_all([fresh, doc])
        await session.flush()
        photo = review(doc, "photo", NOW + timedelta(days=1))
        info = review(doc, "personal_info", NOW + timedelta(days=2))
        session.add_all([photo, info])
        await session.commit()
        refs = {"fresh": str(fresh.id), "photo": str(photo.id)}

        async def found(**query) -> list[str]:
            page = await waiting(session, HUNAN, InboxQuery(**query), NOW)
            return [row.ref for row in page.rows]

        assert await found(kind=InboxKind.activation, urgency=Urgency.on_time) == [refs["fresh"]]
        assert await found(kind=InboxKind.activation, urgency=Urgency.due_soon) == []
        assert await found(kind=InboxKind.photo, urgency=Urgency.due_soon) == [refs["photo"]]
