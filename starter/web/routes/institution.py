"""The institution's workbench (机构版): one inbox, and a page to decide each kind of item.

Every decision is the workflow update the JSON API sends (``starter.services.institution``,
``starter.services.profile``): the validator re-checks it, so a decision someone made first or
a step that lapsed meanwhile is refused with its message, beside the item's current state.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from registry import access, inbox, profile
from registry.application_types import (
    CANCELLATION_GROUNDS,
    GROUNDS_BY_FILER,
    TERMINAL,
    ApplicationState,
    FiledAs,
)
from registry.claims import ClaimAction
from registry.errors import DomainError
from registry.models import Institution
from registry.profile import FIELD_NAMES as PROFILE_LABELS
from registry.reference import CHINA_TIME
from registry.reviews import ReviewState
from starter.services import bulk, claims, institution
from starter.services.bulk import BulkDecisionIn
from starter.services.claims import ClaimIn
from starter.web import forms
from starter.web.core import StaffWeb, Web
from starter.web.i18n import pick
from starter.web.reference import category_name

router = APIRouter(prefix="/institution", include_in_schema=False)

Number = Annotated[str, Path(max_length=20, pattern=r"^\d+$")]
DONE = ("approve", "reject", "return", "code", "settings", "departments", "filed", "claim",
        "release")  # fmt: skip


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
    partial = page.request.headers.get("hx-request") is not None
    return await _inbox(page, query, partial=partial)


async def _inbox(page: Web, query: inbox.InboxQuery, status=200, partial=False, **context):
    found = await institution.inbox_page(page.db, page.account, query, page.lang)
    numbers = [i.ref for i in found.items if i.kind == inbox.InboxKind.application]
    return page.render(
        "inst_inbox_rows.html" if partial else "inst_inbox.html",
        status,
        inbox=found,
        query=query,
        kinds=list(inbox.InboxKind),
        urgencies=list(inbox.Urgency),
        sorts=list(inbox.InboxSort),
        kind_names=institution.KIND_NAMES_INBOX,
        claims=await claims.live_on(page.db, numbers),
        **context,
    )


@router.post("/decisions")
async def decide_many(page: StaffWeb):
    """The ticked applications, one decision and one comment: the API's bulk service, each
    its own workflow update; the outcome of each above the refreshed inbox."""
    context = await bulk_decisions(page, bulk.institution_decisions)
    return await _inbox(page, inbox.InboxQuery(), **context)


async def bulk_decisions(page: Web, decide) -> dict:
    """Read the bulk form, decide through ``decide`` (a ``starter.services.bulk`` function) and
    say what came of it: the outcomes, and a missing reason beside the comment field."""
    form = await page.form(max_fields=bulk.MAX_ITEMS + 10)
    numbers = [str(n)[:20] for n in form.getlist("no")][: bulk.MAX_ITEMS]
    comment = str(form.get("comment") or "").strip()[:1000] or None
    choice = str(form.get("decision") or "")
    if not numbers:
        return {"status": 422, "alert_text": page.t("wb.bulk.none"), "comment": comment}
    if choice not in ("approve", "return"):
        failure = await page.failed(DomainError("invalid_request", {"detail": "decision"}))
        return {"status": 422, "alert_text": failure.alert, "comment": comment}
    body = BulkDecisionIn(application_nos=numbers, decision=choice, comment=comment)
    result = await decide(page.db, page.temporal, page.account, body, page.lang)
    held = [i for i in result.items if i.code == "claimed_by_other"]
    live = await claims.live_on(page.db, [i.application_no for i in held])
    for item in held:
        if item.application_no in live:
            item.message = claimed_by(live[item.application_no]).message(page.lang)
    reasons = [i.message for i in result.items if i.code == "comment_required"]
    return {
        "status": 422 if reasons else 200,
        "outcome": result,
        "errors": {"comment": reasons[0]} if reasons else {},
        "comment": comment if reasons else None,
    }


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
        claim=await claims.current(page.db, page.account, no),
        claim_action=f"/institution/applications/{no}/claim",
        **context,
    )


@router.get("/applications/{no}")
async def application_page(page: StaffWeb, no: Number, done: str | None = None):
    notice = page.t(f"wb.done.{done}") if done in DONE else None
    return await _application(page, no, notice=notice)


@router.post("/applications/{no}")
async def decide_application(page: StaffWeb, no: Number):
    form = await page.form()
    choice, comment = forms.decision_of(form)
    try:
        decision = forms.decision(choice)
        await institution.decide_application(
            page.db, page.temporal, page.account, no, decision, comment
        )
    except DomainError as error:
        return await page.refused(error, _application, no, comment, ALREADY_DECIDED)
    return page.redirect(f"/institution/applications/{no}?done={choice}")


@router.post("/applications/{no}/claim")
async def claim_application(page: StaffWeb, no: Number):
    return await claim_or_release(page, no, _application, "/institution/applications/")


async def claim_or_release(page: Web, no: str, render, prefix: str):
    """Take (or renew) the claim, or let it go: the API's claim service; a refusal (someone
    else holds it, the step is no longer open) is said above the application."""
    form = await page.form()
    action = str(form.get("action") or "")
    try:
        if action not in (ClaimAction.claim, ClaimAction.release):
            raise DomainError("invalid_request", {"detail": "action"})
        body = ClaimIn(action=ClaimAction(action))
        await claims.act(page.db, page.temporal, page.settings, page.account, no, body)
    except DomainError as error:
        failure = await page.failed(error)
        return await render(page, no, error.status, alert_text=refusal(page, failure))
    return page.redirect(f"{prefix}{no}?done={action}")


def claimed_by(claim: claims.ClaimView) -> DomainError:
    """The workflow names a claim's holder by account id (no names in its history); the pages
    say the staff account's username, as the inbox does."""
    until = claim.until.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    return DomainError("claimed_by_other", {"holder": claim.holder, "until": until})


