"""Reference data for forms and pages: categories and scopes, divisions, the 32 portals, the
businesses' descriptions and where each commission receives physicians.

One place for the API's ``/reference`` routes, the portal's pickers and the notices' wording.
Everything comes in both languages (``name_zh``/``name_en``); the caller shows one.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry import businesses, divisions
from registry.accounts import get_commission
from registry.application_types import ApplicationType
from registry.errors import DomainError
from registry.models import Commission
from registry.reference import (
    CATEGORY_NAMES,
    LEVEL_NAMES,
    NATIONAL_CODE,
    PORTAL_DIVISIONS,
    PORTAL_SHORT_NAMES,
    SCOPE_NAMES_EN,
    SCOPES,
)


@dataclass(frozen=True)
class Named:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class CategoryRef(Named):
    scopes: tuple[Named, ...]


@dataclass(frozen=True)
class PortalRef(Named):
    short_zh: str


@dataclass(frozen=True)
class CommissionRef:
    code: str
    name: str
    division_code: str
    place_zh: str
    place_en: str
    address_zh: str | None
    address_en: str | None


def categories() -> list[CategoryRef]:
    """Each category with its scopes (a scope belongs to one category only)."""
    return [
        CategoryRef(category.value, zh, en, scopes_of(category.value))
        for category, (zh, en) in CATEGORY_NAMES.items()
    ]


def scopes_of(category: str) -> tuple[Named, ...]:
    found = next((scopes for c, scopes in SCOPES.items() if c.value == category), ())
    return tuple(Named(s, s, SCOPE_NAMES_EN[s]) for s in found)


def scope_name(scope: str | None, lang: str = "zh") -> str:
    """A scope as a person reads it (its code is its Chinese name)."""
    if not scope:
        return ""
    return SCOPE_NAMES_EN.get(scope, scope) if lang == "en" else scope


def category_name(category: str | None, lang: str = "zh") -> str:
    names = next((n for c, n in CATEGORY_NAMES.items() if c.value == category), None)
    return names[lang == "en"] if names else (category or "")


def level_name(level: str | None, lang: str = "zh") -> str:
    """执业医师 / 执业助理医师."""
    names = next((n for lv, n in LEVEL_NAMES.items() if lv.value == level), None)
    return names[lang == "en"] if names else (level or "")


def division_children(parent_code: str | None) -> list[divisions.DivisionRef]:
    """The provinces (no parent), a province's cities, or a city's counties."""
    if parent_code and divisions.get(parent_code) is None:
        raise DomainError("division_not_found")
    return list(divisions.children(parent_code))


def place_name(code: str, lang: str = "zh") -> str:
    """A location code in words: 湖南省 邵阳市 武冈市 / Wugang, Shaoyang, Hunan."""
    return divisions.place_name(code, lang)


def portals() -> list[PortalRef]:
    """The guide's 32 portals: the nation first, then the 31 provinces in code order."""
    return [
        PortalRef(code, zh, en, PORTAL_SHORT_NAMES[code])
        for code, (zh, en) in PORTAL_DIVISIONS.items()
    ]


def business_list() -> tuple[list[businesses.Business], list[businesses.Business]]:
    """(the nine online businesses, the four offline-only ones), with the process in words."""
    return businesses.online(), businesses.offline()


def business(type_: ApplicationType) -> businesses.Business:
    return businesses.describe(type_)


def _commission_ref(commission: Commission) -> CommissionRef:
    return CommissionRef(
        commission.code,
        commission.name,
        commission.division_code,
        divisions.place_name(commission.division_code, "zh"),
        divisions.place_name(commission.division_code, "en"),
        commission.address_zh,
        commission.address_en,
    )


async def commission(session: AsyncSession, code: str) -> CommissionRef:
    """A commission's name and the address where it receives physicians."""
    return _commission_ref(await get_commission(session, code))


async def commissions(session: AsyncSession, division_code: str | None) -> list[CommissionRef]:
    """The commissions in a division (a province's: the province's own and its cities' and
    counties'), or all."""
    query = select(Commission).order_by(Commission.code)
    if division_code and division_code != NATIONAL_CODE:
        query = query.where(Commission.division_code.startswith(_prefix(division_code)))
    return [_commission_ref(c) for c in await session.scalars(query)]


def _prefix(division_code: str) -> str:
    """The digits a division's own code and those of every division under it share."""
    division = divisions.get(division_code)
    level = division.level if division else "county"
    return division_code[: {"province": 2, "city": 4}.get(level, 6)]
