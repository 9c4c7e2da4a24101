"""Bulk decisions: many applications, one decision, one comment — each its own workflow update.

The updates run concurrently, a few at a time (``CONCURRENCY``): each is what the single
decision sends, so the workflow's validator has the last word on every item (state, institution
or commission, reason, claim). What one item answers never stops the others; the caller reads
the outcome of each.
"""

import asyncio
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry import access
from registry.application_types import (
    ApplicationState,
    CommissionDecision,
    Decision,
    InstitutionDecision,
)
from registry.errors import DomainError
from registry.models import Account, Application
from starter.services import applications
from workflows.application import ApplicationWorkflow

#: Updates in flight at once: enough to hide the round trips, few enough to leave the worker
#: and the database to everyone else.
CONCURRENCY = 8
MAX_ITEMS = 200


class Outcome(StrEnum):
    done = "done"
    already_decided = "already_decided"
    expired = "expired"
    refused = "refused"  # by a rule: the code says which
    not_found = "not_found"


class BulkDecisionIn(BaseModel):
    application_nos: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    decision: str = Field(pattern="^(approve|reject|return)$")
    comment: str | None = Field(None, max_length=1000)


class BulkItemOut(BaseModel):
    application_no: str
    outcome: Outcome
    state: str | None = None  # the application's state after the decision, or as found
    code: str | None = None
    message: str | None = None


class BulkDecisionOut(BaseModel):
    done: int
    items: list[BulkItemOut]


async def institution_decisions(
    session: AsyncSession, client: Client, staff: Account, body: BulkDecisionIn, lang: str
) -> BulkDecisionOut:
    actor = applications.actor_of(staff)

    def argument(application: Application):
        if not access.is_staff_of(staff, application.institution_code):
            raise DomainError("wrong_institution")  # copied to it, not confirmed by it
        return InstitutionDecision(
            actor=actor, decision=Decision(body.decision), comment=body.comment
        )

    return await _decide(
        session, client, staff, body, lang, ApplicationWorkflow.institution_decision, argument, ()
    )


async def commission_decisions(
    session: AsyncSession, client: Client, officer: Account, body: BulkDecisionIn, lang: str
) -> BulkDecisionOut:
    actor = applications.actor_of(officer)

    def argument(application: Application):
        return CommissionDecision(
            actor=actor, decision=Decision(body.decision), comment=body.comment
        )

    return await _decide(
        session,
        client,
        officer,
        body,
        lang,
        ApplicationWorkflow.commission_decision,
        argument,
        (ApplicationState.awaiting_institution, ApplicationState.awaiting_documents),
    )


async def _decide(
    session, client, account, body, lang, method, argument, not_yet
) -> BulkDecisionOut:
    """``not_yet``: states before the step decided (refused as ``wrong_state``, not decided)."""
    numbers = list(dict.fromkeys(no[:20] for no in body.application_nos))  # each once
    found = {
        a.application_no: a
        for a in await session.scalars(
            select(Application).where(
                Application.application_no.in_(numbers), access.applications_visible_to(account)
            )
        )
    }
    await session.commit()  # reads done: no connection held while the updates wait
    for application in found.values():
        session.expunge(application)  # each update runs on its own, outside the session
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(no: str) -> BulkItemOut:
        application = found.get(no)
        if application is None:
            return _refused(no, DomainError("application_not_found"), lang, Outcome.not_found)
        async with limit:
            try:
                result = await applications.update(
                    client, application, method, argument(application)
                )
            except DomainError as refusal:
                return _refused(no, refusal, lang, not_yet=not_yet)
        return BulkItemOut(application_no=no, outcome=Outcome.done, state=result.state)

    items = await asyncio.gather(*(one(no) for no in numbers))
    return BulkDecisionOut(done=sum(i.outcome == Outcome.done for i in items), items=items)


def _refused(
    no: str, refusal: DomainError, lang: str, outcome: Outcome | None = None, not_yet=()
) -> BulkItemOut:
    state = refusal.params.get("state") if refusal.code == "wrong_state" else None
    if outcome is None:
        if state == ApplicationState.expired:
            outcome = Outcome.expired
        elif state is not None and state not in not_yet:
            outcome = Outcome.already_decided
        else:
            outcome = Outcome.refused
    return BulkItemOut(
        application_no=no,
        outcome=outcome,
        state=state,
        code=refusal.code,
        message=refusal.message(lang),
    )
