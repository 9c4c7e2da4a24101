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
from registry.db import get_engine
from registry.settings import get_settings

log = logging.getLogger("ereg.faults")


class InjectedFault(ConnectionError):
    """A database failure the test asked for."""


def install() -> None:
    settings = get_settings()
    down = settings.data_dir / "fault-db-down"
    midway = settings.data_dir / "fault-midway"
    hits = settings.data_dir / "fault-hits"
    engine = get_engine(settings.database_url).sync_engine

    def hit(kind: str) -> InjectedFault:
        with hits.open("a") as record:
            record.write(kind + "\n")
        return InjectedFault(f"injected: {kind}")

    @event.listens_for(engine, "before_cursor_execute")
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

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def ended(conn) -> None:
        conn.info.pop("inserted_registration", None)


if __name__ == "__main__":
    install()
    asyncio.run(worker.main())
