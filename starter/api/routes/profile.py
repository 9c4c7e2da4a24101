"""The physician's own profile: personal-information changes, photo and department.

Personal information and the photo take effect only when the primary institution approves;
the department is chosen from the institution's list and is in force at once.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from registry import profile
from registry.errors import DomainError
from registry.models import PhysicianPhoto
from starter.api.deps import Physician, SessionDep, SettingsDep, TemporalDep
from starter.api.errors import language
from starter.api.profile_schemas import (
    DepartmentChoice,
    MyDepartmentOut,
    PhotoUploaded,
    ReviewOut,
)
from starter.services import profile as steering

router = APIRouter(prefix="/me", tags=["profile"])

# Which registration's primary institution a change goes to (default: the most recent).
RegistrationChoice = Annotated[
    int | None,
    Query(description="注册编号：由该注册的主要执业机构审核（默认最近一次注册）"),
]

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


# --- personal information --------------------------------------------------------------------


@router.post("/profile-changes", status_code=201, response_model=ReviewOut)
async def submit_profile_changes(
    body: profile.PersonalInfo,
    request: Request,
    account: Physician,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    registration_id: RegistrationChoice = None,
) -> ReviewOut:
    """Ask to change personal information; in force once the institution approves it: the
    primary institution of your registration (`registration_id`, default the most recent),
    or before any registration the institution you signed up with.

    One open change at a time (409 `review_open`); only the fields given change.
    """
    return await steering.submit_changes_out(
        session, temporal, settings, account, body, language(request), registration_id
    )


@router.get("/profile-changes", response_model=list[ReviewOut])
async def my_reviews(request: Request, account: Physician, session: SessionDep) -> list[ReviewOut]:
    """Your reviews (personal information and photo), newest first, with the staff's reasons."""
    return await steering.my_reviews(session, account, language(request))


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
    return await steering.withdraw_own(session, temporal, account, review_id, language(request))


# --- photo -----------------------------------------------------------------------------------


@router.put("/photo", status_code=202, response_model=PhotoUploaded, openapi_extra=_UPLOAD_DOC)
async def upload_photo(
    request: Request,
    account: Physician,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    registration_id: RegistrationChoice = None,
) -> PhotoUploaded:
    """Upload a photo (multipart field `photo`): JPEG or PNG by content, at most 2 MB, portrait,
    at least 300×400 px. Stored without its metadata; in force once the institution approves.
    A new upload replaces the one waiting for review."""
    profile.require_active_physician(account)
    data = await _read_upload(request)
    photo, photo_id, review_id = await steering.upload_photo(
        session, temporal, settings, account, data, registration_id
    )
    return PhotoUploaded(
        photo_id=photo_id,
        review_id=review_id,
        media_type=photo.media_type,
        width=photo.width,
        height=photo.height,
    )


async def _read_upload(request: Request) -> bytes:
    """The ``photo`` part, refused early when the request is obviously too large."""
    steering.check_upload_length(request.headers.get("content-length"))
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception:
        raise DomainError("invalid_request", {"detail": "photo"}) from None
    try:
        return await steering.photo_bytes(form)
    finally:
        await form.close()


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


@router.get("/department", response_model=MyDepartmentOut)
async def my_department(
    account: Physician, session: SessionDep, registration_id: RegistrationChoice = None
) -> MyDepartmentOut:
    """Your department at a registration's primary institution (default: the most recent
    registration; before any, the institution you signed up with) and those it lists."""
    return await steering.my_department(session, account, registration_id)


@router.put("/department", response_model=MyDepartmentOut)
async def choose_department(
    body: DepartmentChoice,
    account: Physician,
    session: SessionDep,
    registration_id: RegistrationChoice = None,
) -> MyDepartmentOut:
    """Choose a department from the list of a registration's primary institution (one per
    registration); in force at once."""
    return await steering.choose_department(session, account, body.department_id, registration_id)
