"""The physician's own account: profile, verification and activation."""

from fastapi import APIRouter, Request

from starter.api.deps import CurrentAccount, Physician, SessionDep, SettingsDep, TemporalDep
from starter.api.errors import language
from starter.api.schemas import (
    ActivationCodeEntry,
    ActivationOut,
    CodeAccepted,
    CodeSentOut,
    MeResponse,
    VerificationConfirm,
    VerificationSend,
)
from starter.services import me as physician
from starter.services.me import institution_out

__all__ = ["router", "institution_out"]

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", response_model=MeResponse)
async def me(
    request: Request, account: CurrentAccount, session: SessionDep, temporal: TemporalDep
) -> MeResponse:
    """Your own profile; identifiers are masked but for their last 4 characters."""
    return await physician.overview(session, temporal, account, language(request))


@router.post("/verification/send", response_model=CodeSentOut)
async def send_verification(
    body: VerificationSend, account: Physician, session: SessionDep, temporal: TemporalDep
):
    """Send a 6-digit code by SMS (or email); valid 5 minutes, resend after 60 s, at most 10
    an hour."""
    return await physician.send_verification(session, temporal, account, body.channel)


@router.post("/verification/confirm", response_model=CodeAccepted)
async def confirm_verification(
    body: VerificationConfirm, account: Physician, temporal: TemporalDep, settings: SettingsDep
):
    return await physician.confirm_verification(
        temporal, settings, account, body.channel, body.code
    )


@router.post("/activation", response_model=CodeAccepted)
async def enter_activation_code(
    body: ActivationCodeEntry, account: Physician, temporal: TemporalDep, settings: SettingsDep
):
    """Enter the activation code your institution sent; the account becomes active."""
    return await physician.enter_activation_code(temporal, settings, account, body.code)


@router.post("/activation/restart", status_code=202, response_model=ActivationOut)
async def restart_activation(
    account: Physician, session: SessionDep, temporal: TemporalDep, settings: SettingsDep
):
    """Start the activation again after it expired (or if it never started)."""
    return await physician.restart_activation(session, temporal, settings, account)
