"""The operator's workbench: the audit trail with filters, a page at a time, each process
linked to its workflow in the Temporal Web UI (which decodes payloads through the API's codec;
outside dev mode the operator signs in at ``/codec/login`` first)."""

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from starter.services import audit
from starter.web.core import OperatorWeb

router = APIRouter(prefix="/operator", include_in_schema=False)

Text = Annotated[str | None, Query(max_length=48)]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/audit")
async def audit_page(
    page: OperatorWeb,
    physician: Text = None,
    institution: Text = None,
    application: Text = None,
    action: Text = None,
    since: Text = None,
    until: Text = None,
    p: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    found = audit.AuditFilter(
        physician_id=_int(physician),
        institution_code=(institution or "").strip() or None,
        application_no=(application or "").strip() or None,
        action=re.sub(r"[^a-z_]", "", action or "") or None,
        since=_day(since),
        until=_day(until),
    )
    rows = await audit.trail(page.db, found, audit.PAGE_SIZE + 1, (p - 1) * audit.PAGE_SIZE)
    more = len(rows) > audit.PAGE_SIZE
    rows = rows[: audit.PAGE_SIZE]
    query = {"physician": physician or "", "institution": institution or "",
             "application": application or "", "action": action or "", "since": since or "",
             "until": until or ""}  # fmt: skip
    return page.render(
        "op_audit.html",
        rows=[(row, audit.workflow_links(page.settings, row)) for row in rows],
        q=query,
        page_no=p,
        more=more,
        codec_login="/codec/login" if not page.settings.dev_mode else None,
        role_keys={
            f"role.{r}"
            for r in ("physician", "institution_staff", "commission_officer", "system", "operator")
        },  # fmt: skip
    )
