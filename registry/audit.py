"""The audit trail: an append-only record of who did what to which record, and when.

Sign-ups, verifications, activations, every decision and every record change are written here,
by the API for what callers do and by activities for what workflows do (with a key that makes a
retried activity write once). Details never hold personal data: ids and codes only.
"""

from datetime import UTC, datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.models import AuditEvent, utcnow


async def record(
    session: AsyncSession, action: str, *, dedupe_key: str | None = None, **fields
) -> None:
    """Add an audit row (``fields`` as :func:`entry` takes them) unless ``dedupe_key`` has one."""
    if dedupe_key and await session.scalar(
        select(exists().where(AuditEvent.dedupe_key == dedupe_key))
    ):
        return
    session.add(AuditEvent(**entry(action, dedupe_key=dedupe_key, **fields)))


def entry(
    action: str,
    *,
    actor_id: int | None,
    actor_role: str,
    physician_id: int | None = None,
    institution_code: str | None = None,
    application_no: str | None = None,
    detail: dict | None = None,
    dedupe_key: str | None = None,
) -> dict:
    """The values of one audit row, for an ``INSERT`` where no session is at hand."""
    return {
        "at": utcnow(),
        "action": action,
        "actor_id": actor_id,
        "actor_role": actor_role,
        "physician_id": physician_id,
        "institution_code": institution_code,
        "application_no": application_no,
        "detail": detail or {},
        "dedupe_key": dedupe_key,
    }


async def events(
    session: AsyncSession,
    physician_id: int | None = None,
    institution_code: str | None = None,
    application_no: str | None = None,
    limit: int = 100,
    offset: int = 0,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEvent]:
    """Newest first, filtered by record, kind of event and time (``since`` ≤ at < ``until``)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    if physician_id is not None:
        query = query.where(AuditEvent.physician_id == physician_id)
    if institution_code:
        query = query.where(AuditEvent.institution_code == institution_code)
    if application_no:
        query = query.where(AuditEvent.application_no == application_no)
    if action:
        query = query.where(AuditEvent.action == action)
    # Moments are stored in UTC and SQLite compares them as text, so a bound in another zone
    # (an operator's China-time day) is moved to UTC first.
    if since is not None:
        query = query.where(AuditEvent.at >= since.astimezone(UTC))
    if until is not None:
        query = query.where(AuditEvent.at < until.astimezone(UTC))
    return list(await session.scalars(query))
