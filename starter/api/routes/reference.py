"""Reference data for building forms: categories and scopes, divisions, the 32 portals, the
businesses' descriptions, and the commissions with their addresses. Public and cacheable."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from registry.businesses import PROCESS, Business
from registry.divisions import DivisionRef
from starter.api.deps import SessionDep
from starter.services import reference

router = APIRouter(prefix="/reference", tags=["reference"])


class NamedOut(BaseModel):
    code: str
    name_zh: str
    name_en: str


class CategoryOut(NamedOut):
    scopes: list[NamedOut]


class DivisionOut(NamedOut):
    level: str
    parent_code: str | None
    place_zh: str
    place_en: str


class PortalOut(NamedOut):
    short_zh: str


class BusinessOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    summary_zh: str
    summary_en: str
    warning_zh: str | None = None
    warning_en: str | None = None
    online: bool


class BusinessesOut(BaseModel):
    process_zh: str
    process_en: str
    online: list[BusinessOut]
    offline_only: list[BusinessOut]


class CommissionOut(BaseModel):
    code: str
    name: str
    division_code: str
    place_zh: str
    place_en: str
    address_zh: str | None
    address_en: str | None


@router.get("/categories", response_model=list[CategoryOut])
async def categories() -> list[CategoryOut]:
    """执业类别 with their 执业范围: a scope belongs to one category only."""
    return [
        CategoryOut(
            code=c.code,
            name_zh=c.name_zh,
            name_en=c.name_en,
            scopes=[NamedOut(code=s.code, name_zh=s.name_zh, name_en=s.name_en) for s in c.scopes],
        )
        for c in reference.categories()
    ]


def _division_out(division: DivisionRef) -> DivisionOut:
    return DivisionOut(
        code=division.code,
        name_zh=division.name_zh,
        name_en=division.name_en,
        level=division.level,
        parent_code=division.parent_code,
        place_zh=reference.place_name(division.code, "zh"),
        place_en=reference.place_name(division.code, "en"),
    )


@router.get("/divisions", response_model=list[DivisionOut])
async def divisions(
    parent: Annotated[
        str | None, Query(pattern=r"^\d{6}$", description="omit for the provinces")
    ] = None,
) -> list[DivisionOut]:
    """Province → city → county: the divisions directly under ``parent``."""
    return [_division_out(d) for d in reference.division_children(parent)]


@router.get("/portals", response_model=list[PortalOut])
async def portals() -> list[PortalOut]:
    """The 32 portals of the guide: 国家 and the 31 provincial-level divisions."""
    return [
        PortalOut(code=p.code, name_zh=p.name_zh, name_en=p.name_en, short_zh=p.short_zh)
        for p in reference.portals()
    ]


def _business_out(business: Business) -> BusinessOut:
    warning = business.warning or (None, None)
    return BusinessOut(
        code=business.code,
        name_zh=business.name[0],
        name_en=business.name[1],
        summary_zh=business.summary[0],
        summary_en=business.summary[1],
        warning_zh=warning[0],
        warning_en=warning[1],
        online=business.online,
    )


@router.get("/businesses", response_model=BusinessesOut)
async def businesses() -> BusinessesOut:
    """业务说明: what each online business does, and what is done only in person."""
    online, offline = reference.business_list()
    return BusinessesOut(
        process_zh=PROCESS[0],
        process_en=PROCESS[1],
        online=[_business_out(b) for b in online],
        offline_only=[_business_out(b) for b in offline],
    )


@router.get("/commissions", response_model=list[CommissionOut])
async def commissions(
    session: SessionDep,
    division: Annotated[
        str | None, Query(pattern=r"^\d{6}$", description="a province, city or county")
    ] = None,
) -> list[CommissionOut]:
    """Health commissions, with the address where they receive physicians."""
    return [CommissionOut(**vars(c)) for c in await reference.commissions(session, division)]


@router.get("/commissions/{code}", response_model=CommissionOut)
async def commission(code: Annotated[str, Path(max_length=16)], session: SessionDep):
    """One commission: its name and where to bring the paper documents."""
    return CommissionOut(**vars(await reference.commission(session, code)))
