"""Migration 0007 on data stored before it (SQLite, or PostgreSQL with EREG_TEST_DATABASE).

A database at the revisions before 0007, filled as the previous code left it, is upgraded:
cancelled registrations get their ground (and a refusal period for grounds 2–4), applications
say on whose authority they were filed, a department chosen at a registration's institution
moves to that registration, and a refusal recorded as ``rule:<code>`` gets its words.
"""

import asyncio
import json

from sqlalchemy import text

from registry.db import dispose, get_engine
from registry.migrations import upgrade
from tests.conftest import drop_database, new_database_url

ROWS = [
    "INSERT INTO divisions (code, name_zh, name_en, level) VALUES "
    "('430000', '湖南省', 'Hunan', 'province')",
    "INSERT INTO commissions (code, name, division_code) VALUES "
    "('430000', '湖南省卫健委', '430000')",
    "INSERT INTO institutions (code, name, division_code, province_code, commission_code, "
    "auto_activate) VALUES ('H1', '医院', '430000', '430000', '430000', false)",
    "INSERT INTO accounts (id, username, password_hash, role, id_number, institution_code, "
    "created_at, token_version) VALUES "
    "(1, 'doc', 'x', 'physician', '430581199001011234', 'H1', '2026-01-01 00:00:00', 0), "
    "(2, 'staff', 'x', 'institution_staff', NULL, 'H1', '2026-01-01 00:00:00', 0), "
    "(3, 'doc2', 'x', 'physician', '430581199001015678', 'H1', '2026-01-01 00:00:00', 0)",
    "INSERT INTO registrations (id, id_number, name, level, category, location_code, "
    "institution_code, status, registered_on, ended_on) VALUES "
    "(10, '430581199001011234', '张伟', 'physician', 'clinical', '430000', 'H1', 'cancelled', "
    "'2020-01-01', '2026-03-01'), "
    "(11, '430581199001015678', '王芳', 'physician', 'clinical', '430000', 'H1', 'cancelled', "
    "'2020-01-01', '2026-04-01'), "
    "(12, '430581199001015678', '王芳', 'physician', 'clinical', '430000', 'H1', 'active', "
    "'2026-05-01', NULL)",
    "INSERT INTO applications (id, application_no, type, account_id, filed_by, registration_id, "
    "institution_code, commission_code, province_code, details, state, overdue, created_at, "
    "updated_at) VALUES "
    "(20, '20260301000020', 'cancellation', 1, 2, 10, 'H1', '430000', '430000', {staff_report}, "
    "'completed', false, '2026-03-01 00:00:00', '2026-03-01 00:00:00'), "
    "(21, '20260501000021', 'registration', 3, 3, NULL, 'H1', '430000', '430000', {own}, "
    "'rejected', false, '2026-05-01 00:00:00', '2026-05-01 00:00:00')",
    "INSERT INTO application_events (application_no, at, action, actor_role, state, comment, "
    "workflow_event) VALUES ('20260501000021', '2026-05-02 00:00:00', 'refused_at_completion', "
    "'commission_officer', 'rejected', 'rule:assistant_single_location', '20260501000021:4')",
    "INSERT INTO departments (id, institution_code, name, position, active) VALUES "
    "(30, 'H1', '内科', 0, true)",
    "INSERT INTO physician_profiles (account_id, department_id, updated_at) VALUES "
    "(3, 30, '2026-05-01 00:00:00')",
]


async def _fill(url: str) -> None:
    params = {
        "staff_report": json.dumps({"fields": {"registration_id": 10, "ground": 3}}),
        "own": json.dumps({"fields": {"institution_code": "H1"}}),
    }
    # A JSON parameter: cast on PostgreSQL; SQLite keeps JSON as text (a cast would make it 0).
    json_of = "CAST(:{} AS JSON)" if url.startswith("postgresql") else ":{}"
    async with get_engine(url).begin() as connection:
        for statement in ROWS:
            if "{" in statement:
                statement = statement.format(**{key: json_of.format(key) for key in params})
            await connection.execute(
                text(statement), {k: v for k, v in params.items() if f":{k}" in statement}
            )
    await dispose(url)


async def _read(url: str, query: str) -> list:
    async with get_engine(url).connect() as connection:
        return list((await connection.execute(text(query))).all())


async def test_existing_data_is_migrated(tmp_path):
    url = await new_database_url(tmp_path)
    try:
        await asyncio.to_thread(upgrade, url, "0006")
        await asyncio.to_thread(upgrade, url, "0002")
        await _fill(url)
        await asyncio.to_thread(upgrade, url)

        registrations = await _read(
            url,
            "SELECT id, cancellation_ground, ground_arose_on, department_id FROM registrations "
            "ORDER BY id",
        )
        assert [(r[0], r[1], r[3]) for r in registrations] == [
            (10, 3, None),  # the ground of the cancellation that ended it
            (11, 10, None),  # no application on record: own request, date unknown
            (12, None, 30),  # the department chosen at this registration's institution
        ]
        assert all(r[2] is None for r in registrations)
        bars = await _read(
            url, "SELECT id_number, ground, starts_on, ends_on FROM registration_bars"
        )
        # two years from the cancellation: the date of the revocation was not recorded then
        assert [(b[0], b[1], str(b[2]), str(b[3])) for b in bars] == [
            ("430581199001011234", "certificate_revoked", "2026-03-01", "2028-03-01")
        ]
        details = dict(await _read(url, "SELECT id, details FROM applications"))
        filed_as = {
            key: (json.loads(value) if isinstance(value, str) else value)["filed_as"]
            for key, value in details.items()
        }
        assert filed_as == {20: "institution", 21: "physician"}
        [(code, zh, en)] = await _read(
            url, "SELECT reason_code, comment, comment_en FROM application_events"
        )
        assert code == "assistant_single_location"
        assert zh == "执业助理医师只能注册一个执业地点。"
        assert en == "An assistant physician registers exactly one practice location."
    finally:
        await drop_database(url)
