"""Collective registration pages (集体办理): upload a file, follow the batch as it is filed.

The same service as ``POST /api/v1/institution/batches`` (``starter.services.batches``); the
batch page polls its progress with htmx until the batch is finished.
"""

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.datastructures import UploadFile

from registry import batches as rules
from registry.errors import DomainError
from starter.api.routes.batches import MAX_UPLOAD_BYTES
from starter.services import batches
from starter.web.core import StaffWeb, Web

router = APIRouter(prefix="/institution/batches", include_in_schema=False)

BatchId = Annotated[str, Path(max_length=32, pattern=r"^[0-9a-f]+$")]


async def _list(page: Web, status: int = 200, **context):
    found = await batches.list_for(page.db, page.account)
    return page.render("batches.html", status, batches=found, columns=rules.COLUMNS, **context)


@router.get("")
async def batches_page(page: StaffWeb):
    return await _list(page)


@router.post("")
async def upload(page: StaffWeb):
    try:
        form = await page.form(max_files=1, max_fields=4)
        try:
            content = await _file_bytes(form.get("file"))
        finally:
            await form.close()
        out = await batches.upload(page.db, page.temporal, page.settings, page.account, content)
    except DomainError as error:
        failure = await page.failed(error)
        return await _list(
            page, error.status, errors={"file": failure.message}, alert_text=failure.alert
        )
    return page.redirect(
        f"/institution/batches/{out.batch_id}" + ("" if out.created else "?again=1")
    )


async def _file_bytes(upload) -> bytes:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise DomainError("batch_empty")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError("batch_too_large", {"max": rules.MAX_ROWS})
    return data


@router.get("/{batch_id}")
async def batch_page(page: StaffWeb, batch_id: BatchId, again: bool = False):
    found = await batches.show(page.db, page.account, batch_id, page.lang)
    return page.render("batch.html", b=found, again=again)


@router.get("/{batch_id}/progress")
async def batch_progress(page: StaffWeb, batch_id: BatchId):
    """The part of the batch page that changes, for the page's poll."""
    found = await batches.show(page.db, page.account, batch_id, page.lang)
    return page.render("batch_progress.html", b=found)
