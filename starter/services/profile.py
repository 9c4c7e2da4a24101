"""Starting and steering the profile's workflows: reviews and security messages.

Rows are committed before their workflow starts, so the workflow always finds them; when the
workflow cannot start, the row is taken back and the physician can simply try again.
"""

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from infra.temporal import execute_update
from registry import identifiers, photos, profile, reviews, security
from registry.accounts import get_institution
from registry.activation import RESEND_INTERVAL, Channel
from registry.errors import DomainError, Localized
from registry.institutions import institution_of
from registry.models import (
    Account,
    ContactCode,
    PhysicianPhoto,
    ProfileReview,
    SecurityEvent,
)
from registry.photos import Photo
from registry.reviews import (
    KIND_NAMES,
    STATE_NAMES,
    PhotoReplacement,
    ReviewKind,
    ReviewStart,
    ReviewState,
    review_workflow_id,
)
from registry.security import ContactCodePurpose, ContactMessage
from registry.settings import Settings
from starter.api.profile_schemas import (
    DepartmentOut,
    MyDepartmentOut,
    PhotoMeta,
    PhotoStatusOut,
    ProfileOut,
    ReviewOut,
)
from starter.services.applications import actor_of
from workflows import search_attributes as sa
from workflows.contact_message import ContactMessageWorkflow
from workflows.profile_review import ProfileReviewWorkflow


def now() -> datetime:
    return datetime.now(UTC)


# --- security messages -----------------------------------------------------------------------


async def send_code(
    session: AsyncSession,
    client: Client,
    settings: Settings,
    account: Account,
    purpose: ContactCodePurpose,
    channel: Channel,
    target: str | None,
) -> security.IssuedCode:
    """Issue a code and have it delivered; if delivery cannot start, asking again is allowed."""
    issued = await security.issue(
        session, settings.code_secret, account.id, purpose, channel, target, now()
    )
    await session.commit()
    try:
        await client.start_workflow(
            ContactMessageWorkflow.run,
            ContactMessage(kind="code", ref_id=issued.row_id, nonce=issued.nonce),
            id=f"contact-code-{issued.row_id}-{issued.nonce}",
            task_queue=settings.task_queue,
            static_summary=f"安全验证码 · Security code ({purpose.value})",
        )
    except Exception:
        row = await session.get(ContactCode, issued.row_id)
        if row is not None:
            row.sent_at = row.sent_at - RESEND_INTERVAL
            await session.commit()
        raise
    return issued


async def notify_change(
    session: AsyncSession, client: Client, settings: Settings, event: SecurityEvent
) -> None:
    """Tell the account's contacts, old and new, about a change already committed."""
    await session.commit()
    await client.start_workflow(
        ContactMessageWorkflow.run,
        ContactMessage(kind="notice", ref_id=event.id),
        id=f"security-notice-{event.id}",
        task_queue=settings.task_queue,
        static_summary=f"安全通知 · Security notice ({event.event})",
    )


# --- reviews ---------------------------------------------------------------------------------


async def submit_changes(
    session: AsyncSession,
    client: Client,
    settings: Settings,
    account: Account,
    changes: dict,
    registration_id: int | None = None,
) -> ProfileReview:
    """A personal-information change for the institution of ``registration_id`` (default: the
    physician's institution, ``registry.institutions.institution_of``) to review."""
    account_id = account.id  # read before a failed insert expires ``account``
    institution_code = await _reviewer(session, account, registration_id)
    review = await _open(
        session, account, ReviewKind.personal_info, institution_code, changes=changes
    )
    if review is None:
        existing = await reviews.open_review(session, account_id, ReviewKind.personal_info)
        raise DomainError(
            "review_open",
            {
                "kind": Localized(*KIND_NAMES[ReviewKind.personal_info]),
                "review_id": existing.id if existing else "—",
            },
        )
    await _start(session, client, settings, review)
    return review


async def submit_photo(
    session: AsyncSession,
    client: Client,
    settings: Settings,
    account: Account,
    photo: Photo,
    registration_id: int | None = None,
) -> tuple[int, int]:
    """Store the upload and put it under review: handed to the open photo review if there is
    one (staff then see only the newest), else in a review of its own by the institution of
    ``registration_id`` (default: the physician's). Returns the ids of the photo and of its
    review."""
    account_id = account.id  # read before a failed insert expires ``account``
    institution_code = await _reviewer(session, account, registration_id)
    photo_id = (await profile.store_photo(session, account_id, photo)).id
    await session.commit()
    for _ in range(5):
        review = await reviews.open_review(session, account_id, ReviewKind.photo)
        if review is not None:
            review_id = review.id
            if await _replace_photo(client, review_id, photo_id):
                return photo_id, review_id
            await asyncio.sleep(0.1)  # the review is closing; a new one follows
            continue
        review = await _open(
            session, account, ReviewKind.photo, institution_code, photo_id=photo_id
        )
        if review is not None:
            await _start(session, client, settings, review)
            return photo_id, review.id
    raise DomainError("wrong_state", {"state": ReviewState.awaiting_institution.value})


