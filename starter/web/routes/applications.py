"""New application (type picker, then a form built from the type's own field description) and
the application's page (state, timeline, deadline, documents, certificate, withdraw/resubmit).

The form is drawn from ``FIELDS[type].model_json_schema()`` — what ``GET
/api/v1/application-types`` publishes — with a picker for each kind of field; what is filed goes
through the same parsing and rules as ``POST /api/v1/applications``.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from registry.application_types import (
    CANCELLATION_GROUNDS,
    FIELDS,
    GROUNDS_BY_FILER,
    TERMINAL,
    ApplicationState,
    ApplicationType,
    FiledAs,
)
from registry.errors import DomainError
from starter.services import applications, documents, institutions, reference
from starter.services import me as physician
from starter.web.core import PhysicianWeb, Web
from starter.web.pickers import picker
from starter.web.reference import businesses, categories, category_name, scopes_of

router = APIRouter(prefix="/me/applications", include_in_schema=False)

Number = Annotated[str, Path(max_length=20, pattern=r"^\d+$")]

# Fields whose value the physician picks from a list rather than types.
PICKED = {
    "institution_code",
    "category",
    "scope",
    "level",
    "registration_id",
    "filing_id",
    "legacy_site_id",
    "ground",
}
# What only a report by the institution or the commission says (the physician files ground 10,
# own request, which needs no date): not asked of the physician here.
REPORTERS_ONLY = {"ground_arose_on", "sentence_ends_on", "practice_ban_ends_on"}


def _fields(type_: ApplicationType) -> list[dict]:
    """The type's fields in order: name, whether required, JSON type and format."""
    schema = FIELDS[type_].model_json_schema()
    required = set(schema.get("required", []))
    out = []
    for name, spec in schema["properties"].items():
        if name in REPORTERS_ONLY:
            continue
        kinds = [spec] + spec.get("anyOf", [])
        format_ = next((k.get("format") for k in kinds if k.get("format")), None)
        out.append({"name": name, "required": name in required, "format": format_})
    return out


async def _choices(page: Web, me) -> dict:
    """What the physician holds, as options: registrations, filings, legacy sites."""
    codes = {r.institution_code for r in me.registrations}
    codes |= {f.institution_code for r in me.registrations for f in r.filings}
    codes |= {s.institution_code for s in me.legacy_sites}
    names = await institutions.names(page.db, codes)
    active = [r for r in me.registrations if r.status == "active"]
    return {
        "registration_id": [
            (
                r.id,
                f"{names.get(r.institution_code, r.institution_code)} · "
                f"{category_name(r.category, page.lang)} · {r.scope or '—'} · "
                f"{r.certificate_no or '—'}",
            )
            for r in active
        ],
        "filing_id": [
            (f.id, f"{names.get(f.institution_code, f.institution_code)} · {f.start_on}")
            for r in me.registrations
            for f in r.filings
            if f.status == "active"
        ],
        "legacy_site_id": [
            (s.id, f"{names.get(s.institution_code, s.institution_code)} · {s.registered_on}")
            for s in me.legacy_sites
            if s.status == "active"
        ],
        "ground": [
            (n, f"{n}. {pair[page.lang == 'en']}")
            for n, pair in CANCELLATION_GROUNDS.items()
            if n in GROUNDS_BY_FILER[FiledAs.physician]
        ],
        "level": [
            ("physician", page.t("level.physician")),
            ("assistant", page.t("level.assistant")),
        ],
        "category": [(code, names_[page.lang == "en"]) for code, names_ in categories()],
    }


async def _form(page: Web, type_: ApplicationType, status: int = 200, **context):
    me = await physician.overview(page.db, page.temporal, page.account, page.lang)
    values = context.pop("v", {})
    category = values.get("category") or next((q.category for q in me.qualifications), "clinical")
    online, _ = businesses()
    return page.render(
        "application_form.html",
        status,
        type=type_,
        type_name=page.t(f"type.{type_.value}"),
        business=next((b for b in online if b.code == type_.value), None),
        fields=_fields(type_),
        choices=await _choices(page, me),
        scopes=scopes_of(category, page.lang),
        picker=await picker(
            page,
            values.get("institution_code", ""),
            label=page.t(f"field.{type_.value}.institution_code"),
        ),
        v=values,
        active=page.account.activation_state == "active",
        **context,
    )


