"""Filing applications and steering their workflows; shared by the API and the demo."""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_object_session
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from infra.temporal import application_workflow_id, execute_update
from registry import applications
from registry.application_types import Actor, ApplicationStart, ApplicationState, ApplicationType
from registry.errors import DomainError
from registry.models import Account, Application
from registry.reference import CHINA_TIME
from registry.settings import Settings
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
    subject, plan = await applications.plan(session, type_, fields, filer)
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
        state=ApplicationState.awaiting_institution,
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
