"""Finding institutions: the sign-up's and the application forms' pickers, and the API's list."""

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.models import Commission, Division, Institution


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


async def names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    """Institution names by code, for pages that list codes."""
    if not codes:
        return {}
    rows = await session.execute(
        select(Institution.code, Institution.name).where(Institution.code.in_(codes))
    )
    return dict(rows.tuples().all())


async def division_names(session: AsyncSession, codes: set[str], lang: str) -> dict[str, str]:
    """Division names by code (a registration's location), in the reader's language."""
    if not codes:
        return {}
    rows = await session.execute(
        select(Division.code, Division.name_zh, Division.name_en).where(Division.code.in_(codes))
    )
    return {code: en if lang == "en" else zh for code, zh, en in rows.tuples()}


async def divisions_under(session: AsyncSession, province: str) -> list[Division]:
    """The cities and counties of a province that the database knows, in code order."""
    rows = await session.scalars(
        select(Division)
        .where(Division.code.startswith(province[:2]), Division.code != province)
        .order_by(Division.code)
    )
    return list(rows)


async def commission_names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    """Commission names by code: who receives the physician's paper documents."""
    if not codes:
        return {}
    rows = await session.execute(
        select(Commission.code, Commission.name).where(Commission.code.in_(codes))
    )
    return dict(rows.tuples().all())
