"""What the API answers when a part it needs is down, or a value cannot be stored.

A database or Temporal that cannot be reached is a passing outage: 503 ``service_unavailable``
with ``Retry-After``, never 500 (the fault tests see the Temporal case on a real server). A
number beyond what the database holds is the caller's: 422 ``invalid_request``.
"""

import httpx
from sqlalchemy import select
from temporalio.service import RPCError, RPCStatusCode

from registry import tokens
from registry.db import session_scope
from registry.models import Account, Application
from starter.api.main import create_app
from tests.conftest import make_settings


class TemporalDown:
    """A Temporal client whose every call fails as an unreachable frontend does."""

    def get_workflow_handle(self, *args, **kwargs):
        raise RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b"")

    get_workflow_handle_for = get_workflow_handle


def api(app) -> httpx.AsyncClient:
    app.state.temporal = TemporalDown()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://ereg")


async def test_database_unreachable_is_503(tmp_path):
    gone = f"sqlite+aiosqlite:///{tmp_path / 'no-such-dir' / 'ereg.db'}"
    async with api(create_app(make_settings(tmp_path, gone))) as client:
        response = await client.get("/api/v1/institutions")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response.headers["Retry-After"] == "5"


async def test_temporal_unreachable_is_503(settings):
    async with session_scope(settings.database_url) as session:
        staff = await session.scalar(select(Account).where(Account.username == "staff_hunan"))
        doctor = Account(username="outage_doc", password_hash="x", role="physician")
        session.add(doctor)
        await session.flush()
        session.add(
            Application(
                application_no="20260101000009",
                type="registration",
                account_id=doctor.id,
                filed_by=doctor.id,
                institution_code=staff.institution_code,
                commission_code="430000",
                province_code="430000",
                details={},
                state="awaiting_institution",
            )
        )
        token = (await tokens.issue_pair(session, settings, staff))["access_token"]
    async with api(create_app(settings)) as client:
        response = await client.post(
            "/api/v1/applications/20260101000009/institution-decision",
            headers={"Authorization": f"Bearer {token}"},
            json={"decision": "approve"},
        )
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "service_unavailable"


async def test_a_number_beyond_the_database_is_422(settings):
    async with api(create_app(settings)) as client:
        response = await client.get("/api/v1/institutions", params={"offset": 2**70})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
