"""Paper documents, the printable form, electronic certificates and the public register.

What a request may do, for the API and the pages alike: read which documents an application
needs; print its application and review form once the institution has confirmed it; issue the
electronic certificate of one's own registration; verify a certificate; look a physician up.
The PDFs are drawn off the event loop (``registry.pdf`` is CPU-bound). A form shows the
applicant's ID number and photo: each print by someone other than the applicant is audited.
"""

import io
from dataclasses import replace
from datetime import date
from functools import lru_cache

from fastapi.concurrency import run_in_threadpool
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry import access, audit, certificates, documents, identifiers, ratelimit, register
from registry.application_types import (
    CANCELLATION_GROUNDS,
    STATE_NAMES,
    TYPE_NAMES,
    ApplicationState,
    ApplicationType,
    CommissionDecision,
    Decision,
    DecisionResult,
    DocumentCheck,
    PaperCheck,
)
from registry.certificates import STATUS_NAMES, CertificateStatus, SigningKeys
from registry.errors import DomainError
from registry.models import (
    Account,
    Application,
    ApplicationEvent,
    Commission,
    Department,
    Filing,
    Institution,
    LegacySite,
    PhysicianProfile,
    Qualification,
    Registration,
    utcnow,
)
from registry.pdf import certificate as certificate_pdf
from registry.pdf import form as form_pdf
from registry.profile import photo_of
from registry.reference import CHINA_TIME, Level
from registry.settings import Settings
from starter.services import applications
from starter.services.reference import category_name, level_name, place_name, scope_name
from workflows.application import ApplicationWorkflow

T = ApplicationType
S = ApplicationState
# A confirmation no longer stands once the application went back to the applicant.
_UNCONFIRMING = {"resubmitted", "institution_returned", "commission_returned"}
REGISTRATION_STATUS_NAMES = {
    "active": ("有效", "Active"),
    "cancelled": ("已注销", "Cancelled"),
    "superseded": ("已被取代", "Superseded"),
    "invalid": ("已失效", "No longer valid"),
}


def today() -> date:
    return utcnow().astimezone(CHINA_TIME).date()


def _both(pair: tuple[str, str]) -> str:
    return f"{pair[0]} {pair[1]}"


# --- documents to bring ----------------------------------------------------------------------


async def documents_to_bring(session: AsyncSession, application: Application, lang: str) -> dict:
    """The documents this application needs, where to bring them and by when."""
    commission = await session.get(Commission, application.commission_code)
    needed = await documents.for_application(session, application, today())
    en = lang == "en"
    return {
        "application_no": application.application_no,
        "state": application.state,
        "commission": {
            "code": commission.code,
            "name": commission.name,
            "address": commission.address_en if en else commission.address_zh,
        },
        "bring_by": application.step_deadline
        if application.state == S.awaiting_documents
        else None,
        "documents": [d.text(lang) for d in needed],
    }


# --- the paper check at the counter -------------------------------------------------------------


async def check_papers(
    session: AsyncSession,
    temporal: Client,
    officer: Account,
    application: Application,
    items: list[DocumentCheck] | None,
    documents_complete: bool | None = None,
    comment: str | None = None,
) -> DecisionResult:
    """Record the officer's findings, one per required document: all present starts the
    statutory clock, anything else returns the application with the items in words. Without
    items (the older yes/no), ``documents_complete`` decides, as before."""
    if items is not None:
        needed = await documents.for_application(session, application, today())
        documents.check_findings(needed, items)
        documents_complete = None
    elif documents_complete is None:
        raise DomainError("document_checklist_incomplete", {"documents": "—"})
    check = PaperCheck(
        actor=applications.actor_of(officer),
        items=items or [],
        documents_complete=documents_complete,
        comment=(comment or "").strip() or None,
    )
    return await applications.update(temporal, application, ApplicationWorkflow.paper_check, check)


async def counter_application(session: AsyncSession, officer: Account, no: str) -> Application:
    """The application an officer reads at the counter (typed, scanned, or opened from the QR
    code): ``application_not_found``, or ``wrong_commission`` when another commission decides
    it, said as such rather than as "not found"."""
    application = await session.scalar(select(Application).where(Application.application_no == no))
    if application is None:
        raise DomainError("application_not_found")
    if not access.works_the_counter_of(officer, application):
        raise DomainError("wrong_commission")
    return application


