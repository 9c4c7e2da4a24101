"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(
    session: AsyncSession, model, rows: list[dict], unique: list[str]
) -> int:
    """``INSERT … ON CONFLICT DO NOTHING``; returns how many rows were new.

    SQLite: one single-row statement executed with every row (SQLAlchemy sends them as multi-row
    INSERTs, "insertmanyvalues"), on the table rather than the ORM entity: compiling one
    statement with thousands of VALUES per batch cost more than the database's work; RETURNING
    the primary key counts the new rows. PostgreSQL: ``COPY`` (below).
    """
    table = model.__table__
    if session.bind.dialect.name == "postgresql":
        return await _copy_ignoring_duplicates(session, table, rows, unique)
    statement = (
        sqlite.insert(table)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(*table.primary_key.columns)
    )
    result = await session.execute(statement, rows)
    return len(result.all())


async def _copy_ignoring_duplicates(session: AsyncSession, table, rows: list[dict], unique) -> int:
    """PostgreSQL: ``COPY`` the rows into a temporary table of the same columns, then one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING``: COPY's binary stream instead of parameter
    lists, about twice the rows per second. In the session's transaction; its commit keeps them."""
    defaults = _python_defaults(table, set(rows[0]))
    columns = [*rows[0], *defaults]
    names = ", ".join(f'"{c}"' for c in columns)
    staging = f"import_{table.name}"
    # SQLAlchemy's asyncpg adapter opens its transaction at its first statement: this one.
    await session.execute(
        text(
            f'CREATE TEMPORARY TABLE IF NOT EXISTS "{staging}" ON COMMIT DROP AS '
            f'SELECT {names} FROM "{table.name}" WITH NO DATA'
        )
    )
    raw = await (await session.connection()).get_raw_connection()
    driver = raw.driver_connection
    await driver.copy_records_to_table(
        staging,
        records=[tuple({**defaults, **row}[c] for c in columns) for row in rows],
        columns=columns,
    )
    keys = ", ".join(f'"{c}"' for c in unique)
    inserted = await driver.fetchval(
        f'WITH new AS (INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}" '
        f"ON CONFLICT ({keys}) DO NOTHING RETURNING 1) SELECT count(*) FROM new"
    )
    await driver.execute(f'TRUNCATE "{staging}"')
    return inserted


def _python_defaults(table, given: set[str]) -> dict:
    """Values of the constant column defaults the model sets in Python (an ``INSERT`` through
    SQLAlchemy adds them; ``COPY`` does not) for the columns ``given`` leaves out."""
    missing = [c for c in table.columns if c.name not in given and c.default is not None]
    if any(not column.default.is_scalar for column in missing):
        raise ValueError(f"{table.name}: COPY cannot compute a Python default per row")
    return {column.name: column.default.arg for column in missing}
