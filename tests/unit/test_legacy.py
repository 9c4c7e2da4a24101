"""Importing legacy multi-site records (多地点执业, ``registry/legacy.py``): what a good row
becomes, which rows are reported bad and why, and that the import is idempotent on (ID number,
institution) — the same person at another institution is another record. On a copy of the
migrated, seeded database (SQLite here; the PostgreSQL run takes the ``COPY`` path)."""

from datetime import date

import pytest
from sqlalchemy import select

from registry import legacy
from registry.models import LegacySite
from tests.unit.test_batches import id_number, session, template  # noqa: F401 (fixtures)

# ruff: noqa: F811 (a test names the imported fixture ``session``)

HUNAN, ANJI = "H4301020001", "H3305230001"
HEADER = "name,id_number,institution_code,registered_on\n"


def write(tmp_path, *lines: str, header: str = HEADER):
    path = tmp_path / "legacy.csv"
    path.write_text(header + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


async def sites(session) -> list[tuple]:
    rows = await session.execute(
        select(
            LegacySite.name,
            LegacySite.id_number,
            LegacySite.institution_code,
            LegacySite.registered_on,
            LegacySite.status,
        ).order_by(LegacySite.id)
    )
    return [tuple(row) for row in rows]


def test_a_row_names_a_known_institution():
    parse = legacy.row_parser({HUNAN})
    number = id_number()
    assert parse(
        {"name": " 李明 ", "id_number": number, "institution_code": f" {HUNAN} ",
         "registered_on": " 2015-06-01 "}
    ) == {"name": "李明", "id_number": number, "institution_code": HUNAN,
          "registered_on": date(2015, 6, 1)}  # fmt: skip
    with pytest.raises(ValueError, match="unknown institution 'H9999999999'"):
        parse({"name": "李明", "id_number": number, "institution_code": "H9999999999",
               "registered_on": "2015-06-01"})  # fmt: skip
    with pytest.raises(ValueError, match="unknown institution ''"):
        parse({"name": "李明", "id_number": number, "institution_code": None,
               "registered_on": "2015-06-01"})  # fmt: skip


async def test_an_import_keeps_good_rows_reports_bad_ones_and_is_idempotent(session, tmp_path):
    first, second = id_number(), id_number()
    path = write(
        tmp_path,
        f"李明,{first},{HUNAN},2015-06-01",
        f"李明,{first},{ANJI},2016-07-02",  # the same person at another institution
        f"王芳,{second},H9999999999,2015-06-01",
        f"王芳,{second},{HUNAN},2015-13-01",
        f"X,{second},{HUNAN},2015-06-01",
    )
    progress: list[int] = []
    report = await legacy.import_file(session, path, progress.append)
    assert (report.rows, report.inserted, report.already_present) == (5, 2, 0)
    assert [line for line, _ in report.bad] == [4, 5, 6]
    assert "unknown institution" in report.bad[0][1]
    assert "registered_on must be a date YYYY-MM-DD" in report.bad[1][1]
    assert progress == [2]
    assert await sites(session) == [
        ("李明", first, HUNAN, date(2015, 6, 1), "active"),
        ("李明", first, ANJI, date(2016, 7, 2), "active"),
    ]
    # again, with one more row: only the new one is added
    path = write(
        tmp_path,
        f"李明,{first},{HUNAN},2015-06-01",
        f"李明,{first},{ANJI},2016-07-02",
        f"王芳,{second},{HUNAN},2017-01-03",
    )
    again = await legacy.import_file(session, path)
    assert (again.rows, again.inserted, again.already_present, again.bad) == (3, 1, 2, [])
    assert len(await sites(session)) == 3


async def test_a_file_without_the_institution_column_is_refused(session, tmp_path):
    path = write(tmp_path, "李明,1,2015-06-01", header="name,id_number,registered_on\n")
    with pytest.raises(ValueError, match="missing columns: institution_code"):
        await legacy.import_file(session, path)
