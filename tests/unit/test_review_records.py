"""A review's row as the physician's review list and the institution's inbox read it: the
deadline of the step awaiting the institution, a step recorded once whatever arrives again
under its number, and a closing step that never takes the photo in force out of force."""

from datetime import UTC, datetime, timedelta

from registry import reviews
from registry.db import session_scope
from registry.models import Account, PhysicianPhoto, ProfileReview
from registry.reviews import ReviewRecord, ReviewState

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DUE = T0 + reviews.REVIEW_WINDOW


async def _photo_review(settings, photo_status="pending") -> tuple[int, int]:
    """A photo review awaiting the institution, its photo in ``photo_status``: (review, photo)."""
    async with session_scope(settings.database_url) as session:
        account = Account(username="records-doc", password_hash="x", role="physician")
        session.add(account)
        await session.flush()
        photo = PhysicianPhoto(account_id=account.id, status=photo_status, media_type="image/png",
                               width=300, height=400, sha256="0" * 64, data=b"x")  # fmt: skip
        session.add(photo)
        await session.flush()
        review = ProfileReview(
            account_id=account.id, kind="photo", institution_code="H4301020001",
            state="awaiting_institution", open_slot="photo", photo_id=photo.id,
        )  # fmt: skip
        session.add(review)
        await session.flush()
        return review.id, photo.id


async def _record(settings, review_id, photo_id, sequence, state, deadline, at) -> None:
    async with session_scope(settings.database_url) as session:
        await reviews.record(
            session,
            ReviewRecord(review_id=review_id, sequence=sequence, state=state, photo_id=photo_id,
                         deadline=deadline, at=at),
        )  # fmt: skip


async def _row(settings, review_id) -> ProfileReview:
    async with session_scope(settings.database_url) as session:
        return await session.get(ProfileReview, review_id)


def _utc(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


async def test_the_row_shows_the_deadline_of_the_step_awaiting_the_institution(settings):
    review_id, photo_id = await _photo_review(settings)
    await _record(settings, review_id, photo_id, 1, ReviewState.awaiting_institution, DUE, T0)
    row = await _row(settings, review_id)
    assert (row.state, _utc(row.deadline)) == ("awaiting_institution", DUE)


async def test_a_step_number_already_recorded_changes_nothing(settings):
    review_id, photo_id = await _photo_review(settings)
    await _record(settings, review_id, photo_id, 1, ReviewState.awaiting_institution, DUE, T0)
    later = T0 + timedelta(hours=1)
    await _record(settings, review_id, photo_id, 1, ReviewState.expired, None, later)
    row = await _row(settings, review_id)
    assert (row.sequence, row.state, _utc(row.deadline), _utc(row.updated_at)) == (
        1, "awaiting_institution", DUE, T0
    )  # fmt: skip
    assert row.open_slot == "photo"


async def test_closing_a_review_never_takes_the_photo_in_force_out_of_force(settings):
    review_id, photo_id = await _photo_review(settings, photo_status="approved")
    await _record(settings, review_id, photo_id, 1, ReviewState.expired, None, T0)
    async with session_scope(settings.database_url) as session:
        assert (await session.get(PhysicianPhoto, photo_id)).status == "approved"
    assert (await _row(settings, review_id)).state == "expired"
