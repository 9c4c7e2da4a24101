"""The worker, with database faults that the fault tests switch on and off by files.

    python -m tests.faults.faulty_worker        (configured by EREG_* like ``ereg worker``)

In ``$EREG_DATA_DIR``:

- ``fault-db-down`` present: every statement fails as if the database had gone away (the
  SQLite stand-in for an unreachable server; PostgreSQL is cut off for real, by a proxy);
- ``fault-midway`` present: a transaction that has inserted a registration fails at its next
  ``UPDATE applications`` — a completion that breaks off half-way through its changes.

Each injected failure appends a line to ``fault-hits``. Without these files it is the worker.
"""

import asyncio
import logging

from sqlalchemy import event

import worker
from registry.db import get_engine, get_sqlite_sync_engine
from registry.settings import get_settings

log = logging.getLogger("ereg.faults")


class InjectedFault(ConnectionError):
    """A database failure the test asked for."""


def install() -> None:
    settings = get_settings()
    down = settings.data_dir / "fault-db-down"
    midway = settings.data_dir / "fault-midway"
    hits = settings.data_dir / "fault-hits"
    engines = [get_engine(settings.database_url).sync_engine]
    if settings.database_url.startswith("sqlite"):  # the activities' synchronous transactions
        engines.append(get_sqlite_sync_engine(settings.database_url))

    def hit(kind: str) -> InjectedFault:
        with hits.open("a") as record:
            record.write(kind + "\n")
        return InjectedFault(f"injected: {kind}")

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        text = statement.lstrip().upper()
        if down.exists():
            raise hit("down")
        if text.startswith("INSERT INTO REGISTRATIONS"):
            conn.info["inserted_registration"] = True
        elif (
            text.startswith("UPDATE APPLICATIONS")
            and conn.info.get("inserted_registration")
            and midway.exists()
        ):
            raise hit("midway")

    def ended(conn) -> None:
        conn.info.pop("inserted_registration", None)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "commit", ended)
        event.listen(engine, "rollback", ended)


if __name__ == "__main__":
    install()
    asyncio.run(worker.main())
