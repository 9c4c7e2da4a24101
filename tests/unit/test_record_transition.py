"""The application's record mirrors the workflow's newest step, whatever order retries come in.

Found by the worker-crash fault test: the first record of a submission was cut off by the
crash and retried 30 seconds later, after the institution, the documents and the commission had
been recorded; it set the completed application back to ``awaiting_institution``.
"""

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from activities.applications import ApplicationActivities
from registry.application_types import ApplicationState, Transition
from registry.db import session_scope
from registry.models import Account, Application, ApplicationEvent

NO = "20260101000001"
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def application(settings) -> None:
    async with session_scope(settings.database_url) as session:
        account = Account(username="mirror_doc", password_hash="x", role="physician")
        session.add(account)
        await session.flush()
        session.add(
            Application(
                application_no=NO,
                type="registration",
                account_id=account.id,
                filed_by=account.id,
                institution_code="H4301020001",
                commission_code="430000",
                province_code="430000",
                details={},
                state="awaiting_institution",
                open_slot=f"location:{account.id}:430000",
            )
        )


def step(sequence: int, state: ApplicationState, action: str) -> Transition:
    return Transition(
        application_no=NO,
        sequence=sequence,
        state=state,
        action=action,
        actor_role="system",
        at=AT + timedelta(minutes=sequence),
        step_deadline=None if state == ApplicationState.completed else AT + timedelta(days=30),
    )


async def test_a_late_retry_of_an_older_step_leaves_the_newer_state(settings):
    await application(settings)
    activities = ApplicationActivities(settings.database_url, None, None)
    submitted = step(1, ApplicationState.awaiting_institution, "submitted")
    completed = step(4, ApplicationState.completed, "completed")
    await activities.record_transition(step(2, ApplicationState.awaiting_documents, "approved"))
    await activities.record_transition(completed)
    await activities.record_transition(submitted)  # the crashed attempt, retried late
    await activities.record_transition(submitted)  # and once more: nothing twice
    async with session_scope(settings.database_url) as session:
        row = await session.scalar(select(Application).where(Application.application_no == NO))
        assert (row.state, row.step_deadline, row.open_slot) == ("completed", None, None)
        timeline = list(
            await session.scalars(
                select(ApplicationEvent.action)
                .where(ApplicationEvent.application_no == NO)
                .order_by(ApplicationEvent.at)
            )
        )
    assert timeline == ["submitted", "approved", "completed"]


async def test_a_deadline_in_china_time_is_stored_as_the_same_moment(settings):
    """The review's deadline is the end of a day in China time (+08:00); SQLite keeps no zone,
    so it must be written in UTC, or it reads back eight hours late."""
    await application(settings)
    activities = ApplicationActivities(settings.database_url, None, None)
    china = timezone(timedelta(hours=8))
    end_of_day = datetime(2026, 1, 30, 23, 59, 59, tzinfo=china)
    under_review = step(3, ApplicationState.under_review, "documents_accepted")
    await activities.record_transition(
        under_review.model_copy(update={"step_deadline": end_of_day})
    )
    async with session_scope(settings.database_url) as session:
        stored = await session.scalar(select(Application).where(Application.application_no == NO))
        assert stored.step_deadline == end_of_day
        assert stored.step_deadline.astimezone(china).hour == 23
