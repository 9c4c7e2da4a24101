"""A collective registration (集体办理): one batch workflow per uploaded file, one application
workflow per row it files.

The rows are filed a chunk at a time by an activity (the rules, the database); each filed row's
application workflow is then started as a child — the same ``ApplicationWorkflow`` a physician's
own filing runs, under its usual id ``application-<no>``, a number fixed once per batch row, so
the child's id follows from the batch and the row. Children are abandoned when the batch ends:
an application lives for weeks, the batch only until every row is filed. The history stays
small at thousands of rows: the run continues as new every ``ROWS_PER_RUN`` rows (or earlier if
the server suggests it), carrying only where it stands.
"""

import asyncio
from contextlib import suppress
from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

from workflows.common import ACTIVITY_RETRY

with workflow.unsafe.imports_passed_through():
    from activities.batch import BatchActivities, FiledRows, RowRange
    from infra.temporal import application_workflow_id
    from registry.application_types import ApplicationStart
    from registry.applications import first_state
    from workflows import search_attributes as sa
    from workflows.application import ApplicationWorkflow

#: Rows filed by one activity: a few seconds of work, retried as a whole (filed rows are kept).
CHUNK = 50
#: Rows per run before continuing as new: ~2 history events per child, ~10 per chunk.
ROWS_PER_RUN = 500
FILE_ROWS_TIMEOUT = timedelta(minutes=2)


class BatchProgress(BaseModel):
    """Where a batch stands; all a continued run carries (no person in it)."""

    batch_id: str
    rows: int
    next_row: int = 1
    started: int = 0
    refused: int = 0


@workflow.defn
class BatchWorkflow:
    def __init__(self) -> None:
        self._progress: BatchProgress | None = None

    @workflow.run
    async def run(self, progress: BatchProgress) -> BatchProgress:
        self._progress = progress
        first_of_run = progress.next_row
        filing = self._file_next(progress) if progress.next_row <= progress.rows else None
        while filing is not None:
            filed: FiledRows = await filing
            last = min(progress.next_row + CHUNK - 1, progress.rows)
            progress.next_row = last + 1
            # The next chunk is filed while this one's workflows start — unless the run
            # continues as new first (nothing may be left running then).
            fresh = progress.next_row - first_of_run >= ROWS_PER_RUN or (
                workflow.info().is_continue_as_new_suggested()
            )
            more = progress.next_row <= progress.rows
            filing = self._file_next(progress) if more and not fresh else None
            await asyncio.gather(*(_start_application(start) for start in filed.starts))
            self._count(progress, filed, last)
            if more and fresh:
                workflow.continue_as_new(progress)
        await workflow.execute_activity_method(
            BatchActivities.finish_batch,
            progress.batch_id,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=ACTIVITY_RETRY,
        )
        return progress

    @workflow.query
    def progress(self) -> BatchProgress | None:
        return self._progress

    @staticmethod
    def _file_next(progress: BatchProgress):
        last = min(progress.next_row + CHUNK - 1, progress.rows)
        return workflow.start_activity_method(
            BatchActivities.file_rows,
            RowRange(batch_id=progress.batch_id, first=progress.next_row, last=last),
            start_to_close_timeout=FILE_ROWS_TIMEOUT,
            heartbeat_timeout=timedelta(seconds=30),
            retry_policy=ACTIVITY_RETRY,
        )

    @staticmethod
    def _count(progress: BatchProgress, filed: FiledRows, last: int) -> None:
        progress.started += len(filed.starts)
        progress.refused += filed.refused
        workflow.set_current_details(
            f"集体办理 · 已处理 {last}/{progress.rows} 行：已提交 {progress.started}，"
            f"未通过 {progress.refused}\n\nCollective registration: {last}/{progress.rows} rows, "
            f"{progress.started} filed, {progress.refused} refused"
        )


async def _start_application(start: ApplicationStart) -> None:
    """The row's application workflow, as a physician's own filing starts it."""
    state = first_state(start.filed_by, start.institution_code)
    # started by an earlier run of this batch: nothing twice
    with suppress(WorkflowAlreadyStartedError):
        await workflow.start_child_workflow(
            ApplicationWorkflow.run,
            start,
            id=application_workflow_id(start.application_no),
            parent_close_policy=ParentClosePolicy.ABANDON,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.APPLICATION_TYPE, start.type),
                    SearchAttributePair(sa.APPLICATION_STATE, state),
                    SearchAttributePair(sa.INSTITUTION_CODE, start.institution_code),
                    SearchAttributePair(sa.PROVINCE_CODE, start.province_code),
                    SearchAttributePair(sa.COMMISSION_CODE, start.commission_code),
                    SearchAttributePair(sa.OVERDUE, False),
                ]
            ),
            static_summary=f"业务申请 · Application {start.application_no} ({start.type})",
        )
