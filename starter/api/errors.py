"""Every error leaves the API as ``{"code", "message", ...}`` in the caller's language."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from registry.errors import DomainError

log = logging.getLogger("ereg.api")

_HTTP_CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found"}


def language(request: Request) -> str:
    """``en`` when the caller prefers English over Chinese, else ``zh``."""
    ranked = []
    for index, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, q = part.replace(" ", "").lower().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        ranked.append((-weight, index, tag))
    for _, _, tag in sorted(ranked):
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh"
    return "zh"


def render(request: Request, error: DomainError) -> JSONResponse:
    lang = language(request)
    body = {"code": error.code, "message": error.message(lang), **error.params_in(lang)}
    headers = {}
    if "retry_after" in error.params:
        headers["Retry-After"] = str(error.params["retry_after"])
    return JSONResponse(body, status_code=error.status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        return render(request, error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        # Field locations only: the rejected values may be personal data.
        fields = sorted({".".join(str(p) for p in e["loc"] if p != "body") for e in error.errors()})
        return render(request, DomainError("invalid_request", {"detail": ", ".join(fields)}))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code)
        if code is None:
            return JSONResponse(
                {"code": "http_error", "message": str(error.detail)}, status_code=error.status_code
            )
        response = render(request, DomainError(code))
        if error.headers:
            response.headers.update(error.headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("unhandled %s on %s %s", type(error).__name__, request.method, request.url.path)
        return render(request, DomainError("internal_error"))