async def _reviewer(session: AsyncSession, account: Account, registration_id: int | None) -> str:
    """The institution that reviews: the physician's (``registry.institutions``); none once
    every registration has ended."""
    institution_code = await institution_of(session, account, registration_id)
    if institution_code is None:
        raise DomainError("no_practice_institution")
    return institution_code


async def _open(
    session: AsyncSession, account: Account, kind: ReviewKind, institution_code: str, **values
) -> ProfileReview | None:
    """The new review's row, or None when one of this kind is open already (the row's unique
    open slot decides, even between two requests at the same instant)."""
    if await reviews.open_review(session, account.id, kind) is not None:
        return None
    review = ProfileReview(
        account_id=account.id,
        kind=kind.value,
        institution_code=institution_code,
        state=ReviewState.awaiting_institution.value,
        open_slot=kind.value,
        **values,
    )
    session.add(review)
    try:
        await session.commit()
    except IntegrityError:  # another request opened one first
        await session.rollback()
        await session.refresh(account)  # the rollback expired it
        return None
    return review


async def _start(
    session: AsyncSession, client: Client, settings: Settings, review: ProfileReview
) -> None:
    institution = await get_institution(session, review.institution_code)
    try:
        await client.start_workflow(
            ProfileReviewWorkflow.run,
            ReviewStart(
                review_id=review.id,
                account_id=review.account_id,
                kind=ReviewKind(review.kind),
                institution_code=review.institution_code,
                province_code=institution.province_code,
                photo_id=review.photo_id,
            ),
            id=review_workflow_id(review.id),
            task_queue=settings.task_queue,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.REVIEW_STATE, review.state),
                    SearchAttributePair(sa.INSTITUTION_CODE, review.institution_code),
                    SearchAttributePair(sa.PROVINCE_CODE, institution.province_code),
                ]
            ),
            static_summary=f"资料审核 · Profile review #{review.id} ({review.kind})",
        )
    except Exception:
        await session.delete(review)
        await session.commit()
        raise


async def _replace_photo(client: Client, review_id: int, photo_id: int) -> bool:
    """True if the open review now shows ``photo_id``; False if it closed meanwhile."""
    handle = client.get_workflow_handle(review_workflow_id(review_id))
    try:
        result = await execute_update(
            handle, ProfileReviewWorkflow.replace_photo, PhotoReplacement(photo_id=photo_id)
        )
    except DomainError:
        return False
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        return False
    return result.accepted


async def decide(
    client: Client, review: ProfileReview, staff: Account, decision: str, comment, photo_id
) -> reviews.ReviewResult:
    """Run the staff's decision on the review's workflow; a closed one says how it ended."""
    argument = reviews.ReviewDecision(
        actor=actor_of(staff), decision=decision, comment=comment, photo_id=photo_id
    )
    return await _update(client, review, ProfileReviewWorkflow.decide, argument)


async def withdraw(
    client: Client, review: ProfileReview, physician: Account
) -> reviews.ReviewResult:
    """The physician takes back a review the institution has not decided yet."""
    argument = reviews.ReviewWithdrawal(actor=actor_of(physician))
    return await _update(client, review, ProfileReviewWorkflow.withdraw, argument)


async def _update(client: Client, review: ProfileReview, method, argument):
    handle = client.get_workflow_handle(review_workflow_id(review.id))
    try:
        return await execute_update(handle, method, argument)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        raise DomainError("wrong_state", {"state": review.state}) from None


# --- what the physician sees (GET /me, the profile routes, the portal's pages) ----------------


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


async def photo_status(session: AsyncSession, account_id: int) -> PhotoStatusOut:
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


