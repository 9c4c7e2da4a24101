"""Claimed work: take, release or reassign an inbox item (registry.claims), and read who holds
it. The workflow's ``claim`` update decides; this only names the accounts."""

from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry.claims import ClaimAction, ClaimRequest
from registry.errors import DomainError
from registry.models import Account, Application
from registry.settings import Settings
from starter.services import applications
from workflows.application import ApplicationWorkflow


class ClaimIn(BaseModel):
    action: ClaimAction = ClaimAction.claim
    to_account_id: int | None = Field(None, description="reassign: the staff account to hand it to")


class ClaimView(BaseModel):
    """Who holds an item (their account id and username) and since when; empty: nobody."""

    application_no: str
    holder_id: int | None = None
    holder: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def act(
    session: AsyncSession,
    client: Client,
    settings: Settings,
    account: Account,
    no: str,
    body: ClaimIn,
) -> ClaimView:
    application = await applications.visible_application(session, account, no)
    to = None
    if body.action == ClaimAction.reassign and body.to_account_id is not None:
        target = await session.get(Account, body.to_account_id)
        if target is None:
            raise DomainError("claim_holder_required")
        to = applications.actor_of(target)
    request = ClaimRequest(
        actor=applications.actor_of(account),
        action=body.action,
        to=to,
        lapse_minutes=settings.claim_lapse_minutes,
    )
    held = await applications.update(client, application, ApplicationWorkflow.claim, request)
    holder = held.holder_id and await session.get(Account, held.holder_id)
    return ClaimView(
        application_no=no,
        holder_id=held.holder_id,
        holder=holder.username if holder else None,
        since=held.since,
        until=held.until,
    )


async def current(session: AsyncSession, account: Account, no: str) -> ClaimView:
    """As the inboxes show it: the row's mirror, a lapsed claim being nobody's."""
    application = await applications.visible_application(session, account, no)
    return await view_of(session, application)


async def view_of(session: AsyncSession, application: Application) -> ClaimView:
    until = application.claim_until
    if until is not None and until.tzinfo is None:  # SQLite gives naive UTC back
        until = until.replace(tzinfo=UTC)
    if application.claimed_by is None or until is None or until <= datetime.now(UTC):
        return ClaimView(application_no=application.application_no)
    holder = await session.get(Account, application.claimed_by)
    return ClaimView(
        application_no=application.application_no,
        holder_id=application.claimed_by,
        holder=holder.username if holder else None,
        since=application.claimed_at,
        until=until,
    )


async def live_on(session: AsyncSession, numbers: list[str]) -> dict[str, ClaimView]:
    """The live claims among ``numbers`` (an inbox page's rows), by application number: one
    query, the staff account's username only, a lapsed claim being nobody's (as ``view_of``)."""
    if not numbers:
        return {}
    now = datetime.now(UTC)
    rows = await session.execute(
        select(Application.application_no, Application.claimed_by, Application.claimed_at,
               Application.claim_until, Account.username)
        .join(Account, Account.id == Application.claimed_by)
        .where(Application.application_no.in_(numbers))
    )  # fmt: skip
    found = {}
    for no, holder_id, since, until, username in rows:
        since, until = _aware(since), _aware(until)
        if until is not None and until > now:
            found[no] = ClaimView(application_no=no, holder_id=holder_id, holder=username,
                                  since=since, until=until)  # fmt: skip
    return found


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive UTC back."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
