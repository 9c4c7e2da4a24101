"""Collective registration (集体办理, Physicians Law 2021 art. 13): an institution files the
registrations of many of its physicians from one file.

Each row is checked by exactly the rules of a physician's own filing
(``registry.applications.plan_collective``) and becomes the same application, filed and
confirmed by the institution. A row that breaks a rule is refused with the rule's code and
words; the others go on. The batch's id is a digest of the institution and the file, so the
same file uploaded again is the same batch and files nobody twice; a row is filed at most once
(its ``application_no`` is kept on the row, in the transaction that stores the application).
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry import access, applications, identifiers
from registry.application_types import (
    Actor,
    ApplicationStart,
    ApplicationType,
    RegistrationFields,
)
from registry.errors import DomainError
from registry.models import Account, Application, Batch, BatchRow
from registry.reference import CHINA_TIME
from registry.roles import Role

COLUMNS = ("name", "id_number", "category", "scope")
#: More than a large hospital's yearly intake; a bigger file is split.
MAX_ROWS = 5000


class RowStatus:
    pending = "pending"
    started = "started"
    refused = "refused"


def batch_id(institution_code: str, content: bytes) -> str:
    """The same file from the same institution is the same batch (no person in it)."""
    return hashlib.sha256(institution_code.encode() + b"\0" + content).hexdigest()[:32]


def batch_workflow_id(batch: str) -> str:
    return f"batch-{batch}"


def read_upload(content: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded CSV (UTF-8, a header naming the four columns), as written; the
    rules are checked row by row later, so one bad row refuses only itself."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("batch_encoding") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DomainError("batch_columns_missing", {"columns": ", ".join(missing)})
    rows = [{c: (row.get(c) or "").strip() for c in COLUMNS} for row in reader]
    if not rows:
        raise DomainError("batch_empty")
    if len(rows) > MAX_ROWS:
        raise DomainError("batch_too_large", {"max": MAX_ROWS})
    return rows


async def store(session: AsyncSession, filer: Account, content: bytes) -> tuple[Batch, bool]:
    """The batch of this file (stored with its rows if new) and whether it is new."""
    if not access.may_file_batches(filer):
        raise DomainError("forbidden")
    rows = read_upload(content)
    key = batch_id(filer.institution_code, content)
    existing = await session.get(Batch, key)
    if existing is not None:
        return existing, False
    batch = Batch(
        id=key, institution_code=filer.institution_code, filed_by=filer.id, rows=len(rows)
    )
    session.add(batch)
    session.add_all(
        BatchRow(
            batch_id=key,
            row_no=number,
            name=row["name"][:64],
            id_number=row["id_number"][:32],
            category=row["category"][:32],
            scope=row["scope"][:64],
        )
        for number, row in enumerate(rows, start=1)
    )
    try:
        await session.flush()
    except IntegrityError:  # the same file, uploaded twice at once: the other upload stored it
        await session.rollback()
        return await session.get(Batch, key), False
    return batch, True


# --- filing one row (the batch workflow's activity) -----------------------------------------


def actor_of(account: Account) -> Actor:
    return Actor(
        account_id=account.id,
        role=account.role,
        institution_code=account.institution_code,
        commission_code=account.commission_code,
    )


def start_of(application: Application, filed_by: Actor) -> ApplicationStart:
    return ApplicationStart(
        application_no=application.application_no,
        type=application.type,
        filed_by=filed_by,
        account_id=application.account_id,
        institution_code=application.institution_code,
        notify_institution_code=application.notify_institution_code,
        commission_code=application.commission_code,
        province_code=application.province_code,
    )


@dataclass(frozen=True)
class Filer:
    """Who files a batch's rows, as plain values (rows are committed one by one)."""

    batch_id: str
    institution_code: str
    actor: Actor


async def file_row(session: AsyncSession, filer: Filer, row_id: int, today: date) -> str | None:
    """File one row (committed), or refuse it with its reason; the application number, if any.

    A row already filed (a retried activity) answers the number it was filed under."""
    row = await session.get(BatchRow, row_id)
    if row.status != RowStatus.pending:
        return row.application_no
    try:
        application_no = await _file(session, filer, row, today)
    except DomainError as refusal:
        await session.rollback()
        row = await session.get(BatchRow, row_id)
        row.status, row.reason_code = RowStatus.refused, refusal.code
        row.reason_zh, row.reason_en = refusal.message("zh"), refusal.message("en")
        await session.commit()
        return None
    row.status, row.application_no = RowStatus.started, application_no
    await session.commit()
    return application_no


async def _file(session: AsyncSession, filer: Filer, row: BatchRow, today: date) -> str:
    name = identifiers.normalize_name(row.name)
    id_number = identifiers.normalize_id_number(row.id_number)
    # Linked only to an activated account (its ID number verified); otherwise at activation.
    account_id = await session.scalar(
        select(Account.id).where(
            Account.id_number == id_number,
            Account.role == Role.PHYSICIAN,
            Account.activation_state == "active",
        )
    )
    subject = applications.Subject(account_id, name, id_number)
    fields = RegistrationFields(
        institution_code=filer.institution_code, category=row.category, scope=row.scope
    )
    plan = await applications.plan_collective(session, subject, fields, today)
    application = Application(
        type=ApplicationType.registration,
        account_id=account_id,
        filed_by=filer.actor.account_id,
        institution_code=plan.institution_code,
        commission_code=plan.commission_code,
        province_code=plan.province_code,
        details={
            "fields": fields.model_dump(mode="json"),
            "subject": {"name": name, "id_number": id_number},
            "batch_id": filer.batch_id,
            **plan.details,
        },
        state=applications.first_state(filer.actor, plan.institution_code),
        open_slot=plan.open_slot,
    )
    session.add(application)
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError("application_open", {"application_no": "—"}) from None
    application.application_no = f"{datetime.now(CHINA_TIME):%Y%m%d}{application.id:06d}"
    return application.application_no


# --- progress --------------------------------------------------------------------------------


@dataclass
class Progress:
    rows: int
    pending: int
    started: int
    refused: int
    finished: bool


async def progress(session: AsyncSession, batch: Batch) -> Progress:
    counts = dict(
        (
            await session.execute(
                select(BatchRow.status, func.count())
                .where(BatchRow.batch_id == batch.id)
                .group_by(BatchRow.status)
            )
        ).all()
    )
    return Progress(
        rows=batch.rows,
        pending=counts.get(RowStatus.pending, 0),
        started=counts.get(RowStatus.started, 0),
        refused=counts.get(RowStatus.refused, 0),
        finished=batch.finished_at is not None,
    )


async def link_to_account(session: AsyncSession, account_id: int) -> int:
    """A physician whose activation just completed takes over the applications their
    institution filed for them before they had an account (matched by the ID number the
    activation verified); how many. Only then: an unverified sign-up sees nothing."""
    account = await session.get(Account, account_id)
    if account is None or not account.id_number:
        return 0
    found = await session.execute(
        update(Application)
        .where(
            Application.account_id.is_(None),
            Application.details["batch_id"].as_string().is_not(None),
            Application.details["subject"]["id_number"].as_string() == account.id_number,
        )
        .values(account_id=account.id)
    )
    return found.rowcount
