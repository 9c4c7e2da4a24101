"""The physician's pages: home, activation (live), information and security, personal
information, photo and department. Each calls the services the API's ``/me`` routes call."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from registry import identifiers, photos, profile
from registry.activation import ActivationState, Channel, CodePurpose
from registry.application_types import TERMINAL, ApplicationState
from registry.errors import DomainError
from starter.services import applications, documents, institutions, security
from starter.services import me as physician
from starter.services import profile as steering
from starter.web.core import PhysicianWeb, Web
from starter.web.reference import category_name, place_name

router = APIRouter(prefix="/me", include_in_schema=False)

STEPS = ("awaiting_qualification", "awaiting_verification", "awaiting_institution", "active")


# --- home ------------------------------------------------------------------------------------


async def _names(page: Web, me, apps) -> dict:
    """Names for the codes a page lists: institutions, locations, commissions."""
    institution_codes = {a.institution_code for a in apps}
    locations = set()
    for r in me.registrations:
        institution_codes.add(r.institution_code)
        institution_codes.update(f.institution_code for f in r.filings)
        locations.add(r.location_code)
    institution_codes.update(s.institution_code for s in me.legacy_sites)
    return {
        "institutions": await institutions.names(page.db, institution_codes),
        "places": {code: place_name(code, page.lang) for code in locations},
        "commissions": await institutions.commission_names(
            page.db, {a.commission_code for a in apps}
        ),
    }


@router.get("")
async def home(page: PhysicianWeb):
    me = await physician.overview(page.db, page.temporal, page.account, page.lang)
    apps = await applications.list_for(page.db, page.account, page.lang)
    open_apps = [a for a in apps if ApplicationState(a.state) not in TERMINAL]
    closed = [a for a in apps if ApplicationState(a.state) in TERMINAL][:10]
    return page.render(
        "me_home.html",
        me=me,
        open_apps=open_apps,
        closed_apps=closed,
        names=await _names(page, me, apps),
        category_name=category_name,
    )


@router.get("/registrations/{registration_id}/certificate.pdf")
async def certificate(page: PhysicianWeb, registration_id: int):
    """The electronic certificate of a registration in force (paper: the same service as
    ``GET /api/v1/me/registrations/{id}/certificate.pdf``)."""
    keys = page.request.app.state.signing_keys
    pdf = await documents.certificate(page.db, page.settings, keys, page.account, registration_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{registration_id}.pdf"'},
    )


# --- activation ------------------------------------------------------------------------------


def _live_key(activation) -> str:
    """What the live stepper watches: the state, and whether an activation code is out."""
    code_out = any(c.purpose == CodePurpose.activation for c in activation.pending_codes)
    return f"{activation.state.value}:{int(code_out)}"


async def _activation_context(page: Web, **extra) -> dict:
    activation, next_step = await physician.activation_of(page.temporal, page.account, page.lang)
    institution = await institutions.names(page.db, {page.account.institution_code or ""})
    state = activation.state.value
    return {
        "activation": activation,
        "next_step": next_step,
        "steps": STEPS,
        "current": STEPS.index(state) if state in STEPS else -1,
        "live_key": _live_key(activation),
        "institution_name": institution.get(page.account.institution_code or "", ""),
        "verification_code": next(
            (c for c in activation.pending_codes if c.purpose == CodePurpose.verification), None
        ),
        "masked_phone": identifiers.mask(page.account.phone or ""),
        "masked_email": identifiers.mask(page.account.email or ""),
        "waiting": state in ("awaiting_qualification", "awaiting_institution"),
        **extra,
    }


@router.get("/activation")
async def activation_page(page: PhysicianWeb):
    return page.render("activation.html", **await _activation_context(page))


@router.get("/activation/live")
async def activation_live(page: PhysicianWeb, seen: Annotated[str, Query(max_length=40)] = ""):
    """Polled by the stepper every 2 s while it waits: nothing (204) until the activation
    moves on, then the stepper as it now stands."""
    context = await _activation_context(page)
    if context["live_key"] == seen:
        return Response(status_code=204)
    return page.render("_activation.html", **context)


@router.post("/activation")
async def activation_step(page: PhysicianWeb):
    """One form for every step: send a code, confirm it, enter the activation code, restart."""
    form = await page.form()
    action = form.get("action")
    channel = Channel.email if form.get("channel") == "email" else Channel.sms
    code = str(form.get("code") or "")[:16]
    notice = None
    try:
        if action == "send":
            await physician.send_verification(page.db, page.temporal, page.account, channel)
            notice = page.t(f"activation.sent.{channel.value}")
        elif action == "verify":
            await physician.confirm_verification(
                page.temporal, page.settings, page.account, channel, code
            )
            return page.redirect("/me/activation")
        elif action == "activate":
            await physician.enter_activation_code(page.temporal, page.settings, page.account, code)
            return page.redirect("/me/activation")
        elif action == "restart":
            await physician.restart_activation(page.db, page.temporal, page.settings, page.account)
            return page.redirect("/me/activation")
    except DomainError as error:
        failure = await page.failed(error)
        context = await _activation_context(
            page, errors=failure.fields, alert_text=failure.alert, channel=channel.value
        )
        return page.render("activation.html", error.status, **context)
    context = await _activation_context(page, notice=notice, channel=channel.value)
    return page.render("activation.html", **context)


# --- information and security ------------------------------------------------------------------


@router.get("/info")
async def info(page: PhysicianWeb):
    me = await physician.overview(page.db, page.temporal, page.account, page.lang)
    return page.render(
        "me_info.html",
        me=me,
        fields=profile.FIELD_NAMES,
        category_name=category_name,
    )


def _security(page: Web, status: int = 200, **context):
    return page.render(
        "me_security.html",
        status,
        phone=identifiers.mask(page.account.phone or ""),
        email=identifiers.mask(page.account.email or ""),
        **context,
    )


@router.get("/security")
async def security_page(page: PhysicianWeb, done: str | None = None):
    notice = page.t(f"security.done.{done}") if done in ("phone", "email") else None
    return _security(page, notice=notice)


@router.post("/security/password")
async def change_password(page: PhysicianWeb):
    form = await page.form()
    try:
        await security.change_password(
            page.db,
            page.temporal,
            page.settings,
            page.account,
            str(form.get("current_password") or "")[:256],
            str(form.get("new_password") or "")[:256],
        )
    except DomainError as error:
        failure = await page.failed(error)
        errors = {("new_password" if k == "password" else k): v for k, v in failure.fields.items()}
        return _security(page, error.status, password_errors=errors, alert_text=failure.alert)
    # Every session ended, this one too: sign in again with the new password.
    return page.redirect("/login?done=password")


@router.post("/security/contact")
async def change_contact(page: PhysicianWeb):
    """A new phone or email: first a code is sent to it, then the code puts it in force."""
    form = await page.form()
    field = "email" if form.get("field") == "email" else "phone"
    value = str(form.get("value") or "")[:254]
    code = str(form.get("code") or "")[:16]
    try:
        if not code:
            new_value, _ = await security.send_contact_code(
                page.db, page.temporal, page.settings, page.account, field, value
            )
            return _security(
                page,
                pending={"field": field, "value": new_value, "to": identifiers.mask(new_value)},
            )
        await security.confirm_contact(
            page.db, page.temporal, page.settings, page.account, field, value, code
        )
    except DomainError as error:
        failure = await page.failed(error)
        pending = {"field": field, "value": value, "to": identifiers.mask(value)} if code else None
        return _security(
            page,
            error.status,
            contact_errors={field: failure.fields},
            alert_text=failure.alert,
            pending=pending,
            typed={field: value},
        )
    return page.redirect(f"/me/security?done={field}")


# --- personal information ----------------------------------------------------------------------

CHOICES = {
    "ethnicity": profile.ETHNICITIES,
    "education": profile.EDUCATIONS,
    "degree": profile.DEGREES,
    "professional_title": profile.PROFESSIONAL_TITLES,
}


async def _profile_page(page: Web, status: int = 200, **context):
    current = steering.profile_values(await profile.profile_of(page.db, page.account.id))
    reviews = await steering.my_reviews(page.db, page.account, page.lang)
    return page.render(
        "me_profile.html",
        status,
        current=current,
        reviews=[r for r in reviews if r.kind == "personal_info"],
        fields=profile.FIELD_NAMES,
        choices=CHOICES,
        active=page.account.activation_state == ActivationState.active,
        v=context.pop("v", {}),
        **context,
    )


@router.get("/profile-change")
async def profile_page(page: PhysicianWeb, done: str | None = None):
    notice = page.t(f"profile.done.{done}") if done in ("submitted", "withdrawn") else None
    return await _profile_page(page, notice=notice)


@router.post("/profile-change")
async def submit_profile(page: PhysicianWeb):
    form = await page.form()
    values = {name: str(form.get(name) or "").strip()[:400] for name in profile.FIELD_NAMES}
    try:
        info = profile.PersonalInfo(**{k: v for k, v in values.items() if v})
        await steering.submit_changes_out(
            page.db, page.temporal, page.settings, page.account, info, page.lang
        )
    except DomainError as error:
        failure = await page.failed(error)
        return await _profile_page(
            page, error.status, errors=failure.fields, alert_text=failure.alert, v=values
        )
    return page.redirect("/me/profile-change?done=submitted")


@router.post("/profile-change/{review_id}/withdraw")
async def withdraw_profile(page: PhysicianWeb, review_id: int):
    await page.form()
    target = "/me/photo" if page.request.query_params.get("from") == "photo" else None
    try:
        await steering.withdraw_own(page.db, page.temporal, page.account, review_id, page.lang)
    except DomainError as error:
        failure = await page.failed(error)
        return await _profile_page(page, error.status, alert_text=failure.alert)
    return page.redirect(target or "/me/profile-change?done=withdrawn")


# --- photo -------------------------------------------------------------------------------------


async def _photo_page(page: Web, status: int = 200, **context):
    state = await steering.photo_status(page.db, page.account.id)
    reviews = await steering.my_reviews(page.db, page.account, page.lang)
    return page.render(
        "me_photo.html",
        status,
        photo=state,
        review=next((r for r in reviews if r.kind == "photo"), None),
        rules={
            "max_mb": photos.MAX_BYTES // (1024 * 1024),
            "min_width": photos.MIN_WIDTH,
            "min_height": photos.MIN_HEIGHT,
        },
        active=page.account.activation_state == ActivationState.active,
        **context,
    )


@router.get("/photo")
async def photo_page(page: PhysicianWeb, done: str | None = None):
    return await _photo_page(page, notice=page.t("photo.done") if done == "uploaded" else None)


@router.post("/photo")
async def upload_photo(page: PhysicianWeb):
    try:
        steering.check_upload_length(page.request.headers.get("content-length"))
        form = await page.form(max_files=1, max_fields=4)
        try:
            data = await steering.photo_bytes(form)
        finally:
            await form.close()
        await steering.upload_photo(page.db, page.temporal, page.settings, page.account, data)
    except DomainError as error:
        failure = await page.failed(error)
        return await _photo_page(
            page, error.status, errors={"photo": failure.message}, alert_text=failure.alert
        )
    return page.redirect("/me/photo?done=uploaded")


@router.get("/photo/image")
async def photo_image(page: PhysicianWeb, pending: bool = False) -> Response:
    """The photo in force (or the one under review), for the page's ``<img>``."""
    photo = await profile.photo_of(page.db, page.account.id, pending)
    if photo is None:
        raise DomainError("photo_not_found")
    return Response(
        photo.data, media_type=photo.media_type, headers={"Cache-Control": "private, no-store"}
    )


# --- department ----------------------------------------------------------------------------------


async def _department_page(page: Web, status: int = 200, **context):
    mine = await steering.my_department(page.db, page.account)
    return page.render(
        "me_department.html",
        status,
        department=mine,
        options=[(d.id, d.name) for d in mine.choices],
        active=page.account.activation_state == ActivationState.active,
        **context,
    )


@router.get("/department")
async def department_page(page: PhysicianWeb, done: str | None = None):
    return await _department_page(page, notice=page.t("department.done") if done else None)


@router.post("/department")
async def choose_department(page: PhysicianWeb):
    form = await page.form()
    raw = str(form.get("department_id") or "")
    try:
        if not raw.isdigit() or len(raw) > 9:
            raise DomainError("department_not_in_list")
        await steering.choose_department(page.db, page.account, int(raw))
    except DomainError as error:
        failure = await page.failed(error)
        return await _department_page(
            page, error.status, errors=failure.fields, alert_text=failure.alert
        )
    return page.redirect("/me/department?done=1")
