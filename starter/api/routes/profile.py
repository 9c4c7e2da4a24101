"""The physician's own profile: personal-information changes, photo and department.

Personal information and the photo take effect only when the primary institution approves;
the department is chosen from the institution's list and is in force at once.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from registry import identifiers, photos, profile
from registry.errors import DomainError
from registry.models import Account, Department, PhysicianPhoto, ProfileReview
from registry.reviews import KIND_NAMES, STATE_NAMES, ReviewKind, ReviewState
from starter.api.deps import Physician, SessionDep, SettingsDep, TemporalDep
from starter.api.errors import language
from starter.api.profile_schemas import (
    DepartmentChoice,
    DepartmentOut,
    MyDepartmentOut,
    PhotoMeta,
    PhotoStatusOut,
    PhotoUploaded,
    ProfileOut,
    ReviewOut,
)
from starter.services import profile as steering

router = APIRouter(prefix="/me", tags=["profile"])

# Room for the multipart envelope around a photo of the largest size accepted.
_ENVELOPE = 64 * 1024
_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["photo"],
                    "properties": {"photo": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


# --- what GET /me shows ----------------------------------------------------------------------


def review_out(
    review: ProfileReview, viewer: Account, physician_name: str, lang: str, current=None
) -> ReviewOut:
    en = lang == "en"
    own = viewer.id == review.account_id
    return ReviewOut(
        id=review.id,
        kind=review.kind,
        kind_name=KIND_NAMES[ReviewKind(review.kind)][en],
        state=review.state,
        state_name=STATE_NAMES[ReviewState(review.state)][en],
        account_id=review.account_id,
        physician=physician_name if own else identifiers.mask_name(physician_name),
        institution_code=review.institution_code,
        changes=review.changes or {},
        current=current or {},
        photo_id=review.photo_id,
        deadline=review.deadline,
        comment=review.comment,
        created_at=review.created_at,
        updated_at=review.updated_at,
    )


def profile_values(row) -> dict[str, str | None]:
    """The personal information in force, field by field (all None before any approval)."""
    return {field: getattr(row, field, None) for field in profile.FIELD_NAMES}


async def photo_status(session, account_id: int) -> PhotoStatusOut:
    """The photo in force and the one under review, without loading their bytes."""
    rows = await session.execute(
        select(
            PhysicianPhoto.id,
            PhysicianPhoto.status,
            PhysicianPhoto.media_type,
            PhysicianPhoto.width,
            PhysicianPhoto.height,
            PhysicianPhoto.uploaded_at,
            PhysicianPhoto.approved_at,
        )
        .where(
            PhysicianPhoto.account_id == account_id,
            PhysicianPhoto.status.in_(["approved", "pending"]),
        )
        .order_by(PhysicianPhoto.id)
    )
    out = PhotoStatusOut()
    for row in rows:
        meta = PhotoMeta(
            photo_id=row.id,
            media_type=row.media_type,
            width=row.width,
            height=row.height,
            uploaded_at=row.uploaded_at,
            approved_at=row.approved_at,
        )
        setattr(out, row.status, meta)  # ordered by id: the newest pending wins
    return out


async def describe(session, account: Account, out, lang: str) -> None:
    """Fill the profile parts of ``GET /me``: personal information, department, photo, reviews."""
    row = await profile.profile_of(session, account.id)
    values = profile_values(row)
    out.profile = ProfileOut(**values, updated_at=row.updated_at if row else None)
    if row and row.department_id:
        department = await session.get(Department, row.department_id)
        out.department = DepartmentOut(id=department.id, name=department.name)
    out.photo = await photo_status(session, account.id)
    reviews = await session.scalars(
        select(ProfileReview)
        .where(ProfileReview.account_id == account.id, ProfileReview.open_slot.is_not(None))
        .order_by(ProfileReview.id)
    )
    out.pending_reviews = [
        review_out(r, account, account.name or "", lang, values) for r in reviews
    ]


# --- personal information --------------------------------------------------------------------


@router.post("/profile-changes", status_code=201, response_model=ReviewOut)
async def submit_profile_changes(
    body: profile.PersonalInfo,
    request: Request,
    account: Physician,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> ReviewOut:
    """Ask to change personal information; in force once the institution approves it.

    One open change at a time (409 `review_open`); only the fields given change.
    """
    profile.require_active_physician(account)
    changes = profile.normalize_changes(body)
    review = await steering.submit_changes(session, temporal, settings, account, changes)
    current = profile_values(await profile.profile_of(session, account.id))
    return review_out(review, account, account.name or "", language(request), current)


@router.get("/profile-changes", response_model=list[ReviewOut])
async def my_reviews(request: Request, account: Physician, session: SessionDep) -> list[ReviewOut]:
    """Your reviews (personal information and photo), newest first, with the staff's reasons."""
    rows = await session.scalars(
        select(ProfileReview)
        .where(ProfileReview.account_id == account.id)
        .order_by(ProfileReview.id.desc())
    )
    lang = language(request)
    return [review_out(r, account, account.name or "", lang) for r in rows]


