"""Filing applications and steering their workflows; shared by the API and the demo."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_object_session
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from infra.temporal import application_workflow_id, execute_update
from registry import access, applications, identifiers, text
from registry.application_types import (
    CANCELLATION_GROUNDS,
    FIELDS,
    GROUNDS_BY_FILER,
    OFFLINE_ONLY,
    OFFLINE_WHERE,
    STATE_NAMES,
    TYPE_NAMES,
    Actor,
    ApplicationStart,
    ApplicationState,
    ApplicationType,
    Resubmission,
    Withdrawal,
)
from registry.errors import DomainError, Localized
from registry.models import Account, Application, ApplicationEvent
from registry.reference import CHINA_TIME
from registry.settings import Settings
from starter.api.schemas import (
    ApplicationOut,
    ApplicationTypeOut,
    ApplicationTypesResponse,
    DecisionOut,
    OfflineBusinessOut,
    TimelineEntry,
)
from workflows import search_attributes as sa
from workflows.application import ApplicationWorkflow


def actor_of(account: Account) -> Actor:
    return Actor(
        account_id=account.id,
        role=account.role,
        institution_code=account.institution_code,
        commission_code=account.commission_code,
    )


async def submit(
    session: AsyncSession,
    client: Client,
    settings: Settings,
    filer: Account,
    type_: ApplicationType,
    fields: BaseModel,
) -> Application:
    """Check the rules, store the application, start its workflow.

    The row is committed before the workflow starts, so the workflow always finds it; if the
    workflow cannot start, the row is removed and the applicant can simply retry.
    """
    today = datetime.now(CHINA_TIME).date()
    subject, plan = await applications.plan(session, type_, fields, filer, today)
    application = Application(
        type=type_,
        account_id=subject.account_id,
        filed_by=filer.id,
        registration_id=plan.registration_id,
        institution_code=plan.institution_code,
        notify_institution_code=plan.notify_institution_code,
        commission_code=plan.commission_code,
        province_code=plan.province_code,
        details={
            "fields": fields.model_dump(mode="json"),
            "subject": {"name": subject.name, "id_number": subject.id_number},
            **plan.details,
        },
        state=applications.first_state(actor_of(filer), plan.institution_code),
        open_slot=plan.open_slot,
    )
    session.add(application)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise DomainError(
            "application_open",
            {"application_no": await _open_on(session, plan.open_slot)},
        ) from None
    application.application_no = f"{datetime.now(CHINA_TIME):%Y%m%d}{application.id:06d}"
    await session.commit()
    try:
        await _start(client, settings, application, filer)
    except Exception:
        await session.delete(application)
        await session.commit()
        raise
    return application


async def _open_on(session: AsyncSession, slot: str) -> str:
    return (
        await session.scalar(
            select(Application.application_no).where(Application.open_slot == slot)
        )
        or "—"
    )


async def _start(client: Client, settings: Settings, application: Application, filer: Account):
    await client.start_workflow(
        ApplicationWorkflow.run,
        ApplicationStart(
            application_no=application.application_no,
            type=application.type,
            filed_by=actor_of(filer),
            account_id=application.account_id,
            institution_code=application.institution_code,
            notify_institution_code=application.notify_institution_code,
            commission_code=application.commission_code,
            province_code=application.province_code,
        ),
        id=application_workflow_id(application.application_no),
        task_queue=settings.task_queue,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(sa.APPLICATION_TYPE, application.type),
                SearchAttributePair(sa.APPLICATION_STATE, application.state),
                SearchAttributePair(sa.INSTITUTION_CODE, application.institution_code),
                SearchAttributePair(sa.PROVINCE_CODE, application.province_code),
                SearchAttributePair(sa.COMMISSION_CODE, application.commission_code),
                SearchAttributePair(sa.OVERDUE, False),
            ]
        ),
        static_summary=f"业务申请 · Application {application.application_no} ({application.type})",
    )


async def update(client: Client, application: Application, method, argument):
    """Run a decision on the application's workflow; a closed one says how it ended.

    The request's database connection goes back to the pool first: the update waits for the
    workflow's step (minutes, if no worker is up), and connections held meanwhile would starve
    every other request.
    """
    session = async_object_session(application)
    if session is not None:
        await session.commit()  # reads only so far; the row stays loaded (no expiry on commit)
    handle = client.get_workflow_handle(application_workflow_id(application.application_no))
    try:
        return await execute_update(handle, method, argument)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        raise DomainError("wrong_state", {"state": application.state}) from None


# --- what a caller may see ---------------------------------------------------------------------


def types() -> ApplicationTypesResponse:
    """The nine online types with their fields, and what can only be done in person."""
    where_zh, where_en = OFFLINE_WHERE
    return ApplicationTypesResponse(
        online=[
            ApplicationTypeOut(
                code=type_,
                name_zh=zh,
                name_en=en,
                staff_may_file=type_ == ApplicationType.cancellation,
                officer_may_file=type_ == ApplicationType.cancellation,
                fields=FIELDS[type_].model_json_schema(),
            )
            for type_, (zh, en) in TYPE_NAMES.items()
        ],
        offline_only=[
            OfflineBusinessOut(
                code=code, name_zh=zh, name_en=en, where_zh=where_zh, where_en=where_en
            )
            for code, (zh, en) in OFFLINE_ONLY.items()
        ],
        cancellation_grounds=CANCELLATION_GROUNDS,
        cancellation_grounds_by_filer={
            filer.value: sorted(grounds) for filer, grounds in GROUNDS_BY_FILER.items()
        },
    )


def parse(body: dict[str, Any]) -> tuple[ApplicationType, BaseModel]:
    """``type`` plus that type's fields, as filed; refused with the fields that are wrong."""
    fields = dict(body)
    code = str(fields.pop("type", ""))
    if code in OFFLINE_ONLY:
        raise DomainError(
            "offline_only",
            {"business": Localized(*OFFLINE_ONLY[code]), "where": Localized(*OFFLINE_WHERE)},
        )
    try:
        type_ = ApplicationType(code)
    except ValueError:
        raise DomainError("application_type_unknown") from None  # not echoed
    try:
        return type_, FIELDS[type_].model_validate(fields)
    except ValidationError as error:
        raise text.refusal(error.errors()) from None


