"""Profile reviews: a personal-information change or a photo, approved by the institution.

Every number of the review rules lives here once, with the messages the review workflow
exchanges. Those carry ids, states and the staff's comment, never the proposed address or any
other personal value: the changes stay in the ``profile_reviews`` row, out of workflow history.
The queries below are what the review's activities do to the database; each is idempotent.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from registry import audit
from registry.application_types import Actor, Audience, Decision
from registry.models import PhysicianPhoto, PhysicianProfile, ProfileReview, utcnow
from registry.roles import Role

REVIEW_WINDOW = timedelta(days=30)
REVIEW_REMIND_BEFORE = timedelta(days=7)


class ReviewKind(StrEnum):
    personal_info = "personal_info"
    photo = "photo"


KIND_NAMES: dict[ReviewKind, tuple[str, str]] = {
    ReviewKind.personal_info: ("个人信息变更", "personal information change"),
    ReviewKind.photo: ("照片", "photo"),
}


class ReviewState(StrEnum):
    awaiting_institution = "awaiting_institution"
    approved = "approved"
    rejected = "rejected"
    expired = "expired"
    withdrawn = "withdrawn"
    ended = "ended"  # the institution is no longer the physician's (``registry.institutions``)


TERMINAL = frozenset(
    {
        ReviewState.approved,
        ReviewState.rejected,
        ReviewState.expired,
        ReviewState.withdrawn,
        ReviewState.ended,
    }
)

STATE_NAMES: dict[ReviewState, tuple[str, str]] = {
    ReviewState.awaiting_institution: ("待医疗机构审核", "Awaiting the institution"),
    ReviewState.approved: ("已通过", "Approved"),
    ReviewState.rejected: ("未通过", "Rejected"),
    ReviewState.expired: ("已过期", "Expired"),
    ReviewState.withdrawn: ("已撤回", "Withdrawn"),
    ReviewState.ended: (
        "已终止（主要执业机构已变更）",
        "Ended: no longer the physician's institution",
    ),
}

# The signal a completed application sends a review whose institution is no longer the
# physician's (by name: the application workflow does not import the review workflow).
REVIEW_ENDED_SIGNAL = "institution_changed"


def review_workflow_id(review_id: int) -> str:
    return f"profile-review-{review_id}"


# --- workflow input and messages -------------------------------------------------------------


class ReviewStart(BaseModel):
    review_id: int
    account_id: int
    kind: ReviewKind
    institution_code: str
    province_code: str
    photo_id: int | None = None


class ReviewDecision(BaseModel):
    """A staff decision; ``photo_id`` (optional) is the photo the staff member looked at."""

    actor: Actor
    decision: Literal[Decision.approve, Decision.reject]
    comment: str | None = None
    photo_id: int | None = None


class ReviewWithdrawal(BaseModel):
    """The physician takes the change back, to correct it or because it is no longer wanted."""

    actor: Actor


class PhotoReplacement(BaseModel):
    """A newer upload to review instead of the one waiting."""

    photo_id: int


class ReviewEnding(BaseModel):
    """The completed application after which the review's institution is no longer the
    physician's."""

    application_no: str


class ReplaceResult(BaseModel):
    accepted: bool  # False: the review closed meanwhile; the upload needs a review of its own


class ReviewResult(BaseModel):
    review_id: int
    state: ReviewState
    photo_id: int | None = None


class ReviewOutcome(BaseModel):
    state: ReviewState


class ReviewRecord(BaseModel):
    """One step, mirrored into the row; ``sequence`` makes a retried record a no-op."""

    review_id: int
    sequence: int
    state: ReviewState
    photo_id: int | None
    deadline: datetime | None
    decided_by: int | None = None
    comment: str | None = None
    at: datetime


class ReviewEvent(StrEnum):
    """What a notice about a review tells (``registry.profile_notices`` has the words)."""

    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    expired = "expired"
    reminder = "reminder"
    withdrawn = "withdrawn"
    ended = "ended"  # the institution is no longer the physician's


class ReviewNotice(BaseModel):
    review_id: int
    event: ReviewEvent
    audiences: list[Audience]  # physician | institution
    params: dict[str, str] = {}


# --- what the activities do ---------------------------------------------------------------------


async def record(session: AsyncSession, step: ReviewRecord) -> None:
    """Mirror a step into the row; a closed review frees its slot and files away its photo."""
    review = await session.get(ProfileReview, step.review_id)
    if review is None or review.sequence >= step.sequence:
        return
    review.sequence = step.sequence
    review.state = step.state
    actor_id, actor_role = step.decided_by, Role.INSTITUTION_STAFF if step.decided_by else "system"
    if step.state == ReviewState.withdrawn:  # only the physician whose review it is can
        actor_id, actor_role = review.account_id, Role.PHYSICIAN
    await audit.record(
        session,
        f"review_{step.state}",
        actor_id=actor_id,
        actor_role=actor_role,
        physician_id=review.account_id,
        institution_code=review.institution_code,
        detail={"review_id": review.id, "kind": review.kind, "photo_id": step.photo_id},
        dedupe_key=f"review:{review.id}:{step.sequence}",
    )
    review.photo_id = step.photo_id
    review.deadline = step.deadline
    review.updated_at = step.at
    if step.state in TERMINAL:
        review.open_slot = None
        review.decided_by = step.decided_by
        review.comment = step.comment
    if step.photo_id and step.state in TERMINAL - {ReviewState.approved}:
        await session.execute(
            update(PhysicianPhoto)
            .where(PhysicianPhoto.id == step.photo_id, PhysicianPhoto.status == "pending")
            .values(status=step.state.value)
        )


async def keep_newest_photo(session: AsyncSession, account_id: int, photo_id: int) -> None:
    """Only the newest upload is kept: older ones not in force are deleted."""
    await session.execute(
        delete(PhysicianPhoto).where(
            PhysicianPhoto.account_id == account_id,
            PhysicianPhoto.id < photo_id,
            PhysicianPhoto.status != "approved",
        )
    )


async def apply_approval(session: AsyncSession, review_id: int, photo_id: int | None) -> None:
    """Put the approved change in force; applying it twice changes nothing more."""
    review = await session.get(ProfileReview, review_id)
    if review.kind == ReviewKind.photo:
        await _approve_photo(session, review.account_id, photo_id)
        return
    profile = await session.get(PhysicianProfile, review.account_id)
    if profile is None:
        profile = PhysicianProfile(account_id=review.account_id)
        session.add(profile)
    for field, value in review.changes.items():
        setattr(profile, field, value)
    profile.updated_at = utcnow()


async def _approve_photo(session: AsyncSession, account_id: int, photo_id: int | None) -> None:
    photo = await session.get(PhysicianPhoto, photo_id) if photo_id else None
    if photo is None or photo.status == "approved":
        return  # approved already (a retry)
    await session.execute(
        delete(PhysicianPhoto).where(
            PhysicianPhoto.account_id == account_id,
            PhysicianPhoto.id != photo_id,
            (PhysicianPhoto.status == "approved") | (PhysicianPhoto.id < photo_id),
        )
    )
    photo.status = "approved"
    photo.approved_at = utcnow()


async def open_review(
    session: AsyncSession, account_id: int, kind: ReviewKind
) -> ProfileReview | None:
    return await session.scalar(
        select(ProfileReview).where(
            ProfileReview.account_id == account_id, ProfileReview.open_slot == kind.value
        )
    )
