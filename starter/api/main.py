"""The FastAPI application."""

import logging
import time
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from temporalio.client import Client

from registry.settings import Settings, get_settings
from starter.api import errors
from starter.api.routes import applications, auth, dev, institution, institutions, me
from starter.temporal import connect

log = logging.getLogger("ereg.api")


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
        description="Physician electronic registration. Errors are "
        '`{"code", "message"}`; messages are Chinese unless `Accept-Language` prefers English.',
    )
    app.state.settings = settings
    errors.install(app)

    api = APIRouter(prefix="/api/v1")
    for module in (auth, institutions, me, institution, applications, dev):
        api.include_router(module.router)
    app.include_router(api)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.middleware("http")
    async def access_log(request: Request, call_next):
        # Path only: query strings may carry phones or emails.
        started = time.perf_counter()
        response = await call_next(request)
        log.info(
            "%s %s %d %.1fms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    return app
