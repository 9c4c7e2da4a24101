"""The public list of institutions, for choosing a primary institution at sign-up."""

from typing import Annotated

from fastapi import APIRouter, Query

from starter.api.deps import SessionDep
from starter.api.schemas import InstitutionOut
from starter.services import institutions
from starter.services.me import institution_out

router = APIRouter(prefix="/institutions", tags=["institutions"])


@router.get("", response_model=list[InstitutionOut])
async def list_institutions(
    session: SessionDep,
    division: Annotated[str | None, Query(pattern=r"^\d{6}$", description="省或区县代码")] = None,
    name: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[InstitutionOut]:
    found = await institutions.search(session, division, name, limit, offset)
    return [institution_out(i) for i in found]
