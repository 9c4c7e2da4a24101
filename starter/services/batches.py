"""Collective registration (集体办理): upload a file, start its batch, follow its progress.

Shared by the API and the pages; the rules are ``registry.batches`` and ``registry.access``.
"""

from contextlib import suppress

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from registry import access, batches, identifiers
from registry.application_types import STATE_NAMES
from registry.errors import DomainError
from registry.models import Account, Application, Batch, BatchRow
from registry.settings import Settings
from starter.api.batch_schemas import BatchOut, BatchRowOut
from workflows.batch import BatchProgress, BatchWorkflow


async def upload(
    session: AsyncSession, client: Client, settings: Settings, filer: Account, content: bytes
) -> BatchOut:
    """Store the file's rows and start its batch workflow; the same file again starts nothing
    (same batch id, same workflow id) and answers the batch as it stands."""
    batch, created = await batches.store(session, filer, content)
    await session.commit()
    await _ensure_started(client, settings, batch)
    out = await _out(session, batch, "zh", rows=False)
    out.created = created
    return out


async def _ensure_started(client: Client, settings: Settings, batch: Batch) -> None:
    """Start the batch's workflow unless it runs or ran: an upload whose start failed after the
    rows were stored is finished by uploading the same file again."""
    # it ran to its end before: every row is filed or refused
    with suppress(WorkflowAlreadyStartedError):
        await client.start_workflow(
            BatchWorkflow.run,
            BatchProgress(batch_id=batch.id, rows=batch.rows),
            id=batches.batch_workflow_id(batch.id),
            task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=f"集体办理 · Collective registration ({batch.rows} rows)",
        )


async def visible_batch(session: AsyncSession, account: Account, batch_id: str) -> Batch:
    batch = await session.get(Batch, batch_id[:32])
    if batch is None or not access.may_see_batch(account, batch.institution_code):
        raise DomainError("batch_not_found")
    return batch


async def show(session: AsyncSession, account: Account, batch_id: str, lang: str) -> BatchOut:
    return await _out(session, await visible_batch(session, account, batch_id), lang)


async def list_for(session: AsyncSession, account: Account) -> list[BatchOut]:
    """The institution's batches, newest first (counts only)."""
    if not access.may_file_batches(account):
        raise DomainError("forbidden")
    found = await session.scalars(
        select(Batch)
        .where(Batch.institution_code == account.institution_code)
        .order_by(Batch.created_at.desc())
        .limit(50)
    )
    return [await _out(session, b, "zh", rows=False) for b in found]


async def _out(session: AsyncSession, batch: Batch, lang: str, rows: bool = True) -> BatchOut:
    progress = await batches.progress(session, batch)
    out = BatchOut(
        batch_id=batch.id,
        created_at=batch.created_at,
        rows=progress.rows,
        pending=progress.pending,
        started=progress.started,
        refused=progress.refused,
        finished=progress.finished,
    )
    if rows:
        out.items = await _rows(session, batch, lang)
    return out


async def _rows(session: AsyncSession, batch: Batch, lang: str) -> list[BatchRowOut]:
    found = await session.execute(
        select(BatchRow, Application.state)
        .outerjoin(Application, Application.application_no == BatchRow.application_no)
        .where(BatchRow.batch_id == batch.id)
        .order_by(BatchRow.row_no)
    )
    return [
        BatchRowOut(
            row_no=row.row_no,
            applicant=identifiers.mask_name(row.name),
            status=row.status,
            application_no=row.application_no,
            application_state=state,
            application_state_name=STATE_NAMES[state][lang == "en"] if state else None,
            reason_code=row.reason_code,
            reason=row.reason_en if lang == "en" else row.reason_zh,
        )
        for row, state in found
    ]
