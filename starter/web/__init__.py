"""The portal: server-rendered pages beside the JSON API, in the same process.

Pages call the same services as the API (``starter.services``); they hold no rule of their own.
``install`` mounts them on the API's application.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from registry.errors import DomainError
from starter.web import core, csrf, docs, i18n, pickers
from starter.web.routes import (
    account,
    applications,
    batches,
    commission,
    counter,
    institution,
    operator,
    physician,
    public,
    staff,
    verify,
)

STATIC = Path(__file__).parent / "static"

# Pages: scripts, styles and images from this origin only; no inline script, handler or style.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Paths that are not pages: they keep the API's JSON errors and its CSP.
NOT_PAGES = ("/api/", "/codec", "/healthz", "/readyz", "/metrics", "/openapi.json")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def install(app: FastAPI) -> None:
    """Pages, static files, their headers, and error pages for page paths."""
    for module in (public, account, pickers, physician, applications, institution):
        app.include_router(module.router)
    app.include_router(counter.router)  # paper: the commission's counter
    app.include_router(commission.router)  # portal2: the commission's inbox and decisions
    app.include_router(operator.router)  # portal2: the operator's audit trail
    app.include_router(verify.router)  # paper: /verify and /register, public
    app.include_router(batches.router)  # scale: collective registration
    app.include_router(staff.router)  # scale: staff administration
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if app.state.settings.dev_mode:
        docs.install(app)
    _install_headers(app)
    _install_error_pages(app)


def _install_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def page_headers(request: Request, call_next):
        response = await call_next(request)
        path = request.url.path
        if path.startswith("/static/"):
            # Versioned with the code; a day is short enough for a deploy to show.
            response.headers["Cache-Control"] = "public, max-age=86400"
        elif path.startswith("/docs"):
            response.headers["Content-Security-Policy"] = docs.CSP
        elif is_page(request):
            response.headers["Content-Security-Policy"] = PAGE_CSP
            # The API's no-referrer makes Chromium send "Origin: null" with a form, which the
            # CSRF check cannot tell from a forged one; same-origin leaks nothing elsewhere.
            response.headers["Referrer-Policy"] = "same-origin"
        return response


def _install_error_pages(app: FastAPI) -> None:
    """On page paths errors are pages in the reader's language; elsewhere the API's JSON."""
    api_handlers = dict(app.exception_handlers)

    def delegate(kind):
        async def handler(request: Request, error: Exception) -> Response:
            if is_page(request):
                return await _error_page(request, error)
            return await api_handlers[kind](request, error)

        return handler

    for kind in (DomainError, HTTPException, RequestValidationError):
        app.add_exception_handler(kind, delegate(kind))

    @app.exception_handler(core.SignInRequired)
    async def sign_in(request: Request, _error: Exception) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(core.WrongRole)
    async def wrong_role(request: Request, error: Exception) -> Response:
        return await _error_page(request, DomainError("forbidden"))

    @app.exception_handler(csrf.CsrfRefused)
    async def csrf_refused(request: Request, error: csrf.CsrfRefused) -> HTMLResponse:
        return _page(request, "csrf.html", 403, reason=error.reason)


async def _error_page(request: Request, error: Exception) -> HTMLResponse:
    lang = i18n.language(request)
    if isinstance(error, DomainError):
        status, message = error.status, error.message(lang)
    elif isinstance(error, RequestValidationError):
        status, message = 404, DomainError("not_found").message(lang)
    else:
        status = getattr(error, "status_code", 500)
        code = {404: "not_found", 405: "not_found", 401: "not_authenticated"}.get(status)
        message = DomainError(code or "internal_error").message(lang)
    return _page(request, "error.html", status, message=message)


def _page(request: Request, template: str, status: int, **context) -> HTMLResponse:
    """A page without the database: error pages must render when it is what failed."""
    lang = i18n.language(request)
    return core.TEMPLATES.TemplateResponse(
        request,
        template,
        {"t": i18n.Translator(lang), "lang": lang, "account": None, "csrf_token": "",
         "path": request.url.path, **context},
        status,
    )  # fmt: skip
