"""Importing legacy multi-site records (多地点执业) of the former policy.

They can be listed and cancelled, never added online; this import is how they arrive.
Idempotent on (ID number, institution).
"""

from collections.abc import Callable, Collection
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry import csv_import
from registry.csv_import import ImportReport, batch_size, iso_date, person
from registry.models import Institution, LegacySite

COLUMNS = ("name", "id_number", "institution_code", "registered_on")


def row_parser(institutions: Collection[str]) -> Callable[[dict[str, str]], dict]:
    def parse(row: dict[str, str]) -> dict:
        name, id_number = person(row)
        code = (row["institution_code"] or "").strip()
        if code not in institutions:
            raise ValueError(f"unknown institution {code!r}")
        return {"name": name, "id_number": id_number, "institution_code": code,
                "registered_on": iso_date(row, "registered_on")}  # fmt: skip

    return parse


async def import_file(
    session: AsyncSession,
    path: Path,
    progress: Callable[[int], None] = lambda _: None,
) -> ImportReport:
    report = ImportReport()
    known = set(await session.scalars(select(Institution.code)))
    rows = csv_import.read_rows(path, report, COLUMNS, row_parser(known))
    await csv_import.insert_rows(
        session,
        LegacySite,
        ["id_number", "institution_code"],
        rows,
        report,
        progress,
        batch_size(len(COLUMNS)),
    )
    return report
