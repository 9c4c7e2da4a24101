"""Commission officers record a lack of civil capacity, a ground to refuse registration.

Physicians Law 2021 art. 16 (1): no registration for a person without or with limited civil
capacity. The other grounds of art. 16 follow from a completed cancellation; this one is
established by a court and recorded here by an officer, who lifts it when it no longer holds.
The person is named by resident ID number in the body (never in the URL); answers mask it.
"""

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from registry import identifiers, refusals
from registry.models import RegistrationBar
from registry.reference import CHINA_TIME
from starter.api.deps import CommissionOfficer, SessionDep
from starter.api.errors import language

router = APIRouter(prefix="/commission/refusal-grounds", tags=["applications"])


class CapacityIn(BaseModel):
    id_number: str = Field(max_length=32, description="居民身份证号码")
    ground: Literal["no_civil_capacity", "limited_civil_capacity"] = Field(
        description="无民事行为能力 | 限制民事行为能力"
    )
    starts_on: date = Field(description="认定之日")
    ends_on: date | None = Field(None, description="届满之日；不填则至撤销记录时为止")
    comment: str | None = Field(None, max_length=500, description="依据（如法院判决书编号）")


class RefusalGroundOut(BaseModel):
    id: int
    id_number: str = Field(description="已遮蔽")
    ground: str
    ground_name: str
    starts_on: date
    ends_on: date | None
    commission_code: str | None
    lifted_on: date | None
    comment: str | None
    created_at: datetime


def _out(bar: RegistrationBar, lang: str) -> RefusalGroundOut:
    return RefusalGroundOut(
        id=bar.id,
        id_number=identifiers.mask(bar.id_number),
        ground=bar.ground,
        ground_name=refusals.GROUND_NAMES[refusals.RefusalGround(bar.ground)][lang == "en"],
        starts_on=bar.starts_on,
        ends_on=bar.ends_on,
        commission_code=bar.commission_code,
        lifted_on=bar.lifted_on,
        comment=bar.comment,
        created_at=bar.created_at,
    )


@router.post("", status_code=201, response_model=RefusalGroundOut)
async def record_capacity(
    body: CapacityIn, request: Request, officer: CommissionOfficer, session: SessionDep
) -> RefusalGroundOut:
    """Record that a person lacks (or has limited) civil capacity: registrations, upgrades,
    changes and military transfers-in are refused until it ends or is lifted."""
    id_number = identifiers.normalize_id_number(body.id_number)
    bar = await refusals.record_by_officer(
        session,
        officer,
        id_number,
        refusals.RefusalGround(body.ground),
        body.starts_on,
        body.ends_on,
        body.comment,
    )
    await session.refresh(bar)
    return _out(bar, language(request))


@router.post("/{bar_id}/lift", response_model=RefusalGroundOut)
async def lift_capacity(
    bar_id: int, request: Request, officer: CommissionOfficer, session: SessionDep
) -> RefusalGroundOut:
    """The ground no longer holds (capacity restored); only the recording commission lifts it."""
    bar = await refusals.lift(session, officer, bar_id, datetime.now(CHINA_TIME).date())
    return _out(bar, language(request))
