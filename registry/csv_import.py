"""Importing CSV files of records in batches, keeping good rows and reporting bad ones.

Rows are validated one by one; a bad row is reported with its line number and skipped, the good
ones are kept. Inserting ignores rows already present (by a unique key), so the same file can be
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
from registry.portable import insert_ignoring_duplicates

SQLITE_MAX_PARAMETERS = 32766


def batch_size(columns: int) -> int:
    """Rows per INSERT: SQLite takes at most 32766 parameters in one statement."""
    return SQLITE_MAX_PARAMETERS // columns - 1


@dataclass
class ImportReport:
    rows: int = 0
    inserted: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def already_present(self) -> int:
        return self.rows - len(self.bad) - self.inserted


def person(row: dict[str, str]) -> tuple[str, str]:
    """(name, ID number) of a row, normalized; ``ValueError`` in English if invalid."""
    try:
        return normalize_name(row["name"] or ""), normalize_id_number(row["id_number"] or "")
    except DomainError as error:
        raise ValueError(error.message("en")) from None


def iso_date(row: dict[str, str], column: str) -> date:
    try:
        return date.fromisoformat((row[column] or "").strip())
    except ValueError:
        raise ValueError(f"{column} must be a date YYYY-MM-DD") from None


def read_rows(
    path: Path,
    report: ImportReport,
    columns: tuple[str, ...],
    parse: Callable[[dict[str, str]], dict],
) -> Iterator[dict]:
    """Valid rows of a CSV file; bad ones go into ``report.bad`` with their line number."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"missing columns: {', '.join(missing)}")
        for row in reader:
            report.rows += 1
            try:
                yield parse(row)
            except (ValueError, TypeError) as error:
                report.bad.append((reader.line_num, str(error)))


async def insert_rows(
    session: AsyncSession,
    model,
    unique: list[str],
    rows: Iterable[dict],
    report: ImportReport,
    progress: Callable[[int], None],
    rows_per_batch: int,
) -> None:
    """Insert in batches, each committed; rows whose ``unique`` key exists are skipped."""
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= rows_per_batch:
            await _flush(session, model, unique, batch, report, progress)
    if batch:
        await _flush(session, model, unique, batch, report, progress)


async def _flush(session, model, unique, batch, report, progress) -> None:
    report.inserted += await insert_ignoring_duplicates(session, model, batch, unique)
    await session.commit()
    progress(len(batch))
    batch.clear()