@router.post("/profile-changes/{review_id}/withdraw", response_model=ReviewOut)
async def withdraw_review(
    review_id: int,
    request: Request,
    account: Physician,
    session: SessionDep,
    temporal: TemporalDep,
) -> ReviewOut:
    """Take back a review the institution has not decided yet (personal information or photo),
    to correct it or drop it: the institution is told, and a new change can be submitted at
    once. A decided, expired or withdrawn review answers 409 `wrong_state`."""
    review = await session.get(ProfileReview, review_id)
    if review is None or review.account_id != account.id:
        raise DomainError("review_not_found")
    await steering.withdraw(temporal, review, account)
    await session.refresh(review)  # the workflow recorded the withdrawal before answering
    return review_out(review, account, account.name or "", language(request))


# --- photo -----------------------------------------------------------------------------------


@router.put("/photo", status_code=202, response_model=PhotoUploaded, openapi_extra=_UPLOAD_DOC)
async def upload_photo(
    request: Request,
    account: Physician,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> PhotoUploaded:
    """Upload a photo (multipart field `photo`): JPEG or PNG by content, at most 2 MB, portrait,
    at least 300×400 px. Stored without its metadata; in force once the institution approves.
    A new upload replaces the one waiting for review."""
    profile.require_active_physician(account)
    data = await _read_upload(request)
    photo = photos.accept(data)
    photo_id, review_id = await steering.submit_photo(session, temporal, settings, account, photo)
    return PhotoUploaded(
        photo_id=photo_id,
        review_id=review_id,
        media_type=photo.media_type,
        width=photo.width,
        height=photo.height,
    )


async def _read_upload(request: Request) -> bytes:
    """The ``photo`` part, refused early when the request is obviously too large."""
    too_large = DomainError("photo_too_large", {"max_mb": photos.MAX_BYTES // (1024 * 1024)})
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > photos.MAX_BYTES + _ENVELOPE:
        raise too_large
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception:
        raise DomainError("invalid_request", {"detail": "photo"}) from None
    upload = form.get("photo")
    if not isinstance(upload, UploadFile):
        raise DomainError("invalid_request", {"detail": "photo"})
    data = await upload.read(photos.MAX_BYTES + 1)
    await form.close()
    if len(data) > photos.MAX_BYTES:
        raise too_large
    return data


def photo_response(photo: PhysicianPhoto | None) -> Response:
    if photo is None:
        raise DomainError("photo_not_found")
    return Response(
        content=photo.data,
        media_type=photo.media_type,
        headers={"X-Photo-Id": str(photo.id), "Content-Disposition": "inline"},
    )


_PHOTO_RESPONSES = {200: {"content": {"image/jpeg": {}, "image/png": {}}}}


@router.get("/photo", response_class=Response, responses=_PHOTO_RESPONSES)
async def my_photo(
    account: Physician,
    session: SessionDep,
    pending: Annotated[bool, Query(description="the upload under review")] = False,
) -> Response:
    """Your photo in force, or with `?pending=true` the one under review."""
    return photo_response(await profile.photo_of(session, account.id, pending))


# --- department ------------------------------------------------------------------------------


async def _my_department(session, account: Account) -> MyDepartmentOut:
    row = await profile.profile_of(session, account.id)
    current = (
        await session.get(Department, row.department_id) if row and row.department_id else None
    )
    choices = await profile.departments_of(session, account.institution_code or "")
    return MyDepartmentOut(
        current=DepartmentOut(id=current.id, name=current.name) if current else None,
        choices=[DepartmentOut(id=d.id, name=d.name) for d in choices],
    )


@router.get("/department", response_model=MyDepartmentOut)
async def my_department(account: Physician, session: SessionDep) -> MyDepartmentOut:
    """Your department and those your institution lists."""
    return await _my_department(session, account)


@router.put("/department", response_model=MyDepartmentOut)
async def choose_department(
    body: DepartmentChoice, account: Physician, session: SessionDep
) -> MyDepartmentOut:
    """Choose a department from your institution's list; in force at once."""
    profile.require_active_physician(account)
    await profile.choose_department(session, account, body.department_id)
    await session.flush()
    return await _my_department(session, account)
