"""Bodies of the collective-registration endpoints (``/institution/batches``)."""

from datetime import datetime

from pydantic import BaseModel


class BatchRowOut(BaseModel):
    row_no: int
    applicant: str  # masked: the list is for following the batch, not for reading records
    status: str  # pending | started | refused
    application_no: str | None = None
    application_state: str | None = None
    application_state_name: str | None = None
    reason_code: str | None = None
    reason: str | None = None


class BatchOut(BaseModel):
    batch_id: str
    created: bool = False  # this request stored the file (False: the same file was uploaded)
    created_at: datetime
    rows: int
    pending: int
    started: int
    refused: int
    finished: bool
    items: list[BatchRowOut] = []
