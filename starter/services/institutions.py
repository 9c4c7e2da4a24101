"""Finding institutions: the sign-up's and the application forms' pickers, and the API's list."""

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry import divisions
from registry.models import Commission, Institution


async def search(
    session: AsyncSession,
    division: str | None = None,
    name: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Institution]:
    """Institutions of a province or county (by code) whose name contains ``name``."""
    query = select(Institution).order_by(Institution.code).limit(limit).offset(offset)
    if division:
        query = query.where(
            or_(Institution.division_code == division, Institution.province_code == division)
        )
    if name:
        query = query.where(Institution.name.contains(name, autoescape=True))
    return list(await session.scalars(query))


async def search_within(
    session: AsyncSession, division: str | None, name: str | None, limit: int = 200
) -> list[Institution]:
    """Institutions anywhere under a province, city or county (the pickers narrow by each)."""
    query = select(Institution).order_by(Institution.code).limit(limit)
    if division:
        found = divisions.get(division)
        digits = {"province": 2, "city": 4}.get(found.level if found else "county", 6)
        query = query.where(Institution.division_code.startswith(division[:digits]))
    if name:
        query = query.where(Institution.name.contains(name, autoescape=True))
    return list(await session.scalars(query))


async def names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    """Institution names by code, for pages that list codes."""
    if not codes:
        return {}
    rows = await session.execute(
        select(Institution.code, Institution.name).where(Institution.code.in_(codes))
    )
    return {code: name for code, name in rows}


async def commission_names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    """Commission names by code: who receives the physician's paper documents."""
    if not codes:
        return {}
    rows = await session.execute(
        select(Commission.code, Commission.name).where(Commission.code.in_(codes))
    )
    return {code: name for code, name in rows}