async def counter_photo(session: AsyncSession, officer: Account, no: str):
    """The applicant's photo in force, for the officer to compare with the person; audited."""
    application = await counter_application(session, officer, no)
    photo = application.account_id and await photo_of(session, application.account_id, False)
    await audit.record(
        session,
        "counter_photo_viewed",
        actor_id=officer.id,
        actor_role=officer.role,
        physician_id=application.account_id,
        institution_code=application.institution_code,
        application_no=no,
    )
    await session.commit()
    return photo or None


async def decide_as_commission(
    session: AsyncSession,
    temporal: Client,
    officer: Account,
    application: Application,
    decision: Decision,
    comment: str | None,
) -> DecisionResult:
    """Approve (the registry changes), reject (reasons required) or return, once under review;
    the workflow's validator has the last word (state, commission, reason)."""
    decided = CommissionDecision(
        actor=applications.actor_of(officer), decision=decision, comment=comment
    )
    return await applications.update(
        temporal, application, ApplicationWorkflow.commission_decision, decided
    )


async def last_findings(session: AsyncSession, application_no: str) -> dict | None:
    """The latest paper check's findings, for the physician's page, the counter and the form:
    {"at", "accepted", "items": [{"kind", "status", "note", "name": (zh, en)}], "text": (zh, en)}.
    """
    event = await session.scalar(
        select(ApplicationEvent)
        .where(
            ApplicationEvent.application_no == application_no,
            ApplicationEvent.action.in_(("documents_returned", "documents_accepted")),
        )
        .order_by(ApplicationEvent.at.desc(), ApplicationEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    items = [DocumentCheck.model_validate(item) for item in event.documents or []]
    return {
        "at": event.at,
        "accepted": event.action == "documents_accepted",
        "items": [
            {**item.model_dump(mode="json"), "name": documents.name_of(item.kind)} for item in items
        ],
        "text": (event.comment or "—", event.comment_en or event.comment or "—"),
    }


# --- the application and review form ---------------------------------------------------------


async def application_form(
    session: AsyncSession, viewer: Account, application: Application, lang: str
) -> bytes:
    """The form as a PDF, once the institution's confirmation stands (``form_not_ready``
    before it, and after a return until confirmed again)."""
    timeline = await _timeline(session, application.application_no)
    confirmed = _confirmation(application, timeline)
    if confirmed is None:
        state = STATE_NAMES[S(application.state)][lang == "en"]
        raise DomainError("form_not_ready", {"state": state})
    data, photo = await _form_data(session, application, timeline[0], confirmed)
    pdf = await run_in_threadpool(_render_form, data, photo)
    if viewer.id != application.account_id:
        await audit.record(
            session,
            "application_form_printed",
            actor_id=viewer.id,
            actor_role=viewer.role,
            physician_id=application.account_id,
            institution_code=application.institution_code,
            application_no=application.application_no,
        )
    return pdf


async def _timeline(session, no: str) -> list[ApplicationEvent]:
    events = await session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_no == no)
    )
    return sorted(events, key=lambda e: (e.at, int(e.workflow_event.rpartition(":")[2])))


def _confirmation(application: Application, timeline: list[ApplicationEvent]):
    """The institution's approval in force, if any."""
    if application.state in (S.awaiting_institution, S.returned) or not timeline:
        return None
    found = None
    papers_only = False  # returned at the paper check: its resubmission keeps the confirmation
    for event in timeline:
        if event.action == "institution_approved":
            found = event
        elif event.action == "resubmitted" and papers_only:
            papers_only = False
        elif event.action in _UNCONFIRMING:
            found = None
        elif event.action == "documents_returned":
            papers_only = True
    return found


async def _form_data(session, application, submitted, confirmed):
    """The form's content, and the stored photo in force as (sha256, bytes) or None."""
    subject = application.details.get("subject", {})
    institution = await session.get(Institution, application.institution_code)
    commission = await session.get(Commission, application.commission_code)
    staff = await session.get(Account, confirmed.actor_id) if confirmed.actor_id else None
    photo = application.account_id and await photo_of(session, application.account_id, False)
    data = form_pdf.FormData(
        application_no=application.application_no,
        business=TYPE_NAMES[T(application.type)],
        submitted_at=submitted.at.astimezone(CHINA_TIME),
        applicant=await _applicant(session, application, subject),
        request=await _request(session, application),
        qualification=await _qualification(session, application, subject),
        confirmation=form_pdf.Confirmation(
            institution=f"{institution.name}（{institution.code}）",
            by=(staff.name or staff.username) if staff else "—",
            at=confirmed.at.astimezone(CHINA_TIME),
            comment=confirmed.comment,
        ),
        commission=(commission.name, commission.address_zh or "—"),
        documents=await documents.for_application(session, application, today()),
        photo=None,
        printed_at=utcnow().astimezone(CHINA_TIME),
        returned_for=await _returned_for(session, application),
    )
    return data, ((photo.sha256, photo.data) if photo else None)


