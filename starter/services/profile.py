"""Starting and steering the profile's workflows: reviews and security messages.

Rows are committed before their workflow starts, so the workflow always finds them; when the
workflow cannot start, the row is taken back and the physician can simply try again.
"""

import asyncio
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from infra.temporal import execute_update
from registry import profile, reviews, security
from registry.accounts import get_institution
from registry.activation import RESEND_INTERVAL, Channel
from registry.errors import DomainError, Localized
from registry.models import Account, ContactCode, ProfileReview, SecurityEvent
from registry.photos import Photo
from registry.reviews import KIND_NAMES, PhotoReplacement, ReviewKind, ReviewStart, ReviewState
from registry.security import CodePurpose, ContactMessage
from registry.settings import Settings
from starter.services.applications import actor_of
from workflows import search_attributes as sa
from workflows.contact_message import ContactMessageWorkflow
from workflows.profile_review import ProfileReviewWorkflow


def review_workflow_id(review_id: int) -> str:
    return f"profile-review-{review_id}"


def now() -> datetime:
    return datetime.now(UTC)


# --- security messages -----------------------------------------------------------------------


async def send_code(
    session: AsyncSession,
    client: Client,
    settings: Settings,
    account: Account,
    purpose: CodePurpose,
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
    session: AsyncSession, client: Client, settings: Settings, account: Account, changes: dict
) -> ProfileReview:
    account_id = account.id  # read before a failed insert expires ``account``
    review = await _open(session, account, ReviewKind.personal_info, changes=changes)
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
    session: AsyncSession, client: Client, settings: Settings, account: Account, photo: Photo
) -> tuple[int, int]:
    """Store the upload and put it under review: handed to the open photo review if there is
    one (staff then see only the newest), else in a review of its own. Returns the ids of the
    photo and of its review."""
    account_id = account.id  # read before a failed insert expires ``account``
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
        review = await _open(session, account, ReviewKind.photo, photo_id=photo_id)
        if review is not None:
            await _start(session, client, settings, review)
            return photo_id, review.id
    raise DomainError("wrong_state", {"state": ReviewState.awaiting_institution.value})


async def _open(
    session: AsyncSession, account: Account, kind: ReviewKind, **values
) -> ProfileReview | None:
    """The new review's row, or None when one of this kind is open already (the row's unique
    open slot decides, even between two requests at the same instant)."""
    if await reviews.open_review(session, account.id, kind) is not None:
        return None
    review = ProfileReview(
        account_id=account.id,
        kind=kind.value,
        institution_code=account.institution_code,
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
