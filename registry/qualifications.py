"""Importing qualification records (医师资格) in batches, as the exam results are published.

Idempotent on the certificate number: the same file can be imported again.
"""

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from registry import csv_import
from registry.csv_import import ImportReport, batch_size, iso_date, person
from registry.models import Qualification
from registry.reference import Category, Level

COLUMNS = ("name", "id_number", "certificate_no", "level", "category", "issued_on")
BATCH = batch_size(len(COLUMNS))
__all__ = ["COLUMNS", "ImportReport", "import_rows", "parse_row", "read_rows"]


def parse_row(row: dict[str, str]) -> dict:
    """A validated row ready to insert; raises ``ValueError`` saying what is wrong."""
    name, id_number = person(row)
    certificate_no = (row["certificate_no"] or "").strip()
    if not 1 <= len(certificate_no) <= 32:
        raise ValueError("certificate_no is empty or longer than 32 characters")
    try:
        level = Level((row["level"] or "").strip())
        category = Category((row["category"] or "").strip())
    except ValueError as error:
        raise ValueError(str(error)) from None
    return {
        "name": name,
        "id_number": id_number,
        "certificate_no": certificate_no,
        "level": level.value,
        "category": category.value,
        "issued_on": iso_date(row, "issued_on"),
    }


def read_rows(path: Path, report: ImportReport) -> Iterator[dict]:
    return csv_import.read_rows(path, report, COLUMNS, parse_row)


async def import_rows(
    session: AsyncSession,
    rows: Iterable[dict],
    report: ImportReport,
    progress: Callable[[int], None] = lambda _: None,
) -> None:
    await csv_import.insert_rows(
        session, Qualification, ["certificate_no"], rows, report, progress, BATCH
    )
