"""``registry.inbox``: what waits on an institution, as one sorted, filtered, paged list."""

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from registry.activation import ACTIVATION_WINDOW
from registry.db import session_scope
from registry.inbox import InboxKind, InboxQuery, InboxSort, Urgency, waiting
from registry.models import Account, Application, ProfileReview

HUNAN = "H4301020001"
OTHER = "H4305810001"
NOW = datetime(2026, 7, 10, 2, 0, tzinfo=UTC)
_ids = count(1)


def physician(institution: str = HUNAN, state: str = "active", created=NOW) -> Account:
    n = next(_ids)
    return Account(
        username=f"inbox{n}",
        password_hash="x",
        role="physician",
        name=f"医师{n}",
        institution_code=institution,
        activation_state=state,
        created_at=created,
    )


def application(doc: Account, deadline, state="awaiting_institution", institution=HUNAN):
    n = next(_ids)
    return Application(
        application_no=f"20260710{n:06d}",
        type="registration",
        account_id=doc.id,
        filed_by=doc.id,
        institution_code=institution,
        commission_code="430000",
        province_code="430000",
        state=state,
        step_deadline=deadline,
        created_at=NOW - timedelta(days=1),
    )


def review(doc: Account, kind: str, deadline, state="awaiting_institution") -> ProfileReview:
    return ProfileReview(
        account_id=doc.id, kind=kind, institution_code=HUNAN, state=state, deadline=deadline
    )


async def fill(settings) -> dict[str, str]:
    """One of each kind at Hunan with different deadlines, and items that must not show."""
    async with session_scope(settings.database_url) as session:
        docs = [physician() for _ in range(4)]
        waiting_doc = physician(state="awaiting_institution", created=NOW - timedelta(days=29))
        elsewhere = physician(OTHER, state="awaiting_institution")
        session.add_all([*docs, waiting_doc, elsewhere])
        await session.flush()
        overdue = application(docs[0], NOW - timedelta(hours=1))
        later = application(docs[1], NOW + timedelta(days=10))
        session.add_all(
            [
                overdue,
                later,
                application(docs[1], NOW, state="awaiting_documents"),  # not the institution's
                application(elsewhere, NOW, institution=OTHER),
                review(docs[2], "photo", NOW + timedelta(days=2)),
                review(docs[3], "personal_info", NOW + timedelta(days=20)),
                review(docs[3], "photo", NOW, state="approved"),
            ]
        )
        await session.commit()
        return {
            "overdue": overdue.application_no,
            "later": later.application_no,
            "activation": str(waiting_doc.id),
        }


async def test_overdue_and_near_deadline_first_across_kinds(settings):
    refs = await fill(settings)
    async with session_scope(settings.database_url) as session:
        found = await waiting(session, HUNAN, InboxQuery(), NOW)
    assert found.total == 5
    assert [(r.kind, r.urgency(NOW)) for r in found.rows] == [
        (InboxKind.application, Urgency.overdue),
        (InboxKind.activation, Urgency.due_soon),  # signed up 29 days ago: due in a day
        (InboxKind.photo, Urgency.due_soon),
        (InboxKind.application, Urgency.on_time),
        (InboxKind.personal_info, Urgency.on_time),
    ]
    assert found.rows[0].ref == refs["overdue"]
    assert found.rows[1].ref == refs["activation"]
    assert abs(found.rows[1].deadline - (NOW - timedelta(days=29) + ACTIVATION_WINDOW)) < (
        timedelta(seconds=1)
    )
    assert found.rows[3].ref == refs["later"]


async def test_filters_by_kind_and_urgency_and_sorts_the_other_way(settings):
    refs = await fill(settings)
    async with session_scope(settings.database_url) as session:
        apps = await waiting(session, HUNAN, InboxQuery(kind=InboxKind.application), NOW)
        soon = await waiting(session, HUNAN, InboxQuery(urgency=Urgency.due_soon), NOW)
        late = await waiting(session, HUNAN, InboxQuery(urgency=Urgency.overdue), NOW)
        last = await waiting(session, HUNAN, InboxQuery(sort=InboxSort.deadline_desc), NOW)
    assert [r.ref for r in apps.rows] == [refs["overdue"], refs["later"]]
    assert {r.kind for r in soon.rows} == {InboxKind.activation, InboxKind.photo}
    assert [r.ref for r in late.rows] == [refs["overdue"]]
    assert last.rows[0].kind == InboxKind.personal_info
    assert last.rows[-1].ref == refs["overdue"]


async def test_pages_cut_the_list_and_a_page_beyond_the_end_shows_the_last(settings):
    await fill(settings)
    async with session_scope(settings.database_url) as session:
        first = await waiting(session, HUNAN, InboxQuery(size=2), NOW)
        third = await waiting(session, HUNAN, InboxQuery(size=2, page=3), NOW)
        beyond = await waiting(session, HUNAN, InboxQuery(size=2, page=99), NOW)
        whole = await waiting(session, HUNAN, InboxQuery(size=10, page=2), NOW)
    assert (first.total, first.pages, len(first.rows)) == (5, 3, 2)
    # all on one page: a second page asked for shows that one
    assert (whole.page, whole.pages, len(whole.rows)) == (1, 1, 5)
    assert len(third.rows) == 1 and third.page == 3
    assert beyond.page == 3 and beyond.rows == third.rows


async def test_another_institutions_inbox_holds_only_its_own(settings):
    await fill(settings)
    async with session_scope(settings.database_url) as session:
        other = await waiting(session, OTHER, InboxQuery(), NOW)
    assert {r.kind for r in other.rows} == {InboxKind.activation, InboxKind.application}
    assert other.total == 2


@pytest.mark.parametrize("sort", list(InboxSort))
@pytest.mark.parametrize("kind", list(InboxKind))
async def test_each_kind_alone_in_each_order(settings, kind, sort):
    """A kind on its own is its leg alone, which then names the page's columns: each kind
    reads in each order, whom it concerns and since when."""
    refs = await fill(settings)
    async with session_scope(settings.database_url) as session:
        found = await waiting(session, HUNAN, InboxQuery(kind=kind, sort=sort), NOW)
    assert found.rows and {row.kind for row in found.rows} == {kind}
    assert all(row.name and row.account_id and row.since for row in found.rows)
    if kind == InboxKind.activation:
        assert [row.ref for row in found.rows] == [refs["activation"]]
