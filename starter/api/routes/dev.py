"""Dev mode only: what the dev SMS gateway and the local SMTP sink received."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from registry.errors import DomainError
from registry.models import DevMessage
from starter.api.deps import SessionDep, SettingsDep
from starter.api.schemas import DevMessageOut

router = APIRouter(prefix="/dev", tags=["dev"])


@router.get("/messages", response_model=list[DevMessageOut])
async def messages(
    settings: SettingsDep,
    session: SessionDep,
    to: Annotated[str, Query(min_length=1, max_length=254)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DevMessageOut]:
    """Messages sent to this phone or email, newest first."""
    if not settings.dev_mode:
        raise DomainError("not_found")
    rows = await session.scalars(
        select(DevMessage)
        .where(DevMessage.recipient == to.strip().lower())
        .order_by(DevMessage.id.desc())
        .limit(limit)
    )
    return [
        DevMessageOut(
            channel=m.channel, to=m.recipient, subject=m.subject, body=m.body, sent_at=m.created_at
        )
        for m in rows
    ]
