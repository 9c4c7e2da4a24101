"""Business applications: types, filing, reading and every decision on them."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from registry.application_types import (
    ApplicationState,
    ApplicationType,
    Decision,
    DocumentCheck,
)
from registry.models import Account
from registry.roles import Role
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
    ApplicationTypesResponse,
    DecisionIn,
    DecisionOut,
    PaperCheckIn,
    ResubmitIn,
)
from starter.services import applications, commission, documents, institution

router = APIRouter(tags=["applications"])

Filer = Annotated[
    Account, require_role(Role.PHYSICIAN, Role.INSTITUTION_STAFF, Role.COMMISSION_OFFICER)
]


@router.get("/application-types", response_model=ApplicationTypesResponse)
async def application_types() -> ApplicationTypesResponse:
    """The nine online types with their fields, and what can only be done in person."""
    return applications.types()


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

    Institution staff may report a cancellation (grounds 1–9) of a physician of their
    institution; a commission officer may cancel a registration their commission granted on
    the commission's own authority (依职权注销, grounds 1–9).
    """
    type_, fields = applications.parse(body)
    application = await applications.submit(session, temporal, settings, filer, type_, fields)
    return ApplicationCreated(application_no=application.application_no, state=application.state)


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
    return await applications.list_for(
        session, account, language(request), state, type, limit, offset
    )


_visible_application = applications.visible_application
_decision_out = applications.decision_out


@router.get("/applications/{no}", response_model=ApplicationOut)
async def get_application(
    no: str, request: Request, account: CurrentAccount, session: SessionDep
) -> ApplicationOut:
    """State, current deadline and timeline: who did what, when, with which comment."""
    return await applications.detail(session, account, no, language(request))


@router.post("/applications/{no}/withdraw", response_model=DecisionOut)
async def withdraw(no: str, account: Filer, session: SessionDep, temporal: TemporalDep):
    """Withdraw your application, at any time before it is completed."""
    return await applications.withdraw(session, temporal, account, no)


@router.post("/applications/{no}/resubmit", response_model=DecisionOut)
async def resubmit(
    no: str,
    account: Filer,
    session: SessionDep,
    temporal: TemporalDep,
    body: ResubmitIn | None = None,
):
    """Send a returned application to the institution again."""
    return await applications.resubmit(session, temporal, account, no, body and body.comment)


@router.post("/applications/{no}/institution-decision", response_model=DecisionOut)
async def institution_decision(
    no: str, body: DecisionIn, staff: InstitutionStaff, session: SessionDep, temporal: TemporalDep
):
    """Approve, reject or return (补正) an application your institution confirms."""
    decision = Decision(body.decision)
    return await institution.decide_application(
        session, temporal, staff, no, decision, body.comment
    )


@router.post("/applications/{no}/paper-check", response_model=DecisionOut)
async def paper_check(
    no: str,
    body: PaperCheckIn,
    officer: CommissionOfficer,
    session: SessionDep,
    temporal: TemporalDep,
):
    """Record each required paper document as present, missing or not acceptable (with a
    note). All present: accepted, the 20 working days start. Otherwise the application is
    returned (补正) with the missing items listed to the applicant."""
    application = await _visible_application(session, officer, no)
    items = (
        None
        if body.items is None
        else [DocumentCheck.model_validate(item.model_dump()) for item in body.items]
    )
    result = await documents.check_papers(
        session, temporal, officer, application, items, body.documents_complete, body.comment
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
    result = await documents.decide_as_commission(
        session, temporal, officer, application, Decision(body.decision), body.comment
    )
    return _decision_out(application, result)


@router.get("/commission/inbox", response_model=list[ApplicationOut])
async def commission_inbox(request: Request, officer: CommissionOfficer, session: SessionDep):
    """Applications awaiting documents or a decision by your commission, most urgent first."""
    return await commission.waiting(session, officer, language(request))
