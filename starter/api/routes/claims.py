"""Claimed work: one staff member holds an inbox item; others see who and since when."""

from typing import Annotated

from fastapi import APIRouter

from registry.models import Account
from registry.roles import Role
from starter.api.deps import SessionDep, SettingsDep, TemporalDep, require_role
from starter.services import claims
from starter.services.claims import ClaimIn, ClaimView

router = APIRouter(tags=["claims"])

Worker = Annotated[
    Account,
    require_role(
        Role.INSTITUTION_STAFF,
        Role.COMMISSION_OFFICER,
        Role.INSTITUTION_ADMIN,
        Role.COMMISSION_ADMIN,
    ),
]


@router.get("/applications/{no}/claim", response_model=ClaimView)
async def get_claim(no: str, account: Worker, session: SessionDep) -> ClaimView:
    """Who holds the application's claim, since when and until when (empty: nobody)."""
    return await claims.current(session, account, no)


@router.post("/applications/{no}/claim", response_model=ClaimView)
async def claim(
    no: str,
    body: ClaimIn,
    account: Worker,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> ClaimView:
    """`claim` (take or renew; it lapses after the configured time), `release`, or — for an
    institution's or commission's administrator — `reassign` to `to_account_id`. While a
    claim is live, a decision by anyone else is refused (`409 claimed_by_other`)."""
    return await claims.act(session, temporal, settings, account, no, body)