@router.get("/new")
async def new_application(
    page: PhysicianWeb, type: Annotated[str | None, Query(max_length=40)] = None
):
    if type in ApplicationType.__members__:
        return await _form(page, ApplicationType(type))
    online, offline = businesses()
    return page.render("application_types.html", online=online, offline=offline)


@router.post("/new")
async def file_application(page: PhysicianWeb):
    form = await page.form()
    code = str(form.get("type") or "")
    if code not in ApplicationType.__members__:
        raise DomainError("application_type_unknown")  # not echoed
    type_ = ApplicationType(code)
    names = [f["name"] for f in _fields(type_)]
    values = {name: str(form.get(name) or "").strip()[:500] for name in names}
    try:
        parsed_type, fields = applications.parse(
            {"type": code, **{k: v for k, v in values.items() if v}}
        )
        application = await applications.submit(
            page.db, page.temporal, page.settings, page.account, parsed_type, fields
        )
    except DomainError as error:
        failure = await page.failed(error)
        return await _form(
            page, type_, error.status, v=values, errors=failure.fields, alert_text=failure.alert
        )
    return page.redirect(f"/me/applications/{application.application_no}?done=filed")


async def _detail(page: Web, no: str, status: int = 200, application=None, **context):
    application = application or await applications.detail(page.db, page.account, no, page.lang)
    names = {
        "institutions": await institutions.names(page.db, {application.institution_code}),
        "commissions": await institutions.commission_names(page.db, {application.commission_code}),
    }
    state = ApplicationState(application.state)
    commission = await reference.commission(page.db, application.commission_code)
    stored = await applications.visible_application(page.db, page.account, no)
    return page.render(
        "application.html",
        status,
        a=application,
        names=names,
        open=state not in TERMINAL,
        address=commission.address_en if page.lang == "en" else commission.address_zh,
        category_name=category_name,
        # The documents this application needs, and what the last paper check found.
        needed=(await documents.documents_to_bring(page.db, stored, page.lang))["documents"],
        findings=await documents.last_findings(page.db, no),
        **context,
    )


@router.get("/{no}")
async def application_page(page: PhysicianWeb, no: Number, done: str | None = None):
    """``done`` says what the physician just did; once someone else has acted since (the
    institution approved, the commission decided), the page tells that instead."""
    if done not in ("filed", "withdrawn", "resubmitted"):
        return await _detail(page, no)
    application = await applications.detail(page.db, page.account, no, page.lang)
    last = application.timeline[-1] if application.timeline else None
    fresh = last is None or last.actor_role == page.account.role
    notice = page.t(f"application.done.{done}") if fresh else None
    return await _detail(page, no, application=application, notice=notice)


@router.get("/{no}/form.pdf")
async def application_form(page: PhysicianWeb, no: Number):
    """The application and review form to print, as ``GET /api/v1/applications/{no}/form.pdf``."""
    stored = await applications.visible_application(page.db, page.account, no)
    pdf = await documents.application_form(page.db, page.account, stored, page.lang)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="application-{no}.pdf"'},
    )


@router.post("/{no}")
async def application_action(page: PhysicianWeb, no: Number):
    """Withdraw, or resubmit (补正) a returned application."""
    form = await page.form()
    action = form.get("action")
    try:
        if action == "withdraw":
            await applications.withdraw(page.db, page.temporal, page.account, no)
        elif action == "resubmit":
            comment = str(form.get("comment") or "").strip()[:1000] or None
            await applications.resubmit(page.db, page.temporal, page.account, no, comment)
        else:
            raise DomainError("invalid_request", {"detail": "action"})
    except DomainError as error:
        failure = await page.failed(error)
        return await _detail(page, no, error.status, alert_text=failure.alert)
    done = "withdrawn" if action == "withdraw" else "resubmitted"
    return page.redirect(f"/me/applications/{no}?done={done}")
