"""The commission's counter (窗口): find an application by its number, compare the person with
the photo in force, check each paper document, then decide.

The number comes typed, from a barcode scanner (which types it and presses Enter), or from the
form's QR code (a phone opens ``/commission/counter/{no}``). Every step is the workflow update
the JSON API sends (``starter.services.documents``): the validator re-checks it, so a step
someone took meanwhile is refused and said as such, beside the state the application is in now.
"""

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from registry.application_types import ApplicationState, DocumentCheck, DocumentStatus
from registry.errors import DomainError
from registry.profile import photo_of
from starter.services import documents, institution
from starter.web import forms
from starter.web.core import OfficerWeb, Web

router = APIRouter(prefix="/commission/counter", include_in_schema=False)

Number = Annotated[str, Path(max_length=20, pattern=r"^\d+$")]
S = ApplicationState
DONE = ("accepted", "returned", "approve", "reject", "return")
STATUSES = [s.value for s in DocumentStatus]


@router.get("")
async def counter(page: OfficerWeb, no: Annotated[str | None, Query(max_length=64)] = None):
    """The search box; a number sent from it (Enter, as a scanner does) opens the application."""
    if no is None:
        return page.render("counter.html", focus=True)
    typed = re.sub(r"\s+", "", no)
    if not re.fullmatch(r"\d{1,20}", typed):
        errors = {"no": page.t("counter.no_invalid")}
        return page.render("counter.html", 422, no=no[:64], errors=errors, focus=True)
    return page.redirect(f"/commission/counter/{typed}")


async def _page(page: Web, no: str, status: int = 200, **context):
    """The application at the counter, or the search box with why it cannot be shown."""
    try:
        stored = await documents.counter_application(page.db, page.account, no)
    except DomainError as error:
        failure = await page.failed(error)
        return page.render(
            "counter.html", error.status, no=no, errors={"no": failure.alert}, focus=True
        )
    view = await institution.application_view(page.db, page.account, no, page.lang)  # audited
    state = S(stored.state)
    return page.render(
        "counter_application.html",
        status,
        v=view,
        a=view.application,
        needed=(await documents.documents_to_bring(page.db, stored, page.lang))["documents"],
        findings=await documents.last_findings(page.db, no),
        has_photo=bool(stored.account_id and await photo_of(page.db, stored.account_id, False)),
        may_check=state == S.awaiting_documents,
        may_decide=state == S.under_review,
        statuses=STATUSES,
        **({"checked": {}, "notes": {}} | context),
    )


@router.get("/{no}")
async def application_page(page: OfficerWeb, no: Number, done: str | None = None):
    notice = page.t(f"counter.done.{done}") if done in DONE else None
    return await _page(page, no, notice=notice, focus=notice is not None)


@router.get("/{no}/photo")
async def applicant_photo(page: OfficerWeb, no: Number):
    """The photo in force, for the officer to compare with the person (audited)."""
    photo = await documents.counter_photo(page.db, page.account, no)
    if photo is None:
        return Response(status_code=404)
    headers = {"Cache-Control": "private, no-store"}
    return Response(photo.data, media_type=photo.media_type, headers=headers)


@router.post("/{no}/check")
async def check(page: OfficerWeb, no: Number):
    """Record each document as present, missing or not acceptable (with a note)."""
    form = await page.form(max_fields=100)
    checked = {
        key[7:]: str(value)
        for key, value in form.items()
        if key.startswith("status-") and value in STATUSES
    }
    notes = {
        key[5:]: str(value).strip()[:500] for key, value in form.items() if key.startswith("note-")
    }
    comment = str(form.get("comment") or "").strip()[:1000] or None
    items = [
        DocumentCheck(kind=kind[:40], status=DocumentStatus(status), note=notes.get(kind) or None)
        for kind, status in checked.items()
    ]
    try:
        stored = await documents.counter_application(page.db, page.account, no)
        result = await documents.check_papers(
            page.db, page.temporal, page.account, stored, items, comment=comment
        )
    except DomainError as error:
        failure = await page.failed(error)
        kinds = error.params.get("kinds") or []
        errors = {f"item-{kind}": failure.message for kind in kinds}
        return await _page(
            page, no, error.status, alert_text=_refusal(page, failure), errors=errors,
            checked=checked, notes=notes, comment=comment,
        )  # fmt: skip
    done = "accepted" if result.state == S.under_review else "returned"
    return page.redirect(f"/commission/counter/{no}?done={done}")


@router.post("/{no}/decide")
async def decide(page: OfficerWeb, no: Number):
    """Approve, reject with reasons, or return, once the documents are accepted."""
    form = await page.form()
    choice, comment = forms.decision_of(form)
    try:
        stored = await documents.counter_application(page.db, page.account, no)
        await documents.decide_as_commission(
            page.db, page.temporal, page.account, stored, forms.decision(choice), comment
        )
    except DomainError as error:
        return await page.refused(error, _page, no, comment, TAKEN_MEANWHILE)
    return page.redirect(f"/commission/counter/{no}?done={choice}")


# A step no longer open (someone took it first, or it lapsed) is said as such; the page below
# shows the state the application is in now.
TAKEN_MEANWHILE = "counter.taken_meanwhile"


def _refusal(page: Web, failure) -> str:
    return page.t(TAKEN_MEANWHILE) if failure.code == "wrong_state" else failure.alert
