"""Every error leaves the API as ``{"code", "message", ...}`` in the caller's language."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.service import RPCError, RPCStatusCode

from infra.logs import exception_summary
from registry import text
from registry.errors import DomainError, Localized

log = logging.getLogger("ereg.api")

_HTTP_CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found"}
_OUT_OF_RANGE = Localized("数值超出范围", "a value out of range")
_UNAVAILABLE = {
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.RESOURCE_EXHAUSTED,
}


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


# What every error response is, in the OpenAPI spec too (FastAPI would document 422 as its own
# validation-error list, which this API never sends).
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "description": "A stable `code`, a `message` in the caller's language (Chinese unless "
    "`Accept-Language` prefers English) and the code's parameters, such as `detail` (the "
    "fields of an invalid request) or `retry_after` (seconds).",
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    "required": ["code", "message"],
    "additionalProperties": True,
}


def _document_errors(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schemas = generate().get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = ERROR_SCHEMA
        return app.openapi_schema

    app.openapi = openapi


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    for _ in range(10):  # a chain, not a cycle
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def install(app: FastAPI) -> None:
    _document_errors(app)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        return render(request, error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        # Field locations only: the rejected values may be personal data.
        return render(request, text.refusal(error.errors()))

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

    @app.exception_handler(RPCError)
    async def temporal_error(request: Request, error: RPCError) -> JSONResponse:
        # Temporal unreachable or overloaded: a passing outage, not a fault of the request.
        if error.status in _UNAVAILABLE:
            log.warning("temporal unavailable on %s %s", request.method, request.url.path)
            return render(request, DomainError("service_unavailable", {"retry_after": 5}))
        return await unexpected(request, error)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, error: DBAPIError) -> JSONResponse:
        # The database gone (connection refused or cut): as for Temporal, try again later.
        if error.connection_invalidated or isinstance(error, OperationalError | InterfaceError):
            log.warning("database unavailable on %s %s", request.method, request.url.path)
            return render(request, DomainError("service_unavailable", {"retry_after": 5}))
        if isinstance(error, DataError) or _caused_by(error, OverflowError):
            # PostgreSQL: a value no column can hold (an id beyond 32 bits, say).
            return render(request, DomainError("invalid_request", {"detail": _OUT_OF_RANGE}))
        return await unexpected(request, error)

    @app.exception_handler(OverflowError)
    async def overflow_error(request: Request, error: OverflowError) -> JSONResponse:
        # SQLite: an integer (an id in the path, a body or the query) beyond 64 bits.
        return render(request, DomainError("invalid_request", {"detail": _OUT_OF_RANGE}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log_unhandled(request, error)
        return render(request, DomainError("internal_error"))


def log_unhandled(request: Request, error: BaseException) -> None:
    """The exception's type and frames, never its message: a database error quotes the row it
    refused, a ``UnicodeEncodeError`` the text it could not encode."""
    summary = exception_summary(error)
    log.error(
        "unhandled %s on %s %s; stack: %s",
        summary["exception"],
        request.method,
        request.url.path,
        summary["stack"],
    )


class LastResort:
    """A 500 as the last resort, answered *inside* the app's middleware.

    Starlette answers an unhandled exception in its outermost layer, outside every middleware:
    the 500 then had no security headers and no access-log line, and the server logged the
    traceback with its message. Here the exception becomes the app's own ``internal_error``
    (JSON, or the portal's error page in the reader's language on a page path) before the
    middleware that adds headers and logs the request sees the response; only its type and
    frames are logged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracked(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as error:
            if started:  # too late to answer otherwise; the server closes the connection
                raise
            request = Request(scope)
            log_unhandled(request, error)
            handler = scope["app"].exception_handlers[DomainError]
            response = await handler(request, DomainError("internal_error"))
            await response(scope, receive, send)
