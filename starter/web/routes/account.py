"""Signing in and out, signing up and the forgotten password: the API's own services, with
their limits and lockouts, behind forms."""

from fastapi import APIRouter

from registry import audit
from registry.activation import Channel
from registry.errors import DomainError
from registry.roles import Role
from starter.services import accounts, security
from starter.web import session as web_session
from starter.web.core import Web, WebDep
from starter.web.pickers import picker

router = APIRouter(include_in_schema=False)

SIGNUP_FIELDS = ("name", "id_number", "phone", "email", "username")


def _address(page: Web) -> str | None:
    return page.request.client.host if page.request.client else None


async def _sign_in(page: Web, account, target: str):
    """A new session (never one the browser already had), audited as the API's sign-ins are."""
    await web_session.end(page.db, page.request.cookies.get(web_session.COOKIE))
    token = await web_session.start(page.db, account)
    await audit.record(
        page.db,
        "web_sign_in",
        actor_id=account.id,
        actor_role=account.role,
        physician_id=account.id if account.role == Role.PHYSICIAN else None,
    )
    await page.db.commit()
    response = page.redirect(target)
    web_session.set_cookie(response, token, page.settings)
    return response


HOMES = {
    Role.PHYSICIAN: "/me",
    Role.INSTITUTION_STAFF: "/institution",
    Role.COMMISSION_OFFICER: "/commission",
    Role.OPERATOR: "/operator/audit",
    Role.INSTITUTION_ADMIN: "/staff",  # scale: staff administration
    Role.COMMISSION_ADMIN: "/staff",
}


def _home_of(role: str) -> str:
    """Each role lands on its own workbench."""
    return HOMES.get(role, "/")


@router.get("/login")
async def login_form(page: WebDep, done: str | None = None):
    if page.account is not None:
        return page.redirect(_home_of(page.account.role))
    notice = page.t(f"login.done.{done}") if done in ("password", "reset", "logout") else None
    return page.render("login.html", username="", notice=notice)


@router.post("/login")
async def login(page: WebDep):
    form = await page.form()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:256]
    try:
        account = await accounts.authenticate(
            page.db, page.settings, username, password, _address(page)
        )
    except DomainError as error:
        failure = await page.failed(error)
        return page.render(
            "login.html", error.status, username=username, alert_text=failure.alert, errors={}
        )
    return await _sign_in(page, account, _home_of(account.role))


@router.post("/logout")
async def logout(page: WebDep):
    await page.form()
    if page.account is not None:
        await audit.record(
            page.db,
            "web_sign_out",
            actor_id=page.account.id,
            actor_role=page.account.role,
            physician_id=page.account.id if page.account.role == Role.PHYSICIAN else None,
        )
    await web_session.end(page.db, page.request.cookies.get(web_session.COOKIE))
    response = page.redirect("/login?done=logout")
    web_session.clear_cookie(response, page.settings)
    return response


@router.get("/signup")
async def signup_form(page: WebDep):
    return page.render("signup.html", v={}, picker=await picker(page))


@router.post("/signup")
async def signup(page: WebDep):
    form = await page.form()
    values = {name: str(form.get(name) or "")[:256] for name in SIGNUP_FIELDS}
    code = str(form.get("institution_code") or "")[:32] or None
    signup_form = accounts.SignupForm(
        password=str(form.get("password") or "")[:256], institution_code=code, **values
    )
    try:
        account, _ = await accounts.signup(
            page.db, page.temporal, page.settings, signup_form, _address(page)
        )
    except DomainError as error:
        failure = await page.failed(error)
        return page.render(
            "signup.html",
            error.status,
            v=values,
            picker=await picker(page, code or ""),
            errors=failure.fields,
            alert_text=failure.alert,
        )
    return await _sign_in(page, account, "/me/activation")


@router.get("/password-reset")
async def reset_form(page: WebDep):
    return page.render("password_reset.html", step="request", username="", channel="sms")


@router.post("/password-reset")
async def reset(page: WebDep):
    form = await page.form()
    username = str(form.get("username") or "")[:64]
    channel = Channel.email if form.get("channel") == "email" else Channel.sms
    step = "confirm" if form.get("step") == "confirm" else "request"
    context = {"username": username, "channel": channel.value}
    try:
        if step == "request":
            await security.request_password_reset(
                page.db, page.temporal, page.settings, username, channel
            )
            notice = security.in_language(security.RESET_SENT, page.lang)
            return page.render("password_reset.html", step="confirm", notice=notice, **context)
        await security.confirm_password_reset(
            page.db,
            page.temporal,
            page.settings,
            username,
            channel,
            str(form.get("code") or "")[:16],
            str(form.get("new_password") or "")[:256],
        )
    except DomainError as error:
        failure = await page.failed(error)
        errors = {("new_password" if k == "password" else k): v for k, v in failure.fields.items()}
        return page.render(
            "password_reset.html",
            error.status,
            step=step,
            errors=errors,
            alert_text=failure.alert,
            **context,
        )
    return page.redirect("/login?done=reset")