async def _returned_for(session, application) -> tuple | None:
    findings = await last_findings(session, application.application_no)
    if findings is None or findings["accepted"]:
        return None
    return findings["at"].astimezone(CHINA_TIME), findings["text"][0]


def _born_and_sex(id_number: str) -> tuple[str, str]:
    """Birth date and sex, as GB 11643 encodes them (digits 7–14; the 17th odd for men)."""
    if len(id_number) != 18:
        return "—", "—"
    born = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    return born, ("男 Male" if int(id_number[16]) % 2 else "女 Female")


async def _applicant(session, application, subject) -> list:
    name, id_number = subject.get("name", ""), subject.get("id_number", "")
    born, sex = _born_and_sex(id_number)
    profile = (
        await session.get(PhysicianProfile, application.account_id)
        if application.account_id
        else None
    )
    department = (
        await session.get(Department, profile.department_id)
        if profile and profile.department_id
        else None
    )
    value = lambda field: (getattr(profile, field, None) if profile else None) or "—"  # noqa: E731
    return [
        (("姓名", "Name"), name),
        (("性别", "Sex"), sex),
        (("出生日期", "Born"), born),
        (("身份证号", "ID number"), id_number),
        (("民族", "Ethnicity"), value("ethnicity")),
        (("学历", "Education"), value("education")),
        (("学位", "Degree"), value("degree")),
        (("职称", "Title"), value("professional_title")),
        (("科室", "Department"), department.name if department else "—"),
        (("邮政编码", "Postcode"), value("postcode")),
        (("通讯地址", "Address"), value("mailing_address")),
    ]


async def _qualification(session, application, subject) -> list:
    """The qualification in the category the application is about, if it names one."""
    fields = application.details.get("fields", {})
    category = fields.get("category")
    if category is None and application.registration_id:
        registration = await session.get(Registration, application.registration_id)
        category = registration.category if registration else None
    if category is None:
        return []
    rows = list(
        await session.scalars(
            select(Qualification).where(
                Qualification.id_number == subject.get("id_number"),
                Qualification.name == subject.get("name"),
                Qualification.category == category,
            )
        )
    )
    if not rows:
        return []
    best = min(rows, key=lambda q: (q.level != Level.physician, q.issued_on))
    return [
        (("资格证书编码", "Certificate no."), best.certificate_no),
        (("资格级别", "Level"), level_name(best.level)),
        (("资格类别", "Category"), category_name(best.category)),
        (("取得日期", "Issued on"), best.issued_on.isoformat()),
    ]


async def _institution_words(session, code: str | None) -> str:
    if not code:
        return "—"
    institution = await session.get(Institution, code)
    return f"{institution.name}（{code}）" if institution else code


def _category_words(category: str | None) -> str:
    return f"{category_name(category)} {category_name(category, 'en')}" if category else "—"


def _scope_words(scope: str | None) -> str:
    return f"{scope_name(scope)} {scope_name(scope, 'en')}" if scope else "—"


def _place_words(code: str | None) -> str:
    return f"{place_name(code)} · {place_name(code, 'en')}" if code else "—"


def _registration_words(registration: Registration | None) -> str:
    if registration is None:
        return "—"
    return (
        f"{registration.certificate_no or '—'} · {level_name(registration.level)} · "
        f"{category_name(registration.category)} · {scope_name(registration.scope) or '—'}"
    )


