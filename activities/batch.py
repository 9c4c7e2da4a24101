"""Activities of the batch workflow: file a range of rows, mark the batch finished."""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from temporalio import activity

from registry import batches
from registry.application_types import ApplicationStart
from registry.db import session_scope
from registry.models import Account, Application, Batch, BatchRow
from registry.reference import CHINA_TIME


class RowRange(BaseModel):
    batch_id: str
    first: int
    last: int


class FiledRows(BaseModel):
    """The applications the range's rows were filed as (new or by an earlier attempt): the
    workflow starts each one's workflow. Refused rows carry their reason in the database."""

    starts: list[ApplicationStart]
    refused: int


class BatchActivities:
    def __init__(self, database_url: str) -> None:
        self._database_url = database_url

    @activity.defn
    async def file_rows(self, rows: RowRange) -> FiledRows:
        """File each row of the range, each in its own transaction; a retry files nothing
        twice (a row keeps the number it was filed under)."""
        today = datetime.now(CHINA_TIME).date()
        async with session_scope(self._database_url) as session:
            filer = await _filer(session, rows.batch_id)
            row_ids = list(
                await session.scalars(
                    select(BatchRow.id)
                    .where(
                        BatchRow.batch_id == rows.batch_id,
                        BatchRow.row_no.between(rows.first, rows.last),
                    )
                    .order_by(BatchRow.row_no)
                )
            )
            numbers = []
            for row_id in row_ids:
                numbers.append(await batches.file_row(session, filer, row_id, today))
                activity.heartbeat()
            filed = [n for n in numbers if n]
            found = await session.scalars(
                select(Application).where(Application.application_no.in_(filed))
            )
            return FiledRows(
                starts=[batches.start_of(a, filer.actor) for a in found],
                refused=len(numbers) - len(filed),
            )

    @activity.defn
    async def finish_batch(self, batch_id: str) -> None:
        async with session_scope(self._database_url) as session:
            batch = await session.get(Batch, batch_id)
            if batch.finished_at is None:
                batch.finished_at = datetime.now(CHINA_TIME)


async def _filer(session, batch_id: str) -> batches.Filer:
    batch = await session.get(Batch, batch_id)
    account = await session.get(Account, batch.filed_by)
    return batches.Filer(batch.id, batch.institution_code, batches.actor_of(account))
