"""The login limit per username, through the API in process (its real database, no Temporal).

Five wrong passwords in 15 minutes lock a username. What these tests pin is what a person
sees: the count starts again after a successful login, and the username is one however it is
capitalised (logins are case-insensitive, so the limit must be too).
"""

import httpx
import pytest

from registry.seed import DEMO_PASSWORD
from starter.api.main import create_app

STAFF = "staff_hunan"  # a demo login


@pytest.fixture
async def api(settings):
    transport = httpx.ASGITransport(app=create_app(settings), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ereg") as client:
        yield client


async def login(api: httpx.AsyncClient, username: str, password: str) -> int:
    response = await api.post("/api/v1/token", data={"username": username, "password": password})
    if response.status_code == 429:
        assert response.json()["code"] == "rate_limited"
    return response.status_code


async def test_a_successful_login_starts_the_count_again(api):
    for _ in range(4):
        assert await login(api, STAFF, "Wrong-pass-1") == 401
    assert await login(api, STAFF, DEMO_PASSWORD) == 200

    # Four more wrong ones are four, not eight: the username is not locked.
    assert [await login(api, STAFF, "Wrong-pass-1") for _ in range(4)] == [401] * 4
    assert await login(api, STAFF, DEMO_PASSWORD) == 200


async def test_the_limit_counts_a_username_however_it_is_capitalised(api):
    typed = ["STAFF_HUNAN", "Staff_Hunan", "staff_HUNAN", " staff_hunan ", "sTaFf_HuNaN"]
    assert [await login(api, name, "Wrong-pass-1") for name in typed] == [401] * 5

    # Five wrong tries under five spellings lock the one username, in every spelling.
    assert await login(api, STAFF, DEMO_PASSWORD) == 429
    assert await login(api, "STAFF_HUNAN", DEMO_PASSWORD) == 429
    assert await login(api, "staff_anji", DEMO_PASSWORD) == 200  # another username is not
