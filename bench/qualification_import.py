"""Qualification import: a generated CSV of valid rows into SQLite and PostgreSQL.

The file is written once per run (names from a list, ID numbers built with their check
character, certificate numbers distinct). Each database is fresh: a SQLite file, or a PostgreSQL
database created for the run and dropped afterwards, migrated (no seed) before the import.
"""

import asyncio
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from bench.people import id_number, name
from bench.stack import ROOT
from registry.migrations import upgrade

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TARGET_ROWS_PER_SECOND = 20_000
CATEGORIES = ("clinical", "tcm", "dental", "public_health")


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(41)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["name", "id_number", "certificate_no", "level", "category", "issued_on"])
        for i in range(rows):
            writer.writerow(
                [
                    name(rng),
                    id_number(i, salt=41),
                    f"{2000 + i % 25}{i:014d}",
                    "physician" if i % 5 else "assistant",
                    CATEGORIES[i % 4],
                    f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                ]
            )


async def _postgres(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _measure(path: Path, database_url: str) -> dict:
    upgrade(database_url)
    done = subprocess.run(
        [sys.executable, "-m", "bench.importer", str(path), database_url],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"import failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    rss = result["rss_mb"]
    result["rss_growth_mb"] = round(rss["peak"] - rss["start"], 1)
    result["ok"] = (
        result["rows_per_second"] >= TARGET_ROWS_PER_SECOND and result["inserted"] == result["rows"]
    )
    return result


async def run(rows: int, postgres_url: str = POSTGRES_URL) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="ereg-bench-import-"))
    try:
        path = folder / "qualifications.csv"
        await asyncio.to_thread(write_csv, path, rows)
        results: dict = {"rows": rows, "target_rows_per_second": TARGET_ROWS_PER_SECOND}
        sqlite_url = f"sqlite+aiosqlite:///{folder / 'ereg.db'}"
        results["sqlite"] = await asyncio.to_thread(_measure, path, sqlite_url)
        database = f"ereg_bench_{uuid.uuid4().hex[:10]}"
        try:
            await _postgres(postgres_url, f'CREATE DATABASE "{database}"')
        except OSError as error:
            results["postgresql"] = {"skipped": f"PostgreSQL unreachable: {error}"}
        else:
            try:
                url = postgres_url.rsplit("/", 1)[0] + f"/{database}"
                results["postgresql"] = await asyncio.to_thread(_measure, path, url)
            finally:
                await _postgres(postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        results["ok"] = all(results[db].get("ok", False) for db in ("sqlite", "postgresql"))
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)
