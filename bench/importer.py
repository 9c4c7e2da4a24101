"""One qualification import in a process of its own, measured: ``python -m bench.importer FILE
DATABASE_URL`` prints a JSON line (rows, inserted, bad, seconds, RSS at start, peak and sampled).

It runs ``starter.services.imports.import_qualification_file``, as ``ereg
import-qualifications`` does (without Temporal: no activation is waiting in a fresh database).
RSS "start" is read once the modules are imported and the database is reachable, just before
the import.
"""

import asyncio
import json
import os
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text

from bench.stack import rss_mb
from registry.db import get_engine
from registry.settings import Settings
from starter.services.imports import import_qualification_file


async def main(path: Path, database_url: str) -> dict:
    settings = Settings(
        data_dir=path.parent,
        database_url=database_url,
        dev_mode=False,
        payload_keys='{"active": "k", "keys": {"k": "' + "A" * 43 + '="}}',
    )
    async with get_engine(database_url).connect() as connection:
        await connection.execute(text("SELECT 1"))
    pid = os.getpid()
    start, _ = rss_mb(pid)
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            samples.append(rss_mb(pid)[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    report, _ = await import_qualification_file(path, settings)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    end, peak = rss_mb(pid)
    await get_engine(database_url).dispose()
    return {
        "rows": report.rows,
        "inserted": report.inserted,
        "bad": len(report.bad),
        "seconds": round(seconds, 2),
        "rows_per_second": round(report.rows / seconds),
        "rss_mb": {
            "start": round(start, 1),
            "sampled_max": round(max(samples or [end]), 1),
            "peak": round(peak, 1),
            "end": round(end, 1),
        },
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))))