async def _request(session, application: Application) -> list:
    """The application's fields in words, per type."""
    type_ = T(application.type)
    fields = application.details.get("fields", {})
    details = application.details
    registration = (
        await session.get(Registration, application.registration_id)
        if application.registration_id
        else None
    )
    institution = await _institution_words(session, application.institution_code)
    if type_ in (T.registration, T.military_transfer_in):
        rows = [
            (("医师级别", "Level"), level_name(details.get("level") or fields.get("level"))),
            (("执业类别", "Category"), _category_words(fields.get("category"))),
            (("执业范围", "Scope"), _scope_words(fields.get("scope"))),
            (("执业地点", "Location"), _place_words(details.get("location_code"))),
            (("主要执业机构", "Primary institution"), institution),
        ]
        if type_ == T.military_transfer_in:
            number = fields.get("military_certificate_no")
            rows.append((("军队执业证书编号", "Military certificate"), number))
        return rows
    if type_ == T.assistant_upgrade:
        return [
            (("原注册", "Registration"), _registration_words(registration)),
            (("申请", "Request"), "执业助理医师 → 执业医师 · assistant → practising physician"),
            (("执业地点", "Location"), _place_words(details.get("location_code"))),
            (("主要执业机构", "Primary institution"), institution),
        ]
    if type_ == T.transfer_to_military:
        return [
            (("注册", "Registration"), _registration_words(registration)),
            (("调入军队单位", "Military unit"), fields.get("military_unit") or "—"),
            (("提示", "Note"), "办结后在地方的全部注册失效 · every civilian registration ends"),
        ]
    if type_ == T.change:
        return [
            (("原注册", "Registration"), _registration_words(registration)),
            (("变更后类别", "New category"), _category_words(details.get("category"))),
            (("变更后范围", "New scope"), _scope_words(details.get("scope"))),
            (("变更后地点", "New location"), _place_words(details.get("location_code"))),
            (("变更后主要执业机构", "New primary institution"), institution),
        ]
    if type_ == T.cancellation:
        ground = CANCELLATION_GROUNDS.get(fields.get("ground"), ("—", "—"))
        return [
            (("注册", "Registration"), _registration_words(registration)),
            (("注销情形", "Ground"), f"（{fields.get('ground')}）{_both(ground)}"),
            (("说明", "Comment"), fields.get("comment") or "—"),
        ]
    if type_ == T.filing:
        end = fields.get("end_on") or "—"
        return [
            (("注册", "Registration"), _registration_words(registration)),
            (("备案机构", "Further institution"), institution),
            (("备案期限", "Period"), f"{fields.get('start_on')} — {end}"),
        ]
    if type_ == T.filing_cancellation:
        filing = await session.get(Filing, fields.get("filing_id"))
        return [
            (("注册", "Registration"), _registration_words(registration)),
            (("取消备案机构", "Filing to cancel"), institution),
            (("备案起始", "Filed since"), filing.start_on.isoformat() if filing else "—"),
        ]
    site = await session.get(LegacySite, fields.get("legacy_site_id"))
    return [
        (("多地点执业机构", "Legacy site"), institution),
        (("登记日期", "Recorded on"), site.registered_on.isoformat() if site else "—"),
    ]


def _render_form(data: form_pdf.FormData, photo: tuple[str, bytes] | None) -> bytes:
    """Scale the photo and draw the form (in a worker thread: both are CPU-bound)."""
    if photo is not None:
        data = replace(data, photo=_printable_photo(*photo))
    return form_pdf.render(data)


@lru_cache(maxsize=256)
def _printable_photo(sha256: str, data: bytes) -> bytes:
    """The photo at the size it is printed (30 × 40 mm at 300 dpi), as a JPEG, which the PDF
    embeds without decoding; each photo once per process."""
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (354, 472))  # a JPEG decodes at a fraction of its size: much faster
    image = image.convert("RGB")
    image.thumbnail((354, 472))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


# --- electronic certificates -----------------------------------------------------------------


async def certificate(
    session: AsyncSession, settings: Settings, keys: SigningKeys, account: Account, reg_id: int
) -> bytes:
    """The PDF certificate of one of the physician's own registrations, still in force."""
    registration = await session.get(Registration, reg_id)
    if registration is None or registration.id_number != account.id_number:
        raise DomainError("registration_not_found")
    facts = await certificates.facts_now(session, registration)
    issued = await certificates.issue(session, keys, registration, facts, today())
    await session.commit()  # the certificate is on record before anyone can scan it
    base = settings.public_base_url.rstrip("/")
    data = certificate_pdf.CertificateData(
        certificate_no=issued.certificate_no,
        rows=_certificate_rows(facts),
        commission=facts.commission[1],
        issued_on=issued.issued_on,
        link=certificates.verification_link(base, issued.certificate_no, issued.check_code),
        check_code=issued.check_code,
        key_id=issued.key_id,
        qr=certificates.qr_text(base, issued.certificate_no, issued.token),
        keys_url=f"{base}{certificates.KEYS_PATH}",
    )
    return await run_in_threadpool(certificate_pdf.render, data)


