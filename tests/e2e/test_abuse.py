"""Holding up under abuse (issue #19): bursts of parallel requests against the limits, as an
attacker would send them — the API in process on its real database (SQLite, or PostgreSQL with
``EREG_TEST_DATABASE=postgresql``), every request of a burst started together
(``asyncio.gather``) so that they overlap in the database."""

import asyncio

import httpx
import pytest

from registry import ratelimit
from registry.db import session_scope
from registry.seed import DEMO_PASSWORD
from starter.api.main import create_app

STAFF = "staff_hunan"  # a demo login


@pytest.fixture
async def api(settings):
    transport = httpx.ASGITransport(app=create_app(settings), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ereg") as client:
        yield client


async def login(api: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await api.post("/api/v1/token", data={"username": username, "password": password})


async def test_a_burst_of_wrong_passwords_locks_the_username(api, settings):
    burst = await asyncio.gather(*(login(api, STAFF, f"Wrong-pass-{i}") for i in range(20)))
    statuses = sorted(response.status_code for response in burst)
    assert statuses == [401] * 5 + [429] * 15  # five tries were checked, no more
    right = await login(api, STAFF, DEMO_PASSWORD)
    assert (right.status_code, right.json()["code"]) == (429, "rate_limited")
    assert 800 < int(right.headers["Retry-After"]) <= 901
    async with session_scope(settings.database_url) as session:
        counted = await ratelimit.attempts_of(session, ratelimit.LOGIN_FAILURES_PER_USERNAME, STAFF)
    assert counted == 21  # every try counted, none lost


async def test_a_refresh_token_sent_twice_at_once_works_once_and_revokes_the_family(api):
    pair = (await login(api, STAFF, DEMO_PASSWORD)).json()
    body = {"refresh_token": pair["refresh_token"]}
    both = await asyncio.gather(*(api.post("/api/v1/token/refresh", json=body) for _ in range(2)))
    assert sorted(response.status_code for response in both) == [200, 401]
    winner = next(response.json() for response in both if response.status_code == 200)
    again = await api.post("/api/v1/token/refresh", json={"refresh_token": winner["refresh_token"]})
    assert (again.status_code, again.json()["code"]) == (401, "token_invalid")
    me = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {winner['access_token']}"})
    assert (me.status_code, me.json()["code"]) == (401, "token_invalid")
