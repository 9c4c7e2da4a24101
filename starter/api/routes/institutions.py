"""The public list of institutions, for choosing a primary institution at sign-up."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import or_, select

from registry.models import Institution
from starter.api.deps import SessionDep
from starter.api.routes.me import institution_out
from starter.api.schemas import InstitutionOut

router = APIRouter(prefix="/institutions", tags=["institutions"])


@router.get("", response_model=list[InstitutionOut])
async def list_institutions(
    session: SessionDep,
    division: Annotated[str | None, Query(pattern=r"^\d{6}$", description="省或区县代码")] = None,
    name: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[InstitutionOut]:
    query = select(Institution).order_by(Institution.code).limit(limit).offset(offset)
    if division:
        query = query.where(
            or_(Institution.division_code == division, Institution.province_code == division)
        )
    if name:
        query = query.where(Institution.name.contains(name, autoescape=True))
    return [institution_out(i) for i in await session.scalars(query)]
