"""Which review is open: a physician has at most one open review of each kind, and a closed
one no longer holds its slot (a new change may then be submitted)."""

from registry import reviews
from registry.db import session_scope
from registry.models import Account, ProfileReview
from registry.reviews import ReviewKind

HUNAN = "H4301020001"


def _review(account_id, kind, state="awaiting_institution", open_slot=None) -> ProfileReview:
    return ProfileReview(
        account_id=account_id,
        kind=kind,
        institution_code=HUNAN,
        state=state,
        open_slot=open_slot,
    )


async def test_the_open_review_of_each_kind_is_the_physicians_own(settings):
    async with session_scope(settings.database_url) as session:
        mine = Account(username="unit-mine", password_hash="x", role="physician")
        theirs = Account(username="unit-theirs", password_hash="x", role="physician")
        session.add_all([mine, theirs])
        await session.flush()
        assert await reviews.open_review(session, mine.id, ReviewKind.photo) is None
        closed = _review(mine.id, "personal_info", state="rejected")
        info = _review(mine.id, "personal_info", open_slot="personal_info")
        their_photo = _review(theirs.id, "photo", open_slot="photo")
        session.add_all([closed, info, their_photo])
        await session.flush()
        assert (await reviews.open_review(session, mine.id, ReviewKind.personal_info)).id == info.id
        assert await reviews.open_review(session, mine.id, ReviewKind.photo) is None
        assert (await reviews.open_review(session, theirs.id, ReviewKind.photo)).id == (
            their_photo.id
        )
        assert await reviews.open_review(session, theirs.id, ReviewKind.personal_info) is None
