"""Claimed work on the application workflow: one holder at a time, lapsing, reassigned."""

from datetime import timedelta

import pytest_asyncio

from registry.application_types import Actor, ApplicationState, Decision
from registry.claims import ClaimAction, ClaimRequest
from tests.workflows.conftest import INSTITUTION, refusal
from tests.workflows.test_application import (
    COMMISSION,
    OFFICER,
    OTHER_STAFF,
    STAFF,
    application_desk,
    assert_refused,
)
from workflows.application import ApplicationWorkflow


@pytest_asyncio.fixture
async def desk(env):
    async with application_desk(env) as submit:
        yield submit


COLLEAGUE = Actor(account_id=503, role="institution_staff", institution_code=INSTITUTION)
ADMIN = Actor(account_id=504, role="institution_admin", institution_code=INSTITUTION)
COMMISSION_ADMIN = Actor(account_id=604, role="commission_admin", commission_code=COMMISSION)


async def claim(application, actor: Actor, action=ClaimAction.claim, to=None, minutes=120):
    request = ClaimRequest(actor=actor, action=action, to=to, lapse_minutes=minutes)
    # Answered once the claim is held and mirrored: nothing else in flight to wait for.
    return await application.handle.execute_update(ApplicationWorkflow.claim, request)


async def test_two_clerks_one_claim_the_other_is_refused(desk):
    application = await desk()
    held = await claim(application, STAFF)
    assert held.holder_id == STAFF.account_id
    assert held.until - held.since == timedelta(minutes=120)
    attributes = await application.search_attributes()
    assert attributes["EregClaimedBy"] == str(STAFF.account_id)  # an id, never a name

    await assert_refused(
        application.handle.execute_update(
            ApplicationWorkflow.claim, ClaimRequest(actor=COLLEAGUE, action=ClaimAction.claim)
        ),
        "claimed_by_other",
        holder=STAFF.account_id,
        until=held.until.astimezone(_china()).strftime("%Y-%m-%d %H:%M"),
    )
    assert (
        await refusal(application.institution_decision(actor=COLLEAGUE))
    ).type == "claimed_by_other"
    await assert_refused(
        application.handle.execute_update(
            ApplicationWorkflow.claim, ClaimRequest(actor=OTHER_STAFF, action=ClaimAction.claim)
        ),
        "wrong_institution",
    )

    decided = await application.institution_decision(Decision.approve, actor=STAFF)
    assert decided.state == ApplicationState.awaiting_documents
    # The step is taken: the claim ends with it, for the commission's officers to take up.
    assert (await application.handle.query(ApplicationWorkflow.current_claim)).holder_id is None
    assert application.records.claims[-1].holder_id is None
    assert "EregClaimedBy" not in await application.search_attributes()
    assert (await claim(application, OFFICER)).holder_id == OFFICER.account_id


async def test_a_claim_lapses_and_a_colleague_may_then_decide(env, desk):
    application = await desk()
    await claim(application, STAFF, minutes=30)
    await env.sleep(timedelta(minutes=31))  # no timer: the next update reads the clock
    held = await claim(application, COLLEAGUE)
    assert held.holder_id == COLLEAGUE.account_id
    assert (await refusal(application.institution_decision(actor=STAFF))).type == "claimed_by_other"


async def test_a_supervisor_reassigns_and_a_clerk_may_not(desk):
    application = await desk()
    await claim(application, STAFF)
    await assert_refused(
        application.handle.execute_update(
            ApplicationWorkflow.claim,
            ClaimRequest(actor=COLLEAGUE, action=ClaimAction.reassign, to=COLLEAGUE),
        ),
        "not_supervisor",
    )
    await assert_refused(
        application.handle.execute_update(
            ApplicationWorkflow.claim,
            ClaimRequest(actor=COMMISSION_ADMIN, action=ClaimAction.reassign, to=COLLEAGUE),
        ),
        "not_supervisor",  # the commission's administrator does not supervise the institution
    )
    held = await claim(application, ADMIN, ClaimAction.reassign, to=COLLEAGUE)
    assert held.holder_id == COLLEAGUE.account_id
    assert application.records.claims[-1].holder_id == COLLEAGUE.account_id
    assert (await refusal(application.institution_decision(actor=STAFF))).type == "claimed_by_other"
    released = await claim(application, COLLEAGUE, ClaimAction.release)
    assert released.holder_id is None
    decided = await application.institution_decision(Decision.approve, actor=STAFF)
    assert decided.state == ApplicationState.awaiting_documents


def _china():
    from registry.reference import CHINA_TIME

    return CHINA_TIME
