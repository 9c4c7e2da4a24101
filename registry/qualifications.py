"""Importing qualification records (医师资格) in batches, as the exam results are published.

Rows are validated one by one; a bad row is reported with its line number and skipped, the good
ones are kept. Inserting is idempotent on the certificate number, so the same file can be
imported again.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from registry.errors import DomainError
from registry.identifiers import normalize_id_number, normalize_name
from registry.models import Qualification
from registry.portable import insert_ignoring_duplicates
from registry.reference import Category, Level

COLUMNS = ("name", "id_number", "certificate_no", "level", "category", "issued_on")
BATCH = 4000  # 6 columns × 4000 stays under SQLite's 32766 parameters


@dataclass
class ImportReport:
    rows: int = 0
    inserted: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def already_present(self) -> int:
        return self.rows - len(self.bad) - self.inserted


def parse_row(row: dict[str, str]) -> dict:
    """A validated row ready to insert; raises ``ValueError`` saying what is wrong."""
    try:
        name = normalize_name(row["name"] or "")
        id_number = normalize_id_number(row["id_number"] or "")
    except DomainError as error:
        raise ValueError(error.message("en")) from None
    certificate_no = (row["certificate_no"] or "").strip()
    if not 1 <= len(certificate_no) <= 32:
        raise ValueError("certificate_no is empty or longer than 32 characters")
    try:
        level = Level((row["level"] or "").strip())
        category = Category((row["category"] or "").strip())
    except ValueError as error:
        raise ValueError(str(error)) from None
    try:
        issued_on = date.fromisoformat((row["issued_on"] or "").strip())
    except ValueError:
        raise ValueError("issued_on must be a date YYYY-MM-DD") from None
    return {
        "name": name,
        "id_number": id_number,
        "certificate_no": certificate_no,
        "level": level.value,
        "category": category.value,
        "issued_on": issued_on,
    }


def read_rows(path: Path, report: ImportReport) -> Iterator[dict]:
    """Valid rows of a CSV file; bad ones go into ``report.bad`` with their line number."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"missing columns: {', '.join(missing)}")
        for row in reader:
            report.rows += 1
            try:
                yield parse_row(row)
            except (ValueError, TypeError) as error:
                report.bad.append((reader.line_num, str(error)))


async def import_rows(
    session: AsyncSession,
    rows: Iterable[dict],
    report: ImportReport,
    progress: Callable[[int], None] = lambda _: None,
) -> None:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            await _flush(session, batch, report, progress)
    if batch:
        await _flush(session, batch, report, progress)


async def _flush(session, batch, report, progress) -> None:
    report.inserted += await insert_ignoring_duplicates(
        session, Qualification, batch, ["certificate_no"]
    )
    await session.commit()
    progress(len(batch))
    batch.clear()
