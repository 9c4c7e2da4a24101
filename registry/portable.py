"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(
    session: AsyncSession, model, rows: list[dict], unique: list[str]
) -> int:
    """``INSERT … ON CONFLICT (unique) DO NOTHING``; returns how many rows were new.

    Through the driver, not SQLAlchemy's statement machinery, whose per-row work (parameter
    lists, ``RETURNING`` to count new rows) cost more than the database's: on SQLite the
    driver's ``executemany`` counted by ``total_changes``, on PostgreSQL ``COPY``. The values
    are converted as SQLAlchemy converts them, and the model's constant Python defaults added.
    """
    table = model.__table__
    if session.bind.dialect.name == "postgresql":
        return await _copy_ignoring_duplicates(session, table, rows, unique)
    return await _executemany_ignoring_duplicates(session, table, rows, unique)


async def _executemany_ignoring_duplicates(
    session: AsyncSession, table, rows: list[dict], unique
) -> int:
    """SQLite: one ``executemany`` in the session's transaction."""
    columns, records = _records(session, table, rows)
    names = ", ".join(f'"{c}"' for c in columns)
    keys = ", ".join(f'"{c}"' for c in unique)
    driver = await _driver(session)
    before = driver.total_changes
    await driver.executemany(
        f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))}) '
        f"ON CONFLICT ({keys}) DO NOTHING",
        records,
    )
    return driver.total_changes - before


async def _copy_ignoring_duplicates(session: AsyncSession, table, rows: list[dict], unique) -> int:
    """PostgreSQL: ``COPY`` the rows into a temporary table of the same columns, then one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING``. In the session's transaction; its commit
    keeps them (and drops the temporary table)."""
    columns, records = _records(session, table, rows)
    names = ", ".join(f'"{c}"' for c in columns)
    staging = f"import_{table.name}"
    driver = await _driver(session)
    await driver.execute(
        f'CREATE TEMPORARY TABLE IF NOT EXISTS "{staging}" ON COMMIT DROP AS '
        f'SELECT {names} FROM "{table.name}" WITH NO DATA'
    )
    await driver.copy_records_to_table(staging, records=records, columns=columns)
    keys = ", ".join(f'"{c}"' for c in unique)
    inserted = await driver.fetchval(
        f'WITH new AS (INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}" '
        f"ON CONFLICT ({keys}) DO NOTHING RETURNING 1) SELECT count(*) FROM new"
    )
    await driver.execute(f'TRUNCATE "{staging}"')
    return inserted


async def _driver(session: AsyncSession):
    """The driver's connection (aiosqlite, asyncpg), inside the session's transaction: the
    first statement through SQLAlchemy begins it."""
    connection = await session.connection()
    await connection.execute(text("SELECT 1"))
    return (await connection.get_raw_connection()).driver_connection


def _records(session: AsyncSession, table, rows: list[dict]) -> tuple[list[str], list[tuple]]:
    """(columns, one tuple per row): the defaults added, each value converted as SQLAlchemy
    would bind it on this database."""
    defaults = _python_defaults(table, set(rows[0]))
    columns = [*rows[0], *defaults]
    dialect = session.bind.dialect
    convert = [(c, table.c[c].type.bind_processor(dialect) or _unchanged) for c in columns]
    records = [tuple(f(row[c] if c in row else defaults[c]) for c, f in convert) for row in rows]
    return columns, records


def _unchanged(value):
    return value


def _python_defaults(table, given: set[str]) -> dict:
    """Values of the constant column defaults the model sets in Python (an ``INSERT`` through
    SQLAlchemy adds them; ``COPY`` does not) for the columns ``given`` leaves out."""
    missing = [c for c in table.columns if c.name not in given and c.default is not None]
    if any(not column.default.is_scalar for column in missing):
        raise ValueError(f"{table.name}: COPY cannot compute a Python default per row")
    return {column.name: column.default.arg for column in missing}
