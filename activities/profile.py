"""Activities of the profile: review records and approvals, security codes and notices.

Each is safe to retry: records are keyed by the review's step sequence, an approval applied
twice changes nothing more, and a code is derived again from the same row id and nonce (a
superseded or used code is not sent at all).
"""

from datetime import UTC, datetime

from sqlalchemy import select
from temporalio import activity

from activities.messaging import Deliverer, Mailer, SmsGateway, worded
from registry import reviews, security
from registry.activation import Channel
from registry.application_types import Audience
from registry.db import session_scope
from registry.models import Account, ContactCode, ProfileReview, SecurityEvent
from registry.profile_notices import (
    code_message,
    mask_email,
    review_message,
    security_message,
)
from registry.reviews import KIND_NAMES, ReviewKind, ReviewNotice, ReviewRecord
from registry.roles import Role
from registry.security import ContactCodePurpose, ContactMessage, SecurityEventKind, code_for


class ProfileActivities:
    def __init__(self, database_url: str, code_secret: str, sms: SmsGateway, mail: Mailer) -> None:
        self._database_url = database_url
        self._code_secret = code_secret
        self._deliver = Deliverer(database_url, sms, mail, code_secret)

    # --- reviews -------------------------------------------------------------------------------

    @activity.defn
    async def record_review(self, step: ReviewRecord) -> None:
        async with session_scope(self._database_url) as session:
            await reviews.record(session, step)

    @activity.defn
    async def apply_review(self, review_id: int, photo_id: int | None) -> None:
        async with session_scope(self._database_url) as session:
            await reviews.apply_approval(session, review_id, photo_id)

    @activity.defn
    async def keep_newest_photo(self, account_id: int, photo_id: int) -> None:
        async with session_scope(self._database_url) as session:
            await reviews.keep_newest_photo(session, account_id, photo_id)

    @activity.defn
    async def notify_review(self, notice: ReviewNotice) -> None:
        async with session_scope(self._database_url) as session:
            review = await session.get(ProfileReview, notice.review_id)
            recipients = []
            if Audience.physician in notice.audiences:
                physician = await session.get(Account, review.account_id)
                recipients.append((physician.phone, physician.email))
            if Audience.institution in notice.audiences:
                rows = await session.execute(
                    select(Account.phone, Account.email).where(
                        Account.role == Role.INSTITUTION_STAFF,
                        Account.institution_code == review.institution_code,
                    )
                )
                recipients += list(rows)
        kind = ReviewKind(review.kind)
        params = {"review_id": str(review.id)} | notice.params
        subject, body = worded(review_message, notice.event, kind, params)
        sms = (f"review.{notice.event}", params | {"kind": KIND_NAMES[kind][0]})
        for phone, email in recipients:
            await self._send(phone, email, subject, body, sms)

    # --- security --------------------------------------------------------------------------------

    @activity.defn
    async def issue_reset_code(self, request: ContactMessage) -> ContactMessage | None:
        """The code a password-reset request earns, if any (``registry.security.issue_reset``);
        here and not in the API, so that a request costs the API the same whoever asks."""
        async with session_scope(self._database_url) as session:
            return await security.issue_reset(
                session, self._code_secret, request, datetime.now(UTC)
            )

    @activity.defn
    async def deliver_contact_message(self, message: ContactMessage) -> None:
        if message.kind == "code":
            await self._send_code(message.ref_id, message.nonce or "")
        else:
            await self._send_notice(message.ref_id)

    async def _send_code(self, row_id: int, nonce: str) -> None:
        async with session_scope(self._database_url) as session:
            row = await session.get(ContactCode, row_id)
            if row is None or row.nonce != nonce:
                return  # used, or replaced by a newer code: sending this one would only confuse
            account = await session.get(Account, row.account_id)
        to = row.target or (account.phone if row.channel == Channel.sms else account.email)
        code = code_for(self._code_secret, row.id, nonce)
        subject, body = code_message(ContactCodePurpose(row.purpose), code)
        sms = (f"code.{row.purpose}", {"code": code})
        if row.channel == Channel.sms:
            await self._send(to, None, subject, body, sms)
        else:
            await self._send(None, to, subject, body, sms)

    async def _send_notice(self, event_id: int) -> None:
        async with session_scope(self._database_url) as session:
            event = await session.get(SecurityEvent, event_id)
            account = await session.get(Account, event.account_id)
        kind = SecurityEventKind(event.event)
        shown = {"last4": (account.phone or "")[-4:], "masked": mask_email(account.email or "")}
        subject, body = security_message(kind, **shown)
        sms = (f"security.{kind}", shown)
        phones, emails = {account.phone}, {account.email}
        if kind == SecurityEventKind.phone_changed:
            phones.add(event.previous)
        if kind == SecurityEventKind.email_changed:
            emails.add(event.previous)
        for phone in sorted(p for p in phones if p):
            await self._send(phone, None, subject, body, sms)
        for email in sorted(e for e in emails if e):
            await self._send(None, email, subject, body, sms)

    async def _send(
        self,
        phone: str | None,
        email: str | None,
        subject: str,
        body: str,
        sms: tuple[str, dict[str, str]],
    ) -> None:
        """``sms``: the message's key and parameters for an SMS provider's template."""
        if phone:
            await self._deliver.sms(phone, body, *sms)
        if email:
            await self._deliver.email(email, subject, body)
