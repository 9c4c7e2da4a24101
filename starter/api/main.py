"""The FastAPI application."""

import logging
import time
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from temporalio.client import Client

from infra.codec import EncryptionCodec
from infra.temporal import connect, keyring
from registry.certificates import load_keys
from registry.settings import Settings, get_settings
from starter import web
from starter.api import errors, limits
from starter.api.routes import (
    applications,
    audit,
    auth,
    batches,
    bulk,
    claims,
    codec,
    codec_login,
    dev,
    documents,
    institution,
    institutions,
    me,
    ops,
    profile,
    public,
    reference,
    refusals,
    reviews,
    security,
    staff,
)

log = logging.getLogger("ereg.api")

# JSON only, never framed, never cached (responses may carry personal data).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Strict-Transport-Security": "max-age=31536000",
}


def create_app(settings: Settings | None = None, temporal: Client | None = None) -> FastAPI:
    """The API; tests pass their own settings and Temporal client."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.temporal = temporal or await connect(settings)
        yield

    app = FastAPI(
        title="ereg — 医师电子化注册系统",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # /docs: served by starter.web in dev mode, with its assets from the app
        redoc_url=None,
        description="Physician electronic registration. Errors are "
        '`{"code", "message"}`; messages are Chinese unless `Accept-Language` prefers English.',
    )
    app.state.settings = settings
    app.state.codec = EncryptionCodec(keyring(settings))
    app.state.signing_keys = load_keys(
        settings.certificate_signing_key, settings.certificate_signing_key_file
    )
    errors.install(app)
    # Innermost first: a 500 or a 413 is answered inside the middleware below, so it still gets
    # the security headers and its access-log line.
    app.add_middleware(errors.LastResort)
    app.add_middleware(limits.BodyLimit, settings=settings)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,  # the UI's codec calls carry the operator's sign-in cookie
        allow_methods=["GET", "POST", "PUT", "PATCH"],
        allow_headers=["Authorization", "Content-Type", "Accept-Language", "X-Namespace"],
    )

    api = APIRouter(prefix="/api/v1")
    for module in (auth, institutions, reference, me, institution, applications, audit, dev):
        api.include_router(module.router)
    for module in (security, profile, reviews, documents, public, refusals):
        api.include_router(module.router)
    for module in (batches, bulk, claims, staff):  # institutions at scale
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(public.well_known)
    app.include_router(codec.router)
    app.include_router(codec_login.router)
    app.include_router(ops.router)
    ops.install_metrics(app)

    @app.middleware("http")
    async def access_log(request: Request, call_next):
        # Path only: query strings may carry phones or emails.
        started = time.perf_counter()
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if not request.url.path.startswith(("/docs", "/redoc")):
            response.headers["Content-Security-Policy"] = (
                "default-src 'none'; frame-ancestors 'none'"
            )
        log.info(
            "%s %s %d %.1fms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    web.install(app)  # last: its middleware has the last word on the pages' headers
    return app
