"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(
    session: AsyncSession, model, rows: list[dict], unique: list[str]
) -> int:
    """``INSERT … ON CONFLICT DO NOTHING``; returns how many rows were new.

    One single-row statement executed with every row (SQLAlchemy sends them as multi-row
    INSERTs, "insertmanyvalues"), on the table rather than the ORM entity: compiling one
    statement with thousands of VALUES per batch cost more than the database's work. RETURNING
    the primary key counts the new rows on both databases (asyncpg has no executemany rowcount).
    """
    dialect = session.bind.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    table = model.__table__
    statement = (
        module.insert(table)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(*table.primary_key.columns)
    )
    result = await session.execute(statement, rows)
    return len(result.all())
