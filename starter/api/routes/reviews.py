"""Institution staff: profile reviews, physicians' photos and the department list.

A review is decided only by staff of the physician's primary institution (checked here for a
quick answer, and again by the workflow's validator, which has the last word). A physician's
photo is seen by its owner, by that institution's staff and by the officers of the commission
that licensed the institution — nobody else.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from registry import access, profile
from registry.errors import DomainError
from registry.models import Account, ProfileReview
from registry.reviews import ReviewState
from registry.roles import Role
from starter.api.deps import InstitutionStaff, SessionDep, TemporalDep, require_role
from starter.api.errors import language
from starter.api.profile_schemas import (
    DepartmentOut,
    DepartmentsIn,
    ReviewDecisionIn,
    ReviewOut,
)
from starter.api.routes.profile import _PHOTO_RESPONSES, photo_response
from starter.services import institution
from starter.services.profile import profile_values, review_out

router = APIRouter(prefix="/institution", tags=["institution"])

PhotoViewer = Annotated[Account, require_role(Role.INSTITUTION_STAFF, Role.COMMISSION_OFFICER)]


async def pending_reviews(session, staff: Account, lang: str) -> list[ReviewOut]:
    """Open reviews of the institution, oldest first (for the inbox)."""
    rows = await session.execute(
        select(ProfileReview, Account.name)
        .join(Account, Account.id == ProfileReview.account_id)
        .where(
            ProfileReview.institution_code == staff.institution_code,
            ProfileReview.state == ReviewState.awaiting_institution,
        )
        .order_by(ProfileReview.deadline, ProfileReview.id)
    )
    out = []
    for review, name in rows:
        current = profile_values(await profile.profile_of(session, review.account_id))
        out.append(review_out(review, staff, name or "", lang, current))
    return out


@router.get("/reviews/{review_id}", response_model=ReviewOut)
async def get_review(
    review_id: int, request: Request, staff: InstitutionStaff, session: SessionDep
) -> ReviewOut:
    """A review: the proposed changes beside the information in force, or the photo's version
    (read it at `/institution/physicians/{account_id}/photo?pending=true`)."""
    review = await institution.review_of_staff(session, staff, review_id)
    physician = await session.get(Account, review.account_id)
    current = profile_values(await profile.profile_of(session, review.account_id))
    return review_out(review, staff, physician.name or "", language(request), current)


@router.post("/reviews/{review_id}/decision", response_model=ReviewOut)
async def decide_review(
    review_id: int,
    body: ReviewDecisionIn,
    request: Request,
    staff: InstitutionStaff,
    session: SessionDep,
    temporal: TemporalDep,
) -> ReviewOut:
    """Approve (in force at once) or reject with a reason. Give `photo_id` to make sure the
    photo approved is the one looked at: a newer upload answers 409 `review_outdated`."""
    review = await institution.decide_review(
        session, temporal, staff, review_id, body.decision, body.comment, body.photo_id
    )
    physician = await session.get(Account, review.account_id)
    return review_out(review, staff, physician.name or "", language(request))


@router.get("/physicians/{account_id}/photo", response_class=Response, responses=_PHOTO_RESPONSES)
async def physician_photo(
    account_id: int,
    viewer: PhotoViewer,
    session: SessionDep,
    pending: Annotated[bool, Query(description="the newest upload, under review")] = False,
) -> Response:
    """A physician's photo, for staff of the physician's institution (the primary institution of
    an active registration, else the sign-up one) and officers of the commission licensing it."""
    physician = await session.get(Account, account_id)
    if physician is None or physician.role != Role.PHYSICIAN:
        raise DomainError("not_found")
    if not await access.may_see_photo(session, viewer, physician):
        raise DomainError("forbidden")
    return photo_response(await profile.photo_of(session, account_id, pending))


# --- departments -----------------------------------------------------------------------------


@router.get("/departments", response_model=list[DepartmentOut])
async def departments(staff: InstitutionStaff, session: SessionDep) -> list[DepartmentOut]:
    """The institution's departments, in the order staff keep them."""
    rows = await profile.departments_of(session, staff.institution_code)
    return [DepartmentOut(id=d.id, name=d.name) for d in rows]


@router.put("/departments", response_model=list[DepartmentOut])
async def set_departments(
    body: DepartmentsIn, staff: InstitutionStaff, session: SessionDep
) -> list[DepartmentOut]:
    """Replace the list. A name kept keeps its id; a name dropped can no longer be chosen, but
    physicians who chose it keep it until they choose another."""
    rows = await profile.set_departments(session, staff.institution_code, body.departments)
    return [DepartmentOut(id=d.id, name=d.name) for d in rows]