# A step no longer open (someone decided first, or it lapsed) is said as such; the page below
# shows the state it is in now.
ALREADY_DECIDED = "wb.already_decided"


def refusal(page: Web, failure) -> str:
    return page.t(ALREADY_DECIDED) if failure.code == "wrong_state" else failure.alert


# --- activations -------------------------------------------------------------------------------


async def _activation(page: Web, account_id: int, status: int = 200, **context):
    record = await institution.activation_record(page.db, page.temporal, page.account, account_id)
    return page.render(
        "inst_activation.html", status, r=record, category_name=category_name, **context
    )


@router.get("/activations/{account_id}")
async def activation_page(page: StaffWeb, account_id: int, done: str | None = None):
    notice = page.t(f"wb.done.{done}") if done in DONE else None
    return await _activation(page, account_id, notice=notice)


@router.post("/activations/{account_id}")
async def issue_code(page: StaffWeb, account_id: int):
    """Issue the activation code, or send it again (the workflow says when it may be resent)."""
    await page.form()
    try:
        await institution.issue_activation_code(page.db, page.temporal, page.account, account_id)
    except DomainError as error:
        failure = await page.failed(error)
        return await _activation(page, account_id, error.status, alert_text=refusal(page, failure))
    return page.redirect(f"/institution/activations/{account_id}?done=code")


# --- profile reviews ---------------------------------------------------------------------------


async def _review(page: Web, review_id: int, status: int = 200, **context):
    review = await institution.review_view(page.db, page.account, review_id, page.lang)
    return page.render(
        "inst_review.html",
        status,
        r=review,
        labels=PROFILE_LABELS,
        may_decide=review.state == ReviewState.awaiting_institution,
        in_force=await profile.photo_of(page.db, review.account_id, False) is not None,
        **context,
    )


@router.get("/reviews/{review_id}")
async def review_page(page: StaffWeb, review_id: int, done: str | None = None):
    notice = page.t(f"wb.done.{done}") if done in DONE else None
    return await _review(page, review_id, notice=notice)


@router.post("/reviews/{review_id}")
async def decide_review(page: StaffWeb, review_id: int):
    form = await page.form()
    choice, comment = forms.decision_of(form)
    photo = str(form.get("photo_id") or "")
    try:
        if choice not in ("approve", "reject"):
            raise DomainError("invalid_request", {"detail": "decision"})
        await institution.decide_review(
            page.db, page.temporal, page.account, review_id, choice, comment,
            int(photo) if photo.isdigit() else None,
        )  # fmt: skip
    except DomainError as error:
        return await page.refused(error, _review, review_id, comment, ALREADY_DECIDED)
    return page.redirect(f"/institution/reviews/{review_id}?done={choice}")