def _certificate_rows(facts: certificates.Facts) -> list:
    filings = "；".join(
        f"{name}（{start:%Y-%m-%d}起{f'至{end:%Y-%m-%d}' if end else ''}）"
        for _, name, start, end in facts.filings
    )
    return [
        (("姓名", "Name"), facts.name),
        (("执业证书编码", "Certificate no."), facts.certificate_no),
        (("医师级别", "Level"), f"{level_name(facts.level)} {level_name(facts.level, 'en')}"),
        (("执业类别", "Category"), _category_words(facts.category)),
        (("执业范围", "Scope"), _scope_words(facts.scope)),
        (("执业地点", "Location"), _place_words(facts.location_code)),
        (("主要执业机构", "Primary institution"), facts.institution[1]),
        (("备案机构", "Filings"), filings or "无 None"),
        (("注册日期", "Registered on"), facts.registered_on.isoformat()),
    ]


def _place(code: str, name: str) -> dict:
    return {"code": code, "name": name}


def facts_out(facts: certificates.Facts, lang: str) -> dict:
    """A certificate's facts for the public: names in words, the holder's name masked."""
    return {
        "certificate_no": facts.certificate_no,
        "name": identifiers.mask_name(facts.name),
        "level": facts.level,
        "level_name": level_name(facts.level, lang),
        "category": facts.category,
        "category_name": category_name(facts.category, lang),
        "scope": facts.scope,
        "scope_name": scope_name(facts.scope, lang),
        "location": _place(facts.location_code, place_name(facts.location_code, lang)),
        "institution": _place(*facts.institution),
        "commission": _place(*facts.commission),
        "registered_on": facts.registered_on,
        "filings": [
            {"institution": _place(code, name), "start_on": start, "end_on": end}
            for code, name, start, end in facts.filings
        ],
    }


async def verify(session: AsyncSession, certificate_no: str, check: str, lang: str) -> dict:
    """Whether a certificate is valid, superseded or cancelled now."""
    found = await certificates.standing(session, certificate_no, check)
    return {
        "status": found.status,
        "status_name": STATUS_NAMES[CertificateStatus(found.status)][lang == "en"],
        "since": found.since,
        "issued_on": found.certificate.issued_on,
        "key_id": found.certificate.key_id,
        "certificate": facts_out(found.facts, lang),
        "current": facts_out(found.current, lang) if found.current else None,
    }


# --- the public register ---------------------------------------------------------------------


async def spend(session: AsyncSession, settings: Settings, address: str | None, limit) -> None:
    """Count a public request against its client address (``registry.register``'s budgets),
    committed even when it is refused, so that refusals count too."""
    if not (settings.rate_limit_per_address and address):
        return
    try:
        await ratelimit.hit(session, limit, address)
    finally:
        await session.commit()


async def look_up(
    session: AsyncSession, name: str, certificate_no: str | None, institution: str | None, lang
) -> dict:
    people = await register.lookup(session, name, certificate_no, institution)
    return {"people": [_person_out(p, lang) for p in people]}


def _person_out(person: register.Person, lang: str) -> dict:
    return {
        "name": person.name,
        "registrations": [
            {
                "certificate_no": e.certificate_no,
                "level": e.level,
                "level_name": level_name(e.level, lang),
                "category": e.category,
                "category_name": category_name(e.category, lang),
                "scope": e.scope,
                "scope_name": scope_name(e.scope, lang),
                "location": _place(e.location_code, place_name(e.location_code, lang)),
                "institution": _place(e.institution_code, e.institution_name),
                "status": e.status,
                "status_name": REGISTRATION_STATUS_NAMES.get(e.status, (e.status,) * 2)[
                    lang == "en"
                ],
                "registered_on": e.registered_on,
                "ended_on": e.ended_on,
                "filings": [
                    {
                        "institution": _place(f.institution_code, f.institution_name),
                        "start_on": f.start_on,
                        "end_on": f.end_on,
                    }
                    for f in e.filings
                ],
            }
            for e in person.registrations
        ],
    }
