"""``ereg dev`` (what ``make run`` runs): one command starts everything, Ctrl-C stops everything,
and a second start resumes with the data and the running workflows intact."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import httpx
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from registry.seed import DEMO_PASSWORD, DEMO_PHYSICIANS
from starter.dev import free_port, register_search_attributes, temporal_cli
from tests.conftest import drop_database, make_settings, new_database_url
from workflows import search_attributes


def start_dev(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "starter.cli", "dev"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(api: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode()
        try:
            if httpx.get(f"{api}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("ereg dev did not become healthy")


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 0, output
    return output


def children_alive(data_dir) -> list[str]:
    """Processes still running from this data directory (there should be none)."""
    found = subprocess.run(["pgrep", "-af", str(data_dir)], capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if "pgrep" not in line]


def test_dev_runs_stops_cleanly_and_resumes(tmp_path):
    ports = {name: free_port() for name in ("temporal", "ui", "api", "smtp")}
    database_url = asyncio.run(new_database_url(tmp_path))
    env = os.environ | {
        "EREG_DATA_DIR": str(tmp_path / "data"),
        "EREG_DATABASE_URL": database_url,
        "EREG_TEMPORAL_ADDRESS": f"127.0.0.1:{ports['temporal']}",
        "EREG_TEMPORAL_UI_PORT": str(ports["ui"]),
        "EREG_API_PORT": str(ports["api"]),
        "EREG_SMTP_PORT": str(ports["smtp"]),
    }
    api = f"http://127.0.0.1:{ports['api']}"
    qualified = DEMO_PHYSICIANS[0]
    who = {
        "username": "resumer",
        "password": "Secret-2026",
        "name": qualified.name,
        "id_number": qualified.id_number,
        "phone": "13900001111",
        "email": "resumer@example.com",
        "institution_code": "H4301020001",
    }

    first = start_dev(env)
    try:
        wait_healthy(api, first)
        response = httpx.post(f"{api}/api/v1/signup", json=who)
        assert response.status_code == 201, response.text
        assert httpx.get(f"http://127.0.0.1:{ports['ui']}/", timeout=5).status_code == 200
        # The UI is told to decode payloads through the API's codec, and the codec answers it.
        ui = httpx.get(f"http://127.0.0.1:{ports['ui']}/api/v1/settings", timeout=5).json()
        assert ui["Codec"]["Endpoint"] == f"{api}/codec"
        preflight = httpx.options(
            f"{api}/codec/decode",
            headers={
                "Origin": f"http://127.0.0.1:{ports['ui']}",
                "Access-Control-Request-Method": "POST",
            },
        )
        assert preflight.status_code == 200, preflight.text
    finally:
        output = stop(first)
    assert "ereg is running" in output and "staff_hunan" in output and DEMO_PASSWORD in output
    assert "stopped; data kept in" in output
    assert children_alive(tmp_path / "data") == []

    second = start_dev(env)
    try:
        wait_healthy(api, second)
        token = httpx.post(
            f"{api}/api/v1/token", data={"username": "resumer", "password": who["password"]}
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        me = httpx.get(f"{api}/api/v1/me", headers=headers).json()
        assert me["activation"]["state"] == "awaiting_verification"
        sent = httpx.post(
            f"{api}/api/v1/me/verification/send",
            headers=headers,
            json={"channel": "sms"},
            timeout=30,
        )
        assert sent.status_code == 200, "the workflow started before the restart still runs"
    finally:
        stop(second)
        asyncio.run(drop_database(database_url))
    assert children_alive(tmp_path / "data") == []


async def test_a_dev_server_kept_from_an_older_version_gets_the_new_search_attributes(tmp_path):
    """``--search-attribute`` only registers on a new dev server database; ereg dev adds the
    ones a kept database lacks, before any workflow upserts them."""
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        search_attributes=search_attributes.ALL[:1],
    ) as env:
        settings = make_settings(
            tmp_path,
            "sqlite+aiosqlite:///unused.db",
            temporal_address=env.client.service_client.config.target_host,
        )
        await register_search_attributes(settings)
        known = await env.client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=env.client.namespace)
        )
    assert {
        name: known.custom_attributes[name]
        for name in known.custom_attributes
        if name in {key.name for key in search_attributes.ALL}
    } == {key.name: key.indexed_value_type for key in search_attributes.ALL}
