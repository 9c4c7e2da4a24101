"""The Temporal remote codec endpoint: the Web UI decodes payloads here.

Protocol: ``POST /codec/decode`` (and ``/encode``) with ``{"payloads": [...]}`` in protobuf JSON,
answered in the same shape. In dev mode the API listens on loopback and the UI of ``ereg dev``
calls it freely. Otherwise it answers an operator only: a bearer token, or the sign-in cookie
that ``/codec/login`` sets in the operator's browser, which the UI sends along with its calls
(``TEMPORAL_CODEC_INCLUDE_CREDENTIALS``) without a login of its own.
"""

import json
from typing import Annotated

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payloads

from registry.errors import DomainError
from registry.roles import Role
from starter.api.deps import SessionDep, SettingsDep, account_of, oauth2
from starter.api.routes.codec_login import COOKIE

router = APIRouter(prefix="/codec", tags=["ops"])


async def codec_caller(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2)],
) -> None:
    if settings.dev_mode:
        return
    if token:
        account = await account_of(settings, session, token, "access")
    else:
        account = await account_of(settings, session, request.cookies.get(COOKIE), "codec")
    if account.role != Role.OPERATOR:
        raise DomainError("forbidden")


async def _payloads(request: Request) -> Payloads:
    """The body as ``Payloads``; anything else — ``null``, ``1e999``, a list nested 100,000
    deep, a number where a string belongs — is the caller's mistake (400), never a 500."""
    try:
        body = json.loads(await request.body())
        if not isinstance(body, dict):
            raise ValueError("not an object")
        return json_format.ParseDict(body, Payloads())
    except (ValueError, TypeError, AttributeError, RecursionError, json_format.ParseError,
            DecodeError):  # fmt: skip
        raise DomainError("codec_body_invalid") from None


def _answer(payloads) -> JSONResponse:
    return JSONResponse(json_format.MessageToDict(Payloads(payloads=payloads)))


@router.post("/decode", dependencies=[Depends(codec_caller)])
async def decode(request: Request) -> JSONResponse:
    try:
        decoded = await request.app.state.codec.decode((await _payloads(request)).payloads)
    except (ValueError, InvalidTag):
        raise DomainError("invalid_request", {"detail": "payload key"}) from None
    return _answer(decoded)


@router.post("/encode", dependencies=[Depends(codec_caller)])
async def encode(request: Request) -> JSONResponse:
    return _answer(await request.app.state.codec.encode((await _payloads(request)).payloads))
