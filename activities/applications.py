"""Activities of the application workflow: the record, the registry change, notices."""

from datetime import date, datetime, time

from sqlalchemy import or_, select
from temporalio import activity

from activities.messaging import Deliverer, Mailer, SmsGateway
from registry import applications, audit, workdays
from registry.application_types import (
    TERMINAL,
    TYPE_NAMES,
    ApplicationType,
    Completion,
    Notice,
    Transition,
)
from registry.db import session_scope
from registry.models import Account, Application, ApplicationEvent
from registry.notices import application_message
from registry.reference import CHINA_TIME


class ApplicationActivities:
    def __init__(
        self, database_url: str, sms: SmsGateway, mail: Mailer, code_secret: str = ""
    ) -> None:
        self._database_url = database_url
        self._deliver = Deliverer(database_url, sms, mail, code_secret)

    @activity.defn
    async def record_transition(self, transition: Transition) -> None:
        """Mirror the state and add the timeline line; a retry adds nothing twice.

        A retry may also come late, after later steps were recorded (the first record of a
        submission, say, retried after a worker crash while the institution already decided):
        it adds its timeline line but leaves the newer state in place.
        """
        key = f"{transition.application_no}:{transition.sequence}"
        async with session_scope(self._database_url) as session:
            recorded = list(
                await session.scalars(
                    select(ApplicationEvent.workflow_event).where(
                        ApplicationEvent.application_no == transition.application_no
                    )
                )
            )
            if key in recorded:
                return
            latest = max((int(k.rpartition(":")[2]) for k in recorded), default=0)
            application = await session.scalar(
                select(Application).where(Application.application_no == transition.application_no)
            )
            if transition.sequence > latest:
                application.state = transition.state
                application.step_deadline = transition.step_deadline
                application.overdue = transition.overdue
                application.updated_at = transition.at
                if transition.state in TERMINAL:
                    application.open_slot = None
            await audit.record(
                session,
                f"application_{transition.action}",
                actor_id=transition.actor_id,
                actor_role=transition.actor_role,
                physician_id=application.account_id,
                institution_code=application.institution_code,
                application_no=application.application_no,
                detail={"state": transition.state, "certificate_no": application.certificate_no},
                dedupe_key=key,
            )
            session.add(
                ApplicationEvent(
                    application_no=transition.application_no,
                    at=transition.at,
                    action=transition.action,
                    actor_role=transition.actor_role,
                    actor_id=transition.actor_id,
                    state=transition.state,
                    comment=transition.comment,
                    workflow_event=key,
                )
            )

    @activity.defn
    async def complete_application(self, application_no: str, today: date) -> Completion:
        async with session_scope(self._database_url) as session:
            return await applications.complete(session, application_no, today)

    @activity.defn
    async def review_deadline(self, accepted_on: date, working_days: int) -> datetime:
        """End of the n-th working day after acceptance, China time.

        An activity, so that the deadline is recorded once: new calendar data must not move the
        deadline of an application already under review.
        """
        due = workdays.add_working_days(accepted_on, working_days)
        return datetime.combine(due, time(23, 59, 59), CHINA_TIME)

    @activity.defn
    async def notify_application(self, notice: Notice) -> None:
        async with session_scope(self._database_url) as session:
            application = await session.scalar(
                select(Application).where(Application.application_no == notice.application_no)
            )
            recipients = await self._recipients(session, application, notice.audiences)
        subject, body = application_message(
            notice.event,
            TYPE_NAMES[ApplicationType(application.type)],
            application.application_no,
            notice.params,
        )
        async with self._deliver.batch():
            for phone, email in recipients:
                if phone:
                    await self._deliver.sms(phone, body)
                if email:
                    await self._deliver.email(email, subject, body)

    @staticmethod
    async def _recipients(session, application: Application, audiences: list[str]):
        clauses = []
        if "physician" in audiences and application.account_id:
            clauses.append(Account.id == application.account_id)
        if "institution" in audiences:
            clauses.append(
                (Account.role == "institution_staff")
                & (Account.institution_code == application.institution_code)
            )
        if "old_institution" in audiences and application.notify_institution_code:
            clauses.append(
                (Account.role == "institution_staff")
                & (Account.institution_code == application.notify_institution_code)
            )
        if "commission" in audiences:
            clauses.append(
                (Account.role == "commission_officer")
                & (Account.commission_code == application.commission_code)
            )
        if not clauses:
            return []
        rows = await session.execute(select(Account.phone, Account.email).where(or_(*clauses)))
        return list(rows)
