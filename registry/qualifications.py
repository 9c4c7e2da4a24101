"""Importing qualification records (医师资格) in batches, as the exam results are published.

Idempotent on the certificate number: the same file can be imported again.
"""

from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
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
    return {
        "name": name,
        "id_number": id_number,
        "certificate_no": certificate_no,
        "level": _one_of(row, "level", Level),
        "category": _one_of(row, "category", Category),
        "issued_on": iso_date(row, "issued_on"),
    }


def _one_of(row: dict[str, str], column: str, kind: type[StrEnum]) -> str:
    """The cell's code, or an error naming the column and the codes it takes. The cell is not
    repeated: in a file whose columns slipped it may hold an ID number or a name."""
    cell = (row[column] or "").strip()
    try:
        return kind(cell).value
    except ValueError:
        codes = ", ".join(member.value for member in kind)
        held = "is empty" if not cell else "holds another value"
        raise ValueError(f"{column} {held}; it must be one of {codes}") from None


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
