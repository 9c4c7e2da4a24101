"""Business applications: types, filing, reading and every decision on them."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import ValidationError
from sqlalchemy import or_, select

from registry import identifiers
from registry.application_types import (
    CANCELLATION_GROUNDS,
    FIELDS,
    OFFLINE_ONLY,
    OFFLINE_WHERE,
    STATE_NAMES,
    TYPE_NAMES,
    ApplicationState,
    ApplicationType,
    CommissionDecision,
    Decision,
    InstitutionDecision,
    PaperCheck,
    Resubmission,
    Withdrawal,
)
from registry.applications import acts_for_applicant
from registry.errors import DomainError, Localized
from registry.models import Account, Application, ApplicationEvent
from starter.api.deps import (
    CommissionOfficer,
    CurrentAccount,
    InstitutionStaff,
    SessionDep,
    SettingsDep,
    TemporalDep,
    require_role,
)
from starter.api.errors import language
from starter.api.schemas import (
    ApplicationCreated,
    ApplicationOut,
    ApplicationTypeOut,
    ApplicationTypesResponse,
    DecisionIn,
    DecisionOut,
    OfflineBusinessOut,
    PaperCheckIn,
    ResubmitIn,
    TimelineEntry,
)
from starter.services import applications
from workflows.application import ApplicationWorkflow

router = APIRouter(tags=["applications"])

Filer = Annotated[Account, require_role("physician", "institution_staff")]


@router.get("/application-types", response_model=ApplicationTypesResponse)
async def application_types() -> ApplicationTypesResponse:
    """The nine online types with their fields, and what can only be done in person."""
    where_zh, where_en = OFFLINE_WHERE
    return ApplicationTypesResponse(
        online=[
            ApplicationTypeOut(
                code=type_,
                name_zh=zh,
                name_en=en,
                staff_may_file=type_ == ApplicationType.cancellation,
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
    )


def _parse(body: dict[str, Any]) -> tuple[ApplicationType, Any]:
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
        raise DomainError("application_type_unknown", {"type": code[:40]}) from None
    try:
        return type_, FIELDS[type_].model_validate(fields)
    except ValidationError as error:
        names = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()})
        raise DomainError("invalid_request", {"detail": ", ".join(names)}) from None


@router.post("/applications", status_code=201, response_model=ApplicationCreated)
async def file_application(
    body: Annotated[
        dict[str, Any],
        Body(
            examples=[
                {
                    "type": "registration",
                    "institution_code": "H4301020001",
                    "category": "clinical",
                    "scope": "内科",
                }
            ]
        ),
    ],
    filer: Filer,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> ApplicationCreated:
    """File an application: `type` plus that type's fields (see `/application-types`).

    Institution staff may file a cancellation for a physician of their institution.
    """
    type_, fields = _parse(body)
    application = await applications.submit(session, temporal, settings, filer, type_, fields)
    return ApplicationCreated(application_no=application.application_no, state=application.state)


def _visible_to(account: Account):
    """Which applications an account may see."""
    if account.role == "physician":
        return or_(Application.account_id == account.id, Application.filed_by == account.id)
    if account.role == "institution_staff":
        return or_(
            Application.institution_code == account.institution_code,
            Application.notify_institution_code == account.institution_code,
        )
    if account.role == "commission_officer":
        return Application.commission_code == account.commission_code
    return Application.id.is_not(None)  # operators see everything


def application_out(
    application: Application, viewer: Account, lang: str, timeline: list[ApplicationEvent] = ()
) -> ApplicationOut:
    name = application.details.get("subject", {}).get("name")
    own = viewer.id in (application.account_id, application.filed_by) and viewer.role == "physician"
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
        timeline=[
            TimelineEntry(
                at=e.at, action=e.action, actor_role=e.actor_role, state=e.state, comment=e.comment
            )
            for e in timeline
        ],
    )


@router.get("/applications", response_model=list[ApplicationOut])
async def list_applications(
    request: Request,
    account: CurrentAccount,
    session: SessionDep,
    state: Annotated[ApplicationState | None, Query()] = None,
    type: Annotated[ApplicationType | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ApplicationOut]:
    """Your applications, or those of your institution or commission; newest first."""
    query = select(Application).where(_visible_to(account), Application.application_no.is_not(None))
    if state:
        query = query.where(Application.state == state)
    if type:
        query = query.where(Application.type == type)
    rows = await session.scalars(query.order_by(Application.id.desc()).limit(limit).offset(offset))
    lang = language(request)
    return [application_out(a, account, lang) for a in rows]


async def _visible_application(session, account: Account, no: str) -> Application:
    application = await session.scalar(
        select(Application).where(Application.application_no == no, _visible_to(account))
    )
    if application is None:
        raise DomainError("application_not_found")
    return application


@router.get("/applications/{no}", response_model=ApplicationOut)
async def get_application(
    no: str, request: Request, account: CurrentAccount, session: SessionDep
) -> ApplicationOut:
    """State, current deadline and timeline: who did what, when, with which comment."""
    application = await _visible_application(session, account, no)
    timeline = await session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_no == no)
    )
    return application_out(application, account, language(request), sorted(timeline, key=_step))


def _step(event: ApplicationEvent) -> tuple:
    """Timeline order: the workflow's time, then its step number (``<no>:<sequence>``). Two
    steps of one workflow task share a time, and their records may land in either order."""
    return event.at, int(event.workflow_event.rpartition(":")[2])


def _decision_out(application: Application, result) -> DecisionOut:
    return DecisionOut(
        application_no=application.application_no,
        state=result.state,
        certificate_no=result.certificate_no,
        step_deadline=result.step_deadline,
    )


async def _check_applicant(session, account: Account, application: Application) -> None:
    filer = await session.get(Account, application.filed_by)
    if not acts_for_applicant(applications.actor_of(filer), applications.actor_of(account)):
        raise DomainError("not_applicant")


@router.post("/applications/{no}/withdraw", response_model=DecisionOut)
async def withdraw(no: str, account: Filer, session: SessionDep, temporal: TemporalDep):
    """Withdraw your application, at any time before it is completed."""
    application = await _visible_application(session, account, no)
    await _check_applicant(session, account, application)
    result = await applications.update(
        temporal,
        application,
        ApplicationWorkflow.withdraw,
        Withdrawal(actor=applications.actor_of(account)),
    )
    return _decision_out(application, result)


@router.post("/applications/{no}/resubmit", response_model=DecisionOut)
async def resubmit(
    no: str,
    account: Filer,
    session: SessionDep,
    temporal: TemporalDep,
    body: ResubmitIn | None = None,
):
    """Send a returned application to the institution again."""
    application = await _visible_application(session, account, no)
    await _check_applicant(session, account, application)
    result = await applications.update(
        temporal,
        application,
        ApplicationWorkflow.resubmit,
        Resubmission(actor=applications.actor_of(account), comment=body and body.comment),
    )
    return _decision_out(application, result)


@router.post("/applications/{no}/institution-decision", response_model=DecisionOut)
async def institution_decision(
    no: str, body: DecisionIn, staff: InstitutionStaff, session: SessionDep, temporal: TemporalDep
):
    """Approve, reject or return (补正) an application your institution confirms."""
    application = await _visible_application(session, staff, no)
    if application.institution_code != staff.institution_code:
        raise DomainError("wrong_institution")
    result = await applications.update(
        temporal,
        application,
        ApplicationWorkflow.institution_decision,
        InstitutionDecision(
            actor=applications.actor_of(staff),
            decision=Decision(body.decision),
            comment=body.comment,
        ),
    )
    return _decision_out(application, result)


@router.post("/applications/{no}/paper-check", response_model=DecisionOut)
async def paper_check(
    no: str,
    body: PaperCheckIn,
    officer: CommissionOfficer,
    session: SessionDep,
    temporal: TemporalDep,
):
    """Record the paper documents presented in person; complete ones start the 20 working days."""
    application = await _visible_application(session, officer, no)
    result = await applications.update(
        temporal,
        application,
        ApplicationWorkflow.paper_check,
        PaperCheck(
            actor=applications.actor_of(officer),
            documents_complete=body.documents_complete,
            comment=body.comment,
        ),
    )
    return _decision_out(application, result)


@router.post("/applications/{no}/commission-decision", response_model=DecisionOut)
async def commission_decision(
    no: str,
    body: DecisionIn,
    officer: CommissionOfficer,
    session: SessionDep,
    temporal: TemporalDep,
):
    """Approve (the registry is updated), reject (reasons required) or return."""
    application = await _visible_application(session, officer, no)
    result = await applications.update(
        temporal,
        application,
        ApplicationWorkflow.commission_decision,
        CommissionDecision(
            actor=applications.actor_of(officer),
            decision=Decision(body.decision),
            comment=body.comment,
        ),
    )
    return _decision_out(application, result)


@router.get("/commission/inbox", response_model=list[ApplicationOut])
async def commission_inbox(request: Request, officer: CommissionOfficer, session: SessionDep):
    """Applications awaiting documents or a decision by your commission, most urgent first."""
    rows = await session.scalars(
        select(Application)
        .where(
            Application.commission_code == officer.commission_code,
            Application.state.in_(
                [ApplicationState.awaiting_documents, ApplicationState.under_review]
            ),
        )
        .order_by(Application.overdue.desc(), Application.step_deadline)
    )
    lang = language(request)
    return [application_out(a, officer, lang) for a in rows]