def application_out(
    application: Application, viewer: Account, lang: str, timeline: list[ApplicationEvent] = ()
) -> ApplicationOut:
    name = application.details.get("subject", {}).get("name")
    own = access.sees_applicant_unmasked(viewer, application)
    return ApplicationOut(
        application_no=application.application_no,
        type=application.type,
        type_name=TYPE_NAMES[ApplicationType(application.type)][lang == "en"],
        state=application.state,
        state_name=STATE_NAMES[ApplicationState(application.state)][lang == "en"],
        applicant=name if own else identifiers.mask_name(name or ""),
        registration_id=application.registration_id,
        institution_code=application.institution_code,
        commission_code=application.commission_code,
        fields=application.details.get("fields", {}),
        step_deadline=application.step_deadline,
        overdue=application.overdue,
        certificate_no=application.certificate_no,
        created_at=application.created_at,
        filed_as=application.details.get("filed_as"),
        reported_late=application.details.get("reported_late"),
        timeline=[
            TimelineEntry(
                at=e.at,
                action=e.action,
                actor_role=e.actor_role,
                state=e.state,
                comment=e.comment_en if lang == "en" and e.comment_en else e.comment,
                reason_code=e.reason_code,
            )
            for e in timeline
        ],
    )


async def list_for(
    session: AsyncSession,
    account: Account,
    lang: str,
    state: ApplicationState | None = None,
    type_: ApplicationType | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ApplicationOut]:
    """The account's applications, or those of its institution or commission; newest first."""
    query = select(Application).where(
        access.applications_visible_to(account), Application.application_no.is_not(None)
    )
    if state:
        query = query.where(Application.state == state)
    if type_:
        query = query.where(Application.type == type_)
    rows = await session.scalars(query.order_by(Application.id.desc()).limit(limit).offset(offset))
    return [application_out(a, account, lang) for a in rows]


async def visible_application(session: AsyncSession, account: Account, no: str) -> Application:
    application = await session.scalar(
        select(Application).where(
            Application.application_no == no, access.applications_visible_to(account)
        )
    )
    if application is None:
        raise DomainError("application_not_found")
    return application


async def detail(session: AsyncSession, account: Account, no: str, lang: str) -> ApplicationOut:
    """State, current deadline and timeline: who did what, when, with which comment."""
    application = await visible_application(session, account, no)
    timeline = await session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_no == no)
    )
    return application_out(application, account, lang, sorted(timeline, key=_step))


def _step(event: ApplicationEvent) -> tuple:
    """Timeline order: the workflow's time, then its step number (``<no>:<sequence>``). Two
    steps of one workflow task share a time, and their records may land in either order."""
    return event.at, int(event.workflow_event.rpartition(":")[2])


def decision_out(application: Application, result) -> DecisionOut:
    return DecisionOut(
        application_no=application.application_no,
        state=result.state,
        certificate_no=result.certificate_no,
        step_deadline=result.step_deadline,
    )


async def check_applicant(session: AsyncSession, account: Account, application: Application):
    filer = await session.get(Account, application.filed_by)
    if not access.acts_for_applicant(actor_of(filer), actor_of(account)):
        raise DomainError("not_applicant")


async def withdraw(session: AsyncSession, client: Client, account: Account, no: str) -> DecisionOut:
    """The applicant withdraws, at any time before completion."""
    application = await visible_application(session, account, no)
    await check_applicant(session, account, application)
    result = await update(
        client, application, ApplicationWorkflow.withdraw, Withdrawal(actor=actor_of(account))
    )
    return decision_out(application, result)


async def resubmit(
    session: AsyncSession, client: Client, account: Account, no: str, comment: str | None
) -> DecisionOut:
    """The applicant sends a returned application (补正) again: to the institution, or for an
    institution's own report to the paper documents, for a commission's to its decision."""
    application = await visible_application(session, account, no)
    await check_applicant(session, account, application)
    result = await update(
        client,
        application,
        ApplicationWorkflow.resubmit,
        Resubmission(actor=actor_of(account), comment=comment),
    )
    return decision_out(application, result)