async def describe(session: AsyncSession, account: Account, out, lang: str) -> None:
    """Fill the profile parts of ``GET /me``: personal information, department, photo, reviews."""
    row = await profile.profile_of(session, account.id)
    values = profile_values(row)
    out.profile = ProfileOut(**values, updated_at=row.updated_at if row else None)
    _, department = await profile.department_of(session, account)
    if department is not None:
        out.department = DepartmentOut(id=department.id, name=department.name)
    out.photo = await photo_status(session, account.id)
    rows = await session.scalars(
        select(ProfileReview)
        .where(ProfileReview.account_id == account.id, ProfileReview.open_slot.is_not(None))
        .order_by(ProfileReview.id)
    )
    out.pending_reviews = [review_out(r, account, account.name or "", lang, values) for r in rows]


async def my_reviews(session: AsyncSession, account: Account, lang: str) -> list[ReviewOut]:
    """The physician's reviews (personal information and photo), newest first."""
    rows = await session.scalars(
        select(ProfileReview)
        .where(ProfileReview.account_id == account.id)
        .order_by(ProfileReview.id.desc())
    )
    return [review_out(r, account, account.name or "", lang) for r in rows]


async def submit_changes_out(
    session: AsyncSession,
    client: Client,
    settings: Settings,
    account: Account,
    info: profile.PersonalInfo,
    lang: str,
    registration_id: int | None = None,
) -> ReviewOut:
    """Ask to change personal information (checked here); in force once the physician's
    institution (of ``registration_id``, default the most recent registration) approves it."""
    profile.require_active_physician(account)
    changes = profile.normalize_changes(info)
    review = await submit_changes(session, client, settings, account, changes, registration_id)
    current = profile_values(await profile.profile_of(session, account.id))
    return review_out(review, account, account.name or "", lang, current)


async def withdraw_own(
    session: AsyncSession, client: Client, account: Account, review_id: int, lang: str
) -> ReviewOut:
    """The physician takes back one of their reviews not yet decided."""
    review = await session.get(ProfileReview, review_id)
    if review is None or review.account_id != account.id:
        raise DomainError("review_not_found")
    await withdraw(client, review, account)
    await session.refresh(review)  # the workflow recorded the withdrawal before answering
    return review_out(review, account, account.name or "", lang)


# --- photo upload ----------------------------------------------------------------------------

# Room for the multipart envelope around a photo of the largest size accepted.
UPLOAD_ENVELOPE = 64 * 1024


def photo_too_large() -> DomainError:
    return DomainError("photo_too_large", {"max_mb": photos.MAX_BYTES // (1024 * 1024)})


def check_upload_length(content_length: str | None) -> None:
    """Refuse early a request obviously too large to hold an acceptable photo."""
    length = content_length or ""
    if length.isdigit() and int(length) > photos.MAX_BYTES + UPLOAD_ENVELOPE:
        raise photo_too_large()


async def photo_bytes(form: FormData) -> bytes:
    """The bytes of the form's ``photo`` part, at most one more than the limit is read."""
    upload = form.get("photo")
    if not isinstance(upload, UploadFile):
        raise DomainError("invalid_request", {"detail": "photo"})
    data = await upload.read(photos.MAX_BYTES + 1)
    if len(data) > photos.MAX_BYTES:
        raise photo_too_large()
    return data


async def upload_photo(
    session: AsyncSession,
    client: Client,
    settings: Settings,
    account: Account,
    data: bytes,
    registration_id: int | None = None,
) -> tuple[Photo, int, int]:
    """Check an upload (every photo rule) and put it under review: (photo, photo id, review
    id)."""
    profile.require_active_physician(account)
    photo = await photos.accept_async(data)  # off the event loop (registry.cpu)
    photo_id, review_id = await submit_photo(
        session, client, settings, account, photo, registration_id
    )
    return photo, photo_id, review_id


# --- department ------------------------------------------------------------------------------


async def my_department(
    session: AsyncSession, account: Account, registration_id: int | None = None
) -> MyDepartmentOut:
    """The physician's department at a registration's primary institution (default: the most
    recent registration; before any, the sign-up institution) and those it lists."""
    institution_code, current = await profile.department_of(session, account, registration_id)
    choices = await profile.departments_of(session, institution_code or "")
    return MyDepartmentOut(
        current=DepartmentOut(id=current.id, name=current.name) if current else None,
        choices=[DepartmentOut(id=d.id, name=d.name) for d in choices],
    )


async def choose_department(
    session: AsyncSession, account: Account, department_id: int, registration_id: int | None = None
) -> MyDepartmentOut:
    """From the list of a registration's primary institution (one department per
    registration); in force at once."""
    profile.require_active_physician(account)
    await profile.choose_department(session, account, department_id, registration_id)
    await session.flush()
    return await my_department(session, account, registration_id)
