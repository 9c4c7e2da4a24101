"""Paper documents, the printable form and the physician's electronic certificates."""

from fastapi import APIRouter, Request, Response

from starter.api.deps import CurrentAccount, Physician, SessionDep, SettingsDep
from starter.api.document_schemas import DocumentsOut
from starter.api.errors import language
from starter.services import applications, documents

router = APIRouter(tags=["documents"])

PDF = {200: {"content": {"application/pdf": {}}, "description": "a PDF document"}}


def pdf_response(content: bytes, filename: str) -> Response:
    return Response(
        content=content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get("/applications/{no}/documents", response_model=DocumentsOut)
async def documents_to_bring(
    no: str, request: Request, account: CurrentAccount, session: SessionDep
) -> DocumentsOut:
    """The paper documents this application needs (conditional ones with the reason), the
    commission and its address, and the deadline while awaiting them."""
    application = await applications.visible_application(session, account, no)
    body = await documents.documents_to_bring(session, application, language(request))
    return DocumentsOut(**body)


@router.get("/applications/{no}/form.pdf", response_class=Response, responses=PDF)
async def application_form(
    no: str, request: Request, account: CurrentAccount, session: SessionDep
) -> Response:
    """The application and review form (申请审核表) to print and bring, once the institution
    has confirmed (`form_not_ready` before). Who may see the application may print it."""
    application = await applications.visible_application(session, account, no)
    pdf = await documents.application_form(session, account, application, language(request))
    return pdf_response(pdf, f"application-{no}.pdf")


@router.get(
    "/me/registrations/{registration_id}/certificate.pdf", response_class=Response, responses=PDF
)
async def my_certificate(
    registration_id: int,
    request: Request,
    account: Physician,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The electronic practice certificate (电子证照) of one of your registrations in force:
    its facts signed (Ed25519), a QR code to verify it offline or online."""
    keys = request.app.state.signing_keys
    pdf = await documents.certificate(session, settings, keys, account, registration_id)
    return pdf_response(pdf, f"certificate-{registration_id}.pdf")