@router.get("/physicians/{account_id}/photo")
async def photo(page: StaffWeb, account_id: int, pending: bool = False):
    """The photo in force, or the one under review, for staff of the physician's institution
    (``registry.access.may_see_photo``, as the API's)."""
    physician = await institution.physician_of_staff(page.db, page.account, account_id)
    if not await access.may_see_photo(page.db, page.account, physician):
        raise DomainError("forbidden")
    found = await profile.photo_of(page.db, account_id, pending)
    if found is None:
        raise DomainError("photo_not_found")
    return Response(
        content=found.data,
        media_type=found.media_type,
        headers={"Cache-Control": "private, no-store", "X-Photo-Id": str(found.id)},
    )


# --- settings ----------------------------------------------------------------------------------


async def _settings(page: Web, status: int = 200, **context):
    place = await page.db.get(Institution, page.account.institution_code)
    names = await institution.departments(page.db, page.account)
    context.setdefault("departments_text", "\n".join(names))
    return page.render("inst_settings.html", status, institution=place, **context)


@router.get("/settings")
async def settings_page(page: StaffWeb, done: str | None = None):
    notice = page.t(f"wb.done.{done}") if done in DONE else None
    return await _settings(page, notice=notice)


@router.post("/settings")
async def save_settings(page: StaffWeb):
    form = await page.form()
    what = form.get("what")
    text = str(form.get("departments") or "")[:20_000]
    try:
        if what == "auto_activate":
            on = form.get("auto_activate") == "on"
            await institution.set_auto_activation(page.db, page.temporal, page.account, on)
        elif what == "departments":
            names = [line.strip() for line in text.splitlines() if line.strip()]
            await institution.set_departments(page.db, page.account, names)
            await page.db.commit()
        else:
            raise DomainError("invalid_request", {"detail": "what"})
    except DomainError as error:
        failure = await page.failed(error)
        return await _settings(
            page, error.status, alert_text=failure.alert, departments_text=text,
            errors={"departments": failure.message} if what == "departments" else {},
        )  # fmt: skip
    return page.redirect(
        f"/institution/settings?done={'settings' if what == 'auto_activate' else 'departments'}"
    )


# --- cancellations (the institution's duty to report grounds 1–9; the commission's own) ---------

CANCELLATION_FIELDS = ("certificate_no", "ground", "ground_arose_on", "sentence_ends_on",
                       "practice_ban_ends_on", "comment")  # fmt: skip


def cancellation_form(page: Web, action: str, status: int = 200, **context):
    """The form for staff and officers alike: grounds 1–9, as the filer may file them."""
    grounds = [
        (n, f"{n}. {pick(pair, page.lang)}")
        for n, pair in CANCELLATION_GROUNDS.items()
        if n in GROUNDS_BY_FILER[FiledAs.institution]
    ]
    context.setdefault("v", {})
    return page.render("inst_cancellation.html", status, action=action, grounds=grounds, **context)


async def file_cancellation(page: Web, action: str, done_prefix: str):
    form = await page.form()
    values = {k: str(form.get(k) or "").strip()[:500] for k in CANCELLATION_FIELDS}
    try:
        filed = await institution.file_cancellation(
            page.db, page.temporal, page.settings, page.account, dict(values)
        )
    except DomainError as error:
        failure = await page.failed(error)
        fields = {("certificate_no" if k == "registration_id" else k): m
                  for k, m in failure.fields.items()}  # fmt: skip
        return cancellation_form(
            page, action, error.status, v=values, errors=fields, alert_text=failure.alert
        )
    return page.redirect(f"{done_prefix}{filed.application_no}?done=filed")


@router.get("/cancellations/new")
async def new_cancellation(page: StaffWeb):
    return cancellation_form(page, "/institution/cancellations/new")


@router.post("/cancellations/new")
async def report_cancellation(page: StaffWeb):
    """The institution reports a ground for cancelling one of its physicians' registrations."""
    return await file_cancellation(
        page, "/institution/cancellations/new", "/institution/applications/"
    )
