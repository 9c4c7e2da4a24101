"""Collective registration (集体办理): institution staff upload a file of physicians."""

from typing import Annotated

from fastapi import APIRouter, File, Request, Response, UploadFile

from registry import batches as rules
from registry.errors import DomainError
from starter.api.batch_schemas import BatchOut
from starter.api.deps import InstitutionStaff, SessionDep, SettingsDep, TemporalDep
from starter.api.errors import language
from starter.services import batches

router = APIRouter(prefix="/institution/batches", tags=["institution"])

# Read at most this much of an upload: MAX_ROWS rows of four short columns fit well within it.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@router.post("", status_code=201, response_model=BatchOut)
async def upload_batch(
    file: Annotated[UploadFile, File(description="CSV: name, id_number, category, scope")],
    staff: InstitutionStaff,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    response: Response,
) -> BatchOut:
    """File registrations for many of the institution's physicians at once (UTF-8 CSV with
    the columns `name`, `id_number`, `category`, `scope`; at most 5000 rows).

    Each row becomes an application filed and confirmed by the institution, or is refused
    with the rule's code and words. The same file uploaded again is the same batch: `201`
    the first time, `200` after, and nobody is filed twice."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise DomainError("batch_too_large", {"max": rules.MAX_ROWS})
    out = await batches.upload(session, temporal, settings, staff, content)
    if not out.created:
        response.status_code = 200
    return out


@router.get("", response_model=list[BatchOut])
async def list_batches(staff: InstitutionStaff, session: SessionDep) -> list[BatchOut]:
    """The institution's batches, newest first, with their counts."""
    return await batches.list_for(session, staff)


@router.get("/{batch_id}", response_model=BatchOut)
async def batch(
    batch_id: str, request: Request, staff: InstitutionStaff, session: SessionDep
) -> BatchOut:
    """A batch's progress and each row: started (its application and state) or refused (the
    rule's code and words); names masked."""
    return await batches.show(session, staff, batch_id, language(request))
