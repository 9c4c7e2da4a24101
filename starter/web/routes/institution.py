"""The institution's workbench (机构版): one inbox, and a page to decide each kind of item.

Every decision is the workflow update the JSON API sends (``starter.services.institution``,
``starter.services.profile``): the validator re-checks it, so a decision someone made first or
a step that lapsed meanwhile is refused with its message, beside the item's current state.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from registry import inbox
from registry.application_types import TERMINAL, ApplicationState, Decision
from registry.errors import DomainError
from starter.services import institution
from starter.web.core import StaffWeb, Web

router = APIRouter(prefix="/institution", include_in_schema=False)

Number = Annotated[str, Path(max_length=20, pattern=r"^\d+$")]
DONE = ("approve", "reject", "return", "code", "settings", "departments")


def _enum(kind, value: str | None):
    return kind(value) if value in kind._value2member_map_ else None


@router.get("")
async def inbox_page(
    page: StaffWeb,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    urgency: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str | None, Query(max_length=20)] = None,
    p: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    """The inbox: filter and sort are plain GET parameters, so a view can be bookmarked."""
    query = inbox.InboxQuery(
        kind=_enum(inbox.InboxKind, kind),
        urgency=_enum(inbox.Urgency, urgency),
        sort=_enum(inbox.InboxSort, sort) or inbox.InboxSort.deadline,
        page=p,
    )
    found = await institution.inbox_page(page.db, page.account, query, page.lang)
    template = "inst_inbox_rows.html" if page.request.headers.get("hx-request") else None
    return page.render(
        template or "inst_inbox.html",
        inbox=found,
        query=query,
        kinds=list(inbox.InboxKind),
        urgencies=list(inbox.Urgency),
        sorts=list(inbox.InboxSort),
        kind_names=institution.KIND_NAMES_INBOX,
    )


# --- applications ------------------------------------------------------------------------------


async def _application(page: Web, no: str, status: int = 200, **context):
    view = await institution.application_view(page.db, page.account, no, page.lang)
    state = ApplicationState(view.application.state)
    return page.render(
        "inst_application.html",
        status,
        v=view,
        a=view.application,
        may_decide=state == ApplicationState.awaiting_institution,
        open=state not in TERMINAL,
        **context,
    )


@router.get("/applications/{no}")
async def application_page(page: StaffWeb, no: Number, done: str | None = None):
    notice = page.t(f"wb.done.{done}") if done in DONE else None
    return await _application(page, no, notice=notice)


@router.post("/applications/{no}")
async def decide_application(page: StaffWeb, no: Number):
    form = await page.form()
    choice = str(form.get("decision") or "")
    comment = str(form.get("comment") or "").strip()[:1000] or None
    try:
        decision = _decision(choice)
        await institution.decide_application(
            page.db, page.temporal, page.account, no, decision, comment
        )
    except DomainError as error:
        failure = await page.failed(error)
        errors = {"comment": failure.message} if error.code == "comment_required" else {}
        return await _application(
            page, no, error.status, alert_text=refusal(page, failure), errors=errors,
            comment=comment,
        )  # fmt: skip
    return page.redirect(f"/institution/applications/{no}?done={choice}")


def refusal(page: Web, failure) -> str:
    """A step no longer open (someone decided first, or it lapsed) is said as such; the page
    below shows the state it is in now."""
    return page.t("wb.already_decided") if failure.code == "wrong_state" else failure.alert


def _decision(choice: str) -> Decision:
    if choice not in Decision._value2member_map_:
        raise DomainError("invalid_request", {"detail": "decision"})
    return Decision(choice)
