"""What operators rely on: readiness, the API's request metrics and the worker's SDK metrics."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import Client

from infra.temporal import connect
from starter.api.main import create_app
from starter.dev import free_port
from worker import build_worker, metrics_runtime


@asynccontextmanager
async def in_process(settings, client: Client) -> AsyncIterator[httpx.AsyncClient]:
    """A second API app on other settings, called in process (lifespan included)."""
    app = create_app(settings, client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ereg") as api:
            yield api


def samples(text: str, name: str) -> dict[tuple, float]:
    """``{(method, route, status): value}`` of one labelled metric in an exposition."""
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


async def test_ready_when_database_and_temporal_answer(stack):
    response = await stack.api.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "temporal": "ok"}}
    assert (await stack.api.get("/healthz")).json() == {"status": "ok"}


async def test_not_ready_without_the_database(stack, tmp_path):
    bad = stack.settings.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'ereg.db'}"}
    )
    async with in_process(bad, stack.client) as api:
        response = await api.get("/readyz", headers={"Accept-Language": "en"})
        alive = await api.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["temporal"] == "ok"
    assert body["checks"]["database"] != "ok"
    assert alive.status_code == 200  # liveness does not depend on the database


async def test_not_ready_without_temporal(stack):
    nowhere = await Client.connect(f"127.0.0.1:{free_port()}", lazy=True)
    async with in_process(stack.settings, nowhere) as api:
        response = await api.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["temporal"]


async def test_metrics_count_requests_by_route_template_and_status(stack):
    before = samples((await stack.api.get("/metrics")).text, "ereg_http_requests_total")
    for _ in range(3):
        assert (await stack.api.get("/healthz")).status_code == 200
    # Two accounts, one route: the account id is not a label.
    for account_id in (987654321, 987654322):
        response = await stack.api.post(f"/api/v1/institution/activations/{account_id}/code")
        assert response.status_code == 401
    assert (await stack.api.get("/no/such/path/13900001111")).status_code == 404

    exposition = (await stack.api.get("/metrics")).text
    after = samples(exposition, "ereg_http_requests_total")

    def grew(key: tuple) -> float:
        return after.get(key, 0) - before.get(key, 0)

    assert grew(("GET", "/healthz", "200")) == 3
    assert grew(("POST", "/api/v1/institution/activations/{account_id}/code", "401")) == 2
    assert grew(("GET", "unmatched", "404")) == 1
    assert "987654321" not in exposition and "13900001111" not in exposition
    latency = samples(exposition, "ereg_http_request_duration_seconds_count")
    assert latency[("GET", "/healthz", "200")] >= 3


async def test_worker_serves_sdk_metrics_to_prometheus(stack):
    address = f"127.0.0.1:{free_port()}"
    settings = stack.settings.model_copy(
        update={"worker_metrics_address": address, "task_queue": f"metrics-{uuid.uuid4()}"}
    )
    client = await connect(settings, metrics_runtime(settings))
    async with build_worker(client, settings), httpx.AsyncClient() as http:
        for _ in range(100):
            exposition = (await http.get(f"http://{address}/metrics")).text
            if "temporal_worker_task_slots_available" in exposition:
                break
            await asyncio.sleep(0.1)
    assert "temporal_worker_task_slots_available" in exposition
    assert f'task_queue="{settings.task_queue}"' in exposition
