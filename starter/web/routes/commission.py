"""The commission officer's workbench (卫健委): the inbox (waiting for documents, under review,
overdue first, with working days left), the application's page with the decision, and the ex
officio cancellation (依职权注销). The counter (``/commission/counter``) is
``starter.web.routes.counter``.

Every decision is the workflow update the JSON API sends: the validator re-checks it, so a
decision someone made first is refused with its message, beside the current state.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from registry.application_types import TERMINAL, ApplicationState
from registry.errors import DomainError
from starter.services import applications, bulk, claims, commission, documents, institution
from starter.web import forms
from starter.web.core import OfficerWeb, Web
from starter.web.routes.institution import (
    ALREADY_DECIDED,
    bulk_decisions,
    cancellation_form,
    claim_or_release,
    file_cancellation,
)

router = APIRouter(prefix="/commission", include_in_schema=False)

Number = Annotated[str, Path(max_length=20, pattern=r"^\d+$")]
DONE = ("approve", "reject", "return", "filed", "claim", "release")
S = ApplicationState


@router.get("")
async def inbox_page(
    page: OfficerWeb,
    state: Annotated[str | None, Query(max_length=32)] = None,
    p: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    chosen = S(state) if state in (s.value for s in commission.WAITING) else None
    return await _inbox(page, chosen, p)


async def _inbox(page: Web, chosen: S | None, p: int = 1, status: int = 200, **context):
    total = await commission.count_waiting(page.db, page.account, chosen)
    pages = max(1, -(-total // commission.PAGE_SIZE))
    p = min(p, pages)
    found = await commission.waiting(
        page.db, page.account, page.lang, chosen, commission.PAGE_SIZE,
        (p - 1) * commission.PAGE_SIZE,
    )  # fmt: skip
    return page.render(
        "com_inbox.html",
        status,
        lines=commission.lines(found),
        total=total,
        page_no=p,
        pages=pages,
        state=chosen,
        states=commission.WAITING,
        claims=await claims.live_on(page.db, [a.application_no for a in found]),
        **context,
    )


@router.post("/decisions")
async def decide_many(page: OfficerWeb):
    """The ticked applications under review, one decision and one comment (the API's bulk
    service); the outcome of each above the refreshed inbox."""
    context = await bulk_decisions(page, bulk.commission_decisions)
    return await _inbox(page, None, **context)


async def _application(page: Web, no: str, status: int = 200, **context):
    view = await institution.application_view(page.db, page.account, no, page.lang)  # audited
    state = S(view.application.state)
    return page.render(
        "com_application.html",
        status,
        v=view,
        a=view.application,
        may_decide=state == S.under_review,
        at_counter=state == S.awaiting_documents,
        open=state not in TERMINAL,
        days_left=commission.working_days_left(view.application.step_deadline),
        claim=await claims.current(page.db, page.account, no),
        claim_action=f"/commission/applications/{no}/claim",
        **context,
    )


@router.get("/applications/{no}")
async def application_page(page: OfficerWeb, no: Number, done: str | None = None):
    notice = page.t(f"wb.done.{done}") if done in DONE else None
    return await _application(page, no, notice=notice)


@router.post("/applications/{no}")
async def decide(page: OfficerWeb, no: Number):
    """Approve (the registry changes), reject with reasons, or return (补正)."""
    form = await page.form()
    choice, comment = forms.decision_of(form)
    try:
        stored = await applications.visible_application(page.db, page.account, no)
        await documents.decide_as_commission(
            page.db, page.temporal, page.account, stored, forms.decision(choice), comment
        )
    except DomainError as error:
        return await page.refused(error, _application, no, comment, ALREADY_DECIDED)
    return page.redirect(f"/commission/applications/{no}?done={choice}")


@router.post("/applications/{no}/claim")
async def claim_application(page: OfficerWeb, no: Number):
    return await claim_or_release(page, no, _application, "/commission/applications/")


@router.get("/cancellations/new")
async def new_cancellation(page: OfficerWeb):
    return cancellation_form(page, "/commission/cancellations/new")


@router.post("/cancellations/new")
async def cancel_ex_officio(page: OfficerWeb):
    """依职权注销: the commission cancels a registration it granted, on grounds 1–9."""
    return await file_cancellation(
        page, "/commission/cancellations/new", "/commission/applications/"
    )
