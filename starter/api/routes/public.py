"""Public: certificate verification, the register lookup and the signing keys. No login;
each client address has a budget (``registry.register``)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from registry import ratelimit, register
from registry.certificates import KEYS_PATH
from starter.api.deps import SessionDep, SettingsDep
from starter.api.document_schemas import JwksOut, RegisterOut, RegisterQueryIn, VerificationOut
from starter.api.errors import language
from starter.services import documents

router = APIRouter(prefix="/public", tags=["public"])
well_known = APIRouter(tags=["public"])


async def _budget(session, settings, request: Request, limit: ratelimit.Limit) -> None:
    """Count this request against the client address; committed even if the request fails."""
    await documents.spend(session, settings, request.client and request.client.host, limit)


@router.get("/certificates/verify", response_model=VerificationOut)
async def verify_certificate(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    certificate_no: Annotated[str, Query(min_length=1, max_length=32)],
    check: Annotated[str, Query(min_length=1, max_length=16, description="the check code")],
) -> VerificationOut:
    """Whether a certificate is still valid, superseded by a later change, cancelled or no
    longer valid: by its certificate number and the check code printed under its QR code."""
    await _budget(session, settings, request, register.VERIFICATIONS_PER_ADDRESS)
    body = await documents.verify(session, certificate_no, check, language(request))
    return VerificationOut(**body)


@router.post("/register", response_model=RegisterOut)
async def look_up(
    request: Request, session: SessionDep, settings: SettingsDep, body: RegisterQueryIn
) -> RegisterOut:
    """A physician's registrations, current and ended (with the day), by exact name and
    either a certificate number or an institution. Never an ID number, phone or email. The
    name travels in the body, never in a URL."""
    await _budget(session, settings, request, register.LOOKUPS_PER_ADDRESS)
    body_out = await documents.look_up(
        session, body.name, body.certificate_no, body.institution, language(request)
    )
    return RegisterOut(**body_out)


@router.get("/register", response_model=RegisterOut, deprecated=True)
async def look_up_by_query(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Query(min_length=1, max_length=64)],
    certificate_no: Annotated[str | None, Query(max_length=32)] = None,
    institution: Annotated[
        str | None, Query(max_length=128, description="institution code or exact name")
    ] = None,
) -> RegisterOut:
    """Deprecated: the same lookup with the name in the query string, which proxies and
    browser histories keep; use ``POST /public/register``. Kept for existing clients."""
    await _budget(session, settings, request, register.LOOKUPS_PER_ADDRESS)
    body = await documents.look_up(session, name, certificate_no, institution, language(request))
    return RegisterOut(**body)


@well_known.get(KEYS_PATH, response_model=JwksOut)
async def certificate_keys(request: Request) -> JwksOut:
    """The public keys that verify electronic certificates (a JWK set, Ed25519): the active
    one and the retired ones that signed certificates still in circulation."""
    return JwksOut(**request.app.state.signing_keys.jwks())
