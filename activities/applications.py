"""Activities of the application workflow: the record, the registry change, notices."""

from datetime import UTC, date, datetime, time
from functools import partial

from sqlalchemy import Connection, bindparam, insert, or_, select, update
from temporalio import activity

from activities.messaging import Deliverer, Mailer, SmsGateway, worded
from registry import applications, audit, workdays
from registry.application_types import (
    TERMINAL,
    TYPE_NAMES,
    ApplicationType,
    Audience,
    Completion,
    Notice,
    Transition,
)
from registry.claims import ClaimRecord
from registry.db import in_transaction, session_scope
from registry.models import Account, Application, ApplicationEvent, AuditEvent, Commission
from registry.notices import application_message
from registry.reference import CHINA_TIME
from registry.roles import Role

# Statements run at every step (the timeline record, a notice's addressees), built once per
# process: building and keying a statement costs more CPU than SQLite takes to run it.
_APPLICATIONS = Application.__table__
_THIS_APPLICATION = _APPLICATIONS.c.application_no == bindparam("no")
# What an application's audit line names besides the step.
_AUDITED = (
    _APPLICATIONS.c.account_id,
    _APPLICATIONS.c.institution_code,
    _APPLICATIONS.c.certificate_no,
)
_RECORDED = select(ApplicationEvent.workflow_event).where(
    ApplicationEvent.application_no == bindparam("no")
)
_MIRROR = update(_APPLICATIONS).where(_THIS_APPLICATION).returning(*_AUDITED)
_AUDITED_NOW = select(*_AUDITED).where(_THIS_APPLICATION)
_ADD_AUDIT = insert(AuditEvent.__table__)
_ADD_EVENT = insert(ApplicationEvent.__table__)


def _mirror(transition: Transition) -> dict:
    """The application row's copy of the workflow's state after ``transition``."""
    values = {
        "state": transition.state,
        # In UTC: SQLite keeps no zone, and a review's deadline comes in China time (+08:00).
        "step_deadline": transition.step_deadline and transition.step_deadline.astimezone(UTC),
        "overdue": transition.overdue,
        "updated_at": transition.at,
    }
    if transition.state in TERMINAL:
        values["open_slot"] = None
    return values


def _record(transition: Transition, connection: Connection) -> None:
    no = transition.application_no
    key = f"{no}:{transition.sequence}"
    recorded = connection.scalars(_RECORDED, {"no": no}).all()
    if key in recorded:
        return
    latest = max((int(k.rpartition(":")[2]) for k in recorded), default=0)
    if transition.sequence > latest:
        application = connection.execute(_MIRROR, {"no": no, **_mirror(transition)})
    else:
        application = connection.execute(_AUDITED_NOW, {"no": no})
    physician_id, institution_code, certificate_no = application.one()
    connection.execute(
        _ADD_AUDIT,
        audit.entry(
            f"application_{transition.action}",
            actor_id=transition.actor_id,
            actor_role=transition.actor_role,
            physician_id=physician_id,
            institution_code=institution_code,
            application_no=no,
            detail={"state": transition.state, "certificate_no": certificate_no},
            dedupe_key=key,
        ),
    )
    connection.execute(
        _ADD_EVENT,
        {
            "application_no": no,
            "at": transition.at,
            "action": transition.action,
            "actor_role": transition.actor_role,
            "actor_id": transition.actor_id,
            "state": transition.state,
            "comment": transition.comment,
            "workflow_event": key,
            "reason_code": transition.reason_code,
            "comment_en": transition.comment_en,
            "documents": [item.model_dump(mode="json") for item in transition.documents]
            if transition.documents
            else None,
        },
    )


_COMMISSIONS = Commission.__table__
_NOTIFIED = (
    select(
        _APPLICATIONS.c.type,
        _APPLICATIONS.c.account_id,
        _APPLICATIONS.c.institution_code,
        _APPLICATIONS.c.notify_institution_code,
        _APPLICATIONS.c.commission_code,
        _COMMISSIONS.c.name.label("commission_name"),
        _COMMISSIONS.c.address_zh,
        _COMMISSIONS.c.address_en,
    )
    .join(_COMMISSIONS, _COMMISSIONS.c.code == _APPLICATIONS.c.commission_code)
    .where(_THIS_APPLICATION)
)


def _commission_params(application) -> dict[str, str]:
    """The commission that decides, and where it receives people: a notice that sends someone
    there names both."""
    return {
        "commission": application.commission_name,
        "address_zh": application.address_zh or "—",
        "address_en": application.address_en or application.address_zh or "—",
    }


def _addressees(notice: Notice, connection: Connection) -> tuple[str, dict, list]:
    """The application's type, its commission's name and address, and (phone, email) of
    everyone in the notice's audiences."""
    application = connection.execute(_NOTIFIED, {"no": notice.application_no}).one()
    commission = _commission_params(application)
    clauses = []
    if Audience.physician in notice.audiences and application.account_id:
        clauses.append(Account.id == application.account_id)
    if Audience.institution in notice.audiences:
        clauses.append(_staff_of(application.institution_code))
    if Audience.old_institution in notice.audiences and application.notify_institution_code:
        clauses.append(_staff_of(application.notify_institution_code))
    if Audience.commission in notice.audiences:
        clauses.append(
            (Account.role == Role.COMMISSION_OFFICER)
            & (Account.commission_code == application.commission_code)
        )
    if not clauses:
        return application.type, commission, []
    return (
        application.type,
        commission,
        connection.execute(select(Account.phone, Account.email).where(or_(*clauses))).all(),
    )


def _staff_of(institution_code: str):
    return (Account.role == Role.INSTITUTION_STAFF) & (Account.institution_code == institution_code)


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
        await in_transaction(self._database_url, partial(_record, transition))

    @activity.defn
    async def complete_application(self, application_no: str, today: date) -> Completion:
        async with session_scope(self._database_url) as session:
            return await applications.complete(session, application_no, today)

    @activity.defn
    async def record_claim(self, record: ClaimRecord) -> None:
        """Mirror the workflow's claim on the row the inboxes read (the same values on retry)."""
        await in_transaction(
            self._database_url,
            lambda connection: connection.execute(
                update(_APPLICATIONS)
                .where(_APPLICATIONS.c.application_no == record.application_no)
                .values(
                    claimed_by=record.holder_id,
                    claimed_at=record.since,
                    claim_until=record.until,
                )
            ),
        )

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
        read = partial(_addressees, notice)
        async with self._deliver.batch(read) as (type_, commission, recipients):
            names = TYPE_NAMES[ApplicationType(type_)]
            subject, body = worded(
                application_message,
                notice.event,
                names,
                notice.application_no,
                commission | notice.params,
            )
            sms_params = {"application_no": notice.application_no, "type": names[0]} | commission
            for phone, email in recipients:
                if phone:
                    await self._deliver.sms(
                        phone, body, f"application.{notice.event}", sms_params | notice.params
                    )
                if email:
                    await self._deliver.email(email, subject, body)
