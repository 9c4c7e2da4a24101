"""The ``ereg`` CLI, run as a real process: qualification import, staff logins, the demo."""

import os
import socket
import subprocess
import sys
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from registry.db import get_sessionmaker
from registry.models import Account, LegacySite, Qualification
from registry.passwords import verify_password

HEADER = "name,id_number,certificate_no,level,category,issued_on\n"


@pytest.fixture
def cli(settings):
    """Run ``ereg`` with the test database; returns exit code and output."""
    env = os.environ | {
        "EREG_DATABASE_URL": settings.database_url,
        "EREG_DATA_DIR": str(settings.data_dir),
        "COLUMNS": "200",
    }

    def run(*args: str) -> SimpleNamespace:
        done = subprocess.run(
            [sys.executable, "-m", "starter.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return SimpleNamespace(exit_code=done.returncode, output=done.stdout + done.stderr)

    return run


async def count(settings, model) -> int:
    async with get_sessionmaker(settings.database_url)() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_import_reports_bad_rows_keeps_good_ones_and_is_idempotent(
    cli, settings, faker, tmp_path
):
    good = [
        f"{faker.name()},{faker.ssn()},CERT{i:06d},physician,clinical,2026-11-01" for i in range(3)
    ]
    bad = [
        "Li Lei,110101199001011237,CERT900001,physician,clinical,2026-11-01",  # line 5
        f"{faker.name()},{faker.ssn()},CERT900002,nurse,clinical,2026-11-01",  # line 6
        f"{faker.name()},{faker.ssn()},CERT900003,assistant,clinical,01/11/2026",  # line 7
    ]
    path = tmp_path / "batch.csv"
    path.write_text(HEADER + "\n".join(good + bad) + "\n", encoding="utf-8")
    before = await count(settings, Qualification)

    result = cli("import-qualifications", str(path))
    assert result.exit_code == 2, result.output
    assert "line 5" in result.output and "line 6" in result.output and "line 7" in result.output
    assert "6 rows: 3 imported, 0 already present, 3 bad" in result.output
    assert await count(settings, Qualification) == before + 3

    again = cli("import-qualifications", str(path))
    assert "6 rows: 0 imported, 3 already present, 3 bad" in again.output
    assert await count(settings, Qualification) == before + 3


def test_import_refuses_a_file_without_the_columns(cli, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("name,id\n张三,1\n", encoding="utf-8")
    result = cli("import-qualifications", str(path))
    assert result.exit_code == 1
    assert "missing columns" in result.output


async def test_create_user(cli, settings):
    result = cli(
        "create-user",
        "--role",
        "institution_staff",
        "--username",
        "new_staff",
        "--password",
        "Strong-2026",
        "--institution",
        "H4301020001",
    )
    assert result.exit_code == 0, result.output
    async with get_sessionmaker(settings.database_url)() as session:
        account = await session.scalar(select(Account).where(Account.username == "new_staff"))
    assert account.role == "institution_staff"
    assert account.institution_code == "H4301020001"
    assert verify_password(account.password_hash, "Strong-2026")

    result = cli(
        "create-user",
        "--role",
        "institution_staff",
        "--username",
        "new_staff",
        "--password",
        "Strong-2026",
        "--institution",
        "H4301020001",
    )
    assert result.exit_code == 1 and "username_taken" in result.output
    result = cli(
        "create-user",
        "--role",
        "commission_officer",
        "--username",
        "officer_x",
        "--password",
        "Strong-2026",
        "--commission",
        "999999",
    )
    assert result.exit_code == 1 and "commission_not_found" in result.output
    result = cli(
        "create-user", "--role", "operator", "--username", "operator2", "--password", "weak"
    )
    assert result.exit_code == 1 and "password_weak" in result.output


async def test_import_legacy_sites(cli, settings, faker, tmp_path):
    good = [
        f"{faker.name()},{faker.ssn()},H4301020001,2015-06-01",
        f"{faker.name()},{faker.ssn()},H3301020001,2016-03-15",
    ]
    bad = [f"{faker.name()},{faker.ssn()},NOPE,2015-06-01"]  # line 4: unknown institution
    path = tmp_path / "legacy.csv"
    path.write_text(
        "name,id_number,institution_code,registered_on\n" + "\n".join(good + bad), encoding="utf-8"
    )

    result = cli("import-legacy-sites", str(path))
    assert result.exit_code == 2, result.output
    assert "line 4" in result.output and "unknown institution 'NOPE'" in result.output
    assert "3 rows: 2 imported, 0 already present, 1 bad" in result.output
    again = cli("import-legacy-sites", str(path))
    assert "3 rows: 0 imported, 2 already present, 1 bad" in again.output
    async with get_sessionmaker(settings.database_url)() as session:
        sites = list(await session.scalars(select(LegacySite).order_by(LegacySite.registered_on)))
    assert [(s.institution_code, s.registered_on, s.status) for s in sites] == [
        ("H4301020001", date(2015, 6, 1), "active"),
        ("H3301020001", date(2016, 3, 15), "active"),
    ]


def test_demo_without_a_running_stack_says_what_to_do(cli):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    done = cli("demo", "--api-url", f"http://127.0.0.1:{port}")
    assert done.exit_code == 1
    assert f"no ereg API answers at http://127.0.0.1:{port}" in done.output
    assert "make run" in done.output and "Traceback" not in done.output
