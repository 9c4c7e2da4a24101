"""What operators and the orchestrator ask of each API process: alive, ready, metrics.

``/healthz`` only says the process answers (a failing liveness probe restarts it, which cures
nothing when the database is down); ``/readyz`` says whether it can serve (a load balancer stops
sending traffic to a replica that cannot reach the database or Temporal); ``/metrics`` is for
Prometheus. None of them should be routed from the internet.
"""

import asyncio
import time
from collections.abc import Awaitable

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from sqlalchemy import text
from temporalio.client import Client
from temporalio.service import RPCError

from registry.db import get_engine
from registry.errors import DomainError
from starter.api.deps import SettingsDep

router = APIRouter(tags=["ops"])

READY_TIMEOUT = 3.0  # seconds per check: a probe must answer before the prober gives up

# Labelled by route template, not path: /institution/activations/{account_id}/code is one series
# however many accounts there are, and no identifier reaches the metrics.
REQUESTS = Counter("ereg_http_requests", "HTTP requests served", ["method", "route", "status"])
LATENCY = Histogram(
    "ereg_http_request_duration_seconds",
    "Time to serve an HTTP request",
    ["method", "route", "status"],
)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request, settings: SettingsDep) -> dict:
    """Readiness: the database answers ``SELECT 1`` and the Temporal frontend is serving."""
    client: Client | None = getattr(request.app.state, "temporal", None)
    database, temporal = await asyncio.gather(
        _check(_database(settings.database_url)), _check(_temporal(client))
    )
    checks = {"database": database, "temporal": temporal}
    failed = [part for part, outcome in checks.items() if outcome != "ok"]
    if failed:
        raise DomainError("service_unavailable", {"failed": failed, "checks": checks})
    return {"status": "ready", "checks": checks}


@router.get("/metrics")
async def metrics() -> Response:
    """This process's request counters and latencies, plus Python process metrics."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


async def _check(probe: Awaitable[None]) -> str:
    """``ok``, or what went wrong by exception type (a message may quote a URL with a password)."""
    try:
        await asyncio.wait_for(probe, READY_TIMEOUT)
    except TimeoutError:
        return "timeout"
    except RPCError as error:  # the gRPC status says which way Temporal failed, and no secret
        return f"{type(error).__name__}:{error.status.name}"
    except Exception as error:  # any failure means not ready
        return type(error).__name__
    return "ok"


async def _database(url: str) -> None:
    async with get_engine(url).connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _temporal(client: Client | None) -> None:
    if client is None:
        raise ConnectionError("no Temporal client yet")
    # retry=True: a call on a connection the server has just closed fails once although
    # Temporal is serving (seen once in CI mid-fuzz as RPCError); the SDK's retries reconnect
    # within READY_TIMEOUT, so one transient failure does not pull a healthy replica.
    if not await client.service_client.check_health(retry=True):
        raise ConnectionError("Temporal is not serving")


def install_metrics(app: FastAPI) -> None:
    """Count and time every request by method, route template and status."""

    @app.middleware("http")
    async def measure(request: Request, call_next):
        started, status = time.perf_counter(), 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            labels = (request.method, route_template(request), str(status))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(time.perf_counter() - started)


def route_template(request: Request) -> str:
    """The matched route's path template with its routers' prefixes; ``unmatched`` if none.

    A route included from a router knows only its own part of the path (``/me/activation``), so
    the prefix is taken from the request path, up to where the route's pattern matches.
    """
    route = request.scope.get("route")
    template, pattern = getattr(route, "path", None), getattr(route, "path_regex", None)
    if template is None or pattern is None:
        return "unmatched"
    path = request.scope["path"]
    for cut in (index for index, char in enumerate(path) if char == "/"):
        if pattern.match(path[cut:]):
            return path[:cut] + template
    return template
