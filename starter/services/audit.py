"""The audit trail as operators read it: filters, pages, and each process's workflow in the
Temporal Web UI. ``GET /api/v1/audit`` and the portal's ``/operator/audit`` both read it here.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from infra.temporal import activation_workflow_id, application_workflow_id
from registry import audit
from registry.models import AuditEvent
from registry.reference import CHINA_TIME
from registry.reviews import review_workflow_id
from registry.settings import Settings

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    physician_id: int | None = None
    institution_code: str | None = None
    application_no: str | None = None
    action: str | None = None
    since: date | None = None  # days in China time, both included
    until: date | None = None


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), CHINA_TIME)


async def trail(
    session: AsyncSession, found: AuditFilter, limit: int = PAGE_SIZE, offset: int = 0
) -> list[AuditEvent]:
    """Newest first; ``until`` is the last day shown (the whole of it)."""
    until = None if found.until is None else _start_of(found.until + timedelta(days=1))
    return await audit.events(
        session, found.physician_id, found.institution_code, found.application_no,
        limit, offset, found.action, _start_of(found.since), until,
    )  # fmt: skip


def ui_base(settings: Settings) -> str:
    """The Temporal Web UI operators open: the setting, else the dev server's own UI."""
    return (settings.temporal_ui_url or f"http://127.0.0.1:{settings.temporal_ui_port}").rstrip("/")


def workflow_links(settings: Settings, event: AuditEvent) -> list[tuple[str, str]]:
    """(workflow id, its page in the Temporal UI) for the processes an event is about."""
    ids = []
    if event.application_no:
        ids.append(application_workflow_id(event.application_no))
    review = (event.detail or {}).get("review_id")
    if isinstance(review, int):
        ids.append(review_workflow_id(review))
    if event.physician_id is not None and (
        event.action.startswith("activation") or event.action == "signup"
    ):
        ids.append(activation_workflow_id(event.physician_id))
    base = f"{ui_base(settings)}/namespaces/{quote(settings.temporal_namespace)}/workflows/"
    return [(id_, base + quote(id_)) for id_ in ids]
