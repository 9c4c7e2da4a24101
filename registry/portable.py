"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(
    session: AsyncSession, model, rows: list[dict], unique: list[str]
) -> int:
    """``INSERT … ON CONFLICT DO NOTHING``; returns how many rows were new."""
    dialect = session.bind.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(model).values(rows).on_conflict_do_nothing(index_elements=unique)
    result = await session.execute(statement)
    return result.rowcount
