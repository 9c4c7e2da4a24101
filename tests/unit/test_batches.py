"""Collective registration (集体办理, ``registry/batches.py``) without Temporal: the uploaded
file and its refusals, the batch's identity (the same file is the same batch), filing each row
by the physician's own rules (a refused row keeps the rule's code and words, the others go on),
a row filed at most once, the progress an institution's clerk reads, and the applications a
physician takes over once activated. On a copy of the migrated, seeded database of
``test_application_rules``.
"""

import hashlib
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select

from registry import applications, batches
from registry.application_types import ApplicationState, ApplicationType, RegistrationFields
from registry.batches import Filer, RowStatus
from registry.db import dispose, get_sessionmaker
from registry.errors import DomainError
from registry.identifiers import id_check_character
from registry.models import Account, Application, Batch, BatchRow, Qualification
from registry.reference import CHINA_TIME
from tests.conftest import drop_database
from tests.unit.registry_db import copy_of
from tests.unit.test_application_rules import template  # noqa: F401 (fixture)

TODAY = date(2026, 12, 1)
HUNAN = "H4301020001"
HEADER = "name,id_number,category,scope\n"
_serial = itertools.count(1)


def id_number() -> str:
    n = next(_serial)
    first17 = f"430581{date(1985, 1, 1) + timedelta(days=n):%Y%m%d}{(n * 7) % 1000:03d}"
    return first17 + id_check_character(first17)


def full_width(number: str) -> str:
    return number.translate({ord(d): ord(d) - ord("0") + ord("０") for d in "0123456789"})


def csv_of(*lines: str) -> bytes:
    return (HEADER + "".join(f"{line}\n" for line in lines)).encode()


@pytest_asyncio.fixture
async def session(template, tmp_path) -> AsyncIterator:  # noqa: F811 (the fixture above)
    url = await copy_of(template, tmp_path)
    async with get_sessionmaker(url)() as session:
        yield session
        await session.rollback()
    await dispose(url)
    await drop_database(url)


async def account(session, username: str) -> Account:
    return await session.scalar(select(Account).where(Account.username == username))


async def qualified(session, name: str = "李明", category: str = "clinical") -> str:
    """A physician with a qualification record and no account yet; their ID number."""
    number = id_number()
    session.add(
        Qualification(
            certificate_no=f"B{next(_serial):014d}",
            name=name,
            id_number=number,
            level="physician",
            category=category,
            issued_on=date(2020, 12, 1),
        )
    )
    await session.flush()
    return number


async def physician(session, name: str, number: str, *, state="active", role="physician"):
    person = Account(
        username=f"batchdoc{next(_serial)}",
        password_hash="x",
        role=role,
        name=name,
        id_number=number,
        institution_code=HUNAN,
        activation_state=state,
    )
    session.add(person)
    await session.flush()
    return person


async def stored(session, content: bytes, username: str = "staff_hunan") -> Batch:
    batch, new = await batches.store(session, await account(session, username), content)
    assert new
    await session.commit()
    return batch


async def rows_of(session, batch: Batch) -> list[BatchRow]:
    await session.refresh(batch)  # a refused row rolls back: everything loaded expires
    return list(
        await session.scalars(
            select(BatchRow).where(BatchRow.batch_id == batch.id).order_by(BatchRow.row_no)
        )
    )


async def filer_of(session, batch: Batch, username: str = "staff_hunan") -> Filer:
    await session.refresh(batch)
    clerk = await account(session, username)
    return Filer(batch.id, clerk.institution_code, batches.actor_of(clerk))


async def file_all(session, batch: Batch) -> list[str | None]:
    filer = await filer_of(session, batch)
    ids = [row.id for row in await rows_of(session, batch)]
    return [await batches.file_row(session, filer, row_id, TODAY) for row_id in ids]


# --- the uploaded file ----------------------------------------------------------------------


def test_a_file_is_read_as_written_trimmed_with_a_byte_order_mark_and_extra_columns():
    content = "\ufeffname,id_number,category,scope,note\n 李明 , 430581X ,clinical,内科,x\n"
    assert batches.read_upload(content.encode()) == [
        {"name": "李明", "id_number": "430581X", "category": "clinical", "scope": "内科"}
    ]
    # a row shorter than the header: its missing cells are empty, not None
    assert batches.read_upload(csv_of("王芳")) == [
        {"name": "王芳", "id_number": "", "category": "", "scope": ""}
    ]


def test_a_file_not_in_utf8_is_refused_as_such():
    with pytest.raises(DomainError) as refused:
        batches.read_upload(HEADER.encode() + "李明,1,clinical,内科\n".encode("gbk"))
    assert refused.value.code == "batch_encoding"


def test_missing_columns_are_named_in_the_refusal():
    with pytest.raises(DomainError) as refused:
        batches.read_upload("name,category\n李明,clinical\n".encode())
    assert refused.value.code == "batch_columns_missing"
    assert "id_number, scope" in refused.value.message("en")
    with pytest.raises(DomainError) as empty:
        batches.read_upload(b"")  # no header at all
    assert empty.value.code == "batch_columns_missing"
    assert "name, id_number, category, scope" in empty.value.message("zh")


def test_a_file_with_no_physician_is_refused():
    with pytest.raises(DomainError) as refused:
        batches.read_upload(HEADER.encode())
    assert refused.value.code == "batch_empty"


def test_a_file_may_hold_up_to_five_thousand_rows():
    assert len(batches.read_upload(csv_of(*["李明,1,clinical,内科"] * batches.MAX_ROWS))) == 5000
    with pytest.raises(DomainError) as refused:
        batches.read_upload(csv_of(*["李明,1,clinical,内科"] * (batches.MAX_ROWS + 1)))
    assert refused.value.code == "batch_too_large"
    assert "at most 5000 rows" in refused.value.message("en")


# --- the batch's identity -------------------------------------------------------------------


def test_a_batch_is_named_by_a_digest_of_its_institution_and_file():
    content = csv_of("李明,1,clinical,内科")
    # the stored ids of batches already uploaded: sha256(institution NUL file), 32 hex digits
    assert (
        batches.batch_id(HUNAN, content)
        == (hashlib.sha256(HUNAN.encode() + b"\0" + content).hexdigest()[:32])
    )
    assert batches.batch_id(HUNAN, content) != batches.batch_id("H4305810001", content)
    assert batches.batch_workflow_id("ab12") == "batch-ab12"


async def test_an_upload_stores_the_batch_and_its_rows_numbered_from_one(session):
    content = csv_of("李明,110101X,clinical,内科", f"{'王' * 70},{'9' * 40},{'c' * 40},{'外' * 70}")
    clerk = await account(session, "staff_hunan")
    batch, new = await batches.store(session, clerk, content)
    assert new
    assert (batch.id, batch.institution_code, batch.filed_by, batch.rows) == (
        batches.batch_id(HUNAN, content),
        HUNAN,
        clerk.id,
        2,
    )
    await session.commit()
    first, second = await rows_of(session, batch)
    assert (first.row_no, first.name, first.id_number, first.category, first.scope) == (
        1, "李明", "110101X", "clinical", "内科"
    )  # fmt: skip
    assert first.status == RowStatus.pending and first.application_no is None
    # cells longer than their columns are cut to fit, not refused (the rules refuse them later)
    assert second.row_no == 2
    assert (second.name, second.id_number) == ("王" * 64, "9" * 32)
    assert (second.category, second.scope) == ("c" * 32, "外" * 64)


async def test_the_same_file_again_is_the_same_batch_and_stores_nothing(session):
    content = csv_of("李明,1,clinical,内科")
    first = await stored(session, content)
    again, new = await batches.store(session, await account(session, "staff_hunan"), content)
    assert (again.id, new) == (first.id, False)
    assert len(await rows_of(session, first)) == 1
    # another institution uploading the same bytes files its own batch
    other, new = await batches.store(session, await account(session, "staff_wugang"), content)
    assert new and other.id != first.id and other.institution_code == "H4305810001"


async def test_an_upload_racing_the_same_upload_answers_the_batch_the_other_stored(
    session, monkeypatch
):
    content = csv_of("李明,1,clinical,内科")
    first = await stored(session, content)
    session.expunge_all()  # as if stored by the other upload's session
    clerk = await account(session, "staff_hunan")
    get, looks = session.get, []

    async def seen_late(model, key):  # the other upload commits just after this one looks
        looks.append(model)
        return None if looks == [Batch] else await get(model, key)

    monkeypatch.setattr(session, "get", seen_late)
    batch, new = await batches.store(session, clerk, content)
    assert (batch.id, new) == (first.id, False)
    assert batch.rows == 1


@pytest.mark.parametrize("username", ["officer_hunan", "operator"])
async def test_only_institution_staff_upload_batches(session, username):
    with pytest.raises(DomainError) as refused:
        await batches.store(session, await account(session, username), csv_of("李明,1,c,s"))
    assert refused.value.code == "forbidden"
    assert await session.scalar(select(Batch.id)) is None


# --- filing the rows ------------------------------------------------------------------------


async def test_a_row_is_filed_as_the_institutions_own_registration(session):
    number = await qualified(session, "李明")
    batch = await stored(session, csv_of(f"李明,{full_width(number)},clinical,内科"))
    clerk = await account(session, "staff_hunan")
    before = datetime.now(CHINA_TIME)
    [no] = await file_all(session, batch)
    application = await session.scalar(select(Application).where(Application.application_no == no))
    assert application.type == ApplicationType.registration
    assert application.account_id is None  # no account yet: linked at activation
    assert application.filed_by == clerk.id
    assert (application.institution_code, application.commission_code) == (HUNAN, "430000")
    assert application.province_code == "430000"
    # filed by the institution for itself: it confirms nothing, the documents are next
    assert application.state == ApplicationState.awaiting_documents
    assert application.open_slot is not None and number not in application.open_slot
    assert application.details["fields"] == {
        "institution_code": HUNAN, "category": "clinical", "scope": "内科"
    }  # fmt: skip
    # the name and ID number as the rules read them (normalised), and the batch it came from
    assert application.details["subject"] == {"name": "李明", "id_number": number}
    assert application.details["batch_id"] == batch.id
    assert application.details["filed_as"] == "institution"
    # numbered by the day in China and the application's id
    assert no in {f"{day:%Y%m%d}{application.id:06d}" for day in (before, datetime.now(CHINA_TIME))}
    [row] = await rows_of(session, batch)
    await session.refresh(row)
    assert (row.status, row.application_no, row.reason_code) == (RowStatus.started, no, None)


async def test_a_row_of_an_activated_physician_is_theirs_at_once(session):
    number = await qualified(session, "李明")
    doc = await physician(session, "李明", number)
    waiting = await physician(
        session, "李明", await qualified(session, "李明"), state="awaiting_institution"
    )
    await session.commit()
    batch = await stored(
        session, csv_of(f"李明,{number},clinical,内科", f"李明,{waiting.id_number},clinical,内科")
    )
    first, second = await file_all(session, batch)
    owners = dict(
        (await session.execute(select(Application.application_no, Application.account_id))).all()
    )
    assert owners[first] == doc.id
    assert owners[second] is None  # not activated: its ID number is not verified yet


async def test_a_staff_account_with_the_id_number_is_not_the_physician(session):
    number = await qualified(session, "李明")
    await physician(session, "李明", number, role="institution_staff")
    await session.commit()
    batch = await stored(session, csv_of(f"李明,{number},clinical,内科"))
    [no] = await file_all(session, batch)
    assert no is not None
    owner = await session.scalar(
        select(Application.account_id).where(Application.application_no == no)
    )
    assert owner is None


async def test_a_row_breaking_a_rule_is_refused_with_its_code_and_words_the_others_go_on(session):
    good = await qualified(session, "李明")
    unknown = id_number()  # no qualification record
    wrong = "1" if good[-1] != "1" else "2"
    await session.commit()
    batch = await stored(
        session,
        csv_of(
            f"张三,{unknown},clinical,内科",
            f"李明,{good},clinical,内科",
            f"李明,{good[:-1]}{wrong},clinical,内科",
        ),
    )
    unqualified, filed, malformed = await file_all(session, batch)
    assert unqualified is None and malformed is None and filed is not None
    first, second, third = await rows_of(session, batch)
    for row in (first, second, third):
        await session.refresh(row)
    assert (second.status, second.application_no) == (RowStatus.started, filed)
    assert first.status == third.status == RowStatus.refused
    assert first.application_no is None
    refusal = DomainError("qualification_missing", {"category": "clinical"})
    assert first.reason_code == "qualification_missing"
    assert (first.reason_zh, first.reason_en) == (refusal.message("zh"), refusal.message("en"))
    assert third.reason_code == "id_number_invalid"
    assert "the check character is wrong" in third.reason_en and "校验码" in third.reason_zh
    # nothing of a refused row stays behind
    assert (
        await session.scalar(select(Application.id).where(Application.application_no.is_(None)))
        is None
    )


async def test_the_same_physician_twice_in_a_file_is_filed_once(session):
    number = await qualified(session, "李明")
    await session.commit()
    batch = await stored(
        session, csv_of(f"李明,{number},clinical,内科", f"李明,{number},clinical,外科")
    )
    filed, twice = await file_all(session, batch)
    assert filed is not None and twice is None
    _, second = await rows_of(session, batch)
    await session.refresh(second)
    assert (second.status, second.reason_code) == (RowStatus.refused, "application_open")
    # the other application's number is not the institution's to read: a dash stands for it
    said = DomainError("application_open", {"application_no": "—"})
    assert (second.reason_zh, second.reason_en) == (said.message("zh"), said.message("en"))


async def test_a_row_for_a_physician_with_their_own_application_open_is_refused(session):
    """An activated physician's own application for the location and the institution's row
    for them are the same slot: one of them is open at a time."""
    number = await qualified(session, "李明")
    doc = await physician(session, "李明", number)
    fields = RegistrationFields(institution_code=HUNAN, category="clinical", scope="内科")
    subject, plan = await applications.plan(
        session, ApplicationType.registration, fields, doc, TODAY
    )
    session.add(
        Application(
            type=ApplicationType.registration,
            account_id=doc.id,
            filed_by=doc.id,
            institution_code=plan.institution_code,
            commission_code=plan.commission_code,
            province_code=plan.province_code,
            details={"subject": {"name": subject.name, "id_number": subject.id_number}},
            state=ApplicationState.awaiting_institution,
            open_slot=plan.open_slot,
        )
    )
    await session.commit()
    batch = await stored(session, csv_of(f"李明,{number},clinical,内科"))
    assert await file_all(session, batch) == [None]
    [row] = await rows_of(session, batch)
    await session.refresh(row)
    assert (row.status, row.reason_code) == (RowStatus.refused, "application_open")


async def test_a_row_already_handled_answers_as_before_and_files_nothing(session):
    number = await qualified(session, "李明")
    await session.commit()
    batch = await stored(
        session, csv_of(f"李明,{number},clinical,内科", f"张三,{id_number()},clinical,内科")
    )
    first = await file_all(session, batch)
    again = await file_all(session, batch)  # a retried activity
    assert again == first and first[0] is not None and first[1] is None
    filed = await session.scalars(
        select(Application.application_no).where(
            Application.details["batch_id"].as_string() == batch.id
        )
    )
    assert list(filed) == [first[0]]


# --- what the clerk reads -------------------------------------------------------------------


async def test_progress_counts_the_rows_by_what_became_of_them(session):
    number = await qualified(session, "李明")
    await session.commit()
    batch = await stored(
        session,
        csv_of(
            f"李明,{number},clinical,内科",
            f"张三,{id_number()},clinical,内科",
            f"王五,{id_number()},clinical,内科",
            f"赵六,{id_number()},clinical,内科",
        ),
    )
    assert await batches.progress(session, batch) == batches.Progress(4, 4, 0, 0, False)
    filer = await filer_of(session, batch)
    first, second, *_ = [row.id for row in await rows_of(session, batch)]
    await batches.file_row(session, filer, first, TODAY)
    await batches.file_row(session, filer, second, TODAY)
    await session.refresh(batch)
    assert await batches.progress(session, batch) == batches.Progress(4, 2, 1, 1, False)
    await file_all(session, batch)
    await session.refresh(batch)
    assert await batches.progress(session, batch) == batches.Progress(4, 0, 1, 3, False)
    batch.finished_at = datetime.now(UTC)
    assert (await batches.progress(session, batch)).finished


async def test_an_application_is_numbered_by_the_day_in_china(session, monkeypatch):
    """At 20:00 UTC it is already the next day in China: the number says the next day."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            moment = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(batches, "datetime", Clock)
    number = await qualified(session, "李明")
    await session.commit()
    batch = await stored(session, csv_of(f"李明,{number},clinical,内科"))
    [no] = await file_all(session, batch)
    assert no.startswith("20261202") and len(no) == 14


# --- taking the applications over -----------------------------------------------------------


async def test_an_activated_physician_takes_over_what_their_institution_filed(session):
    number = await qualified(session, "李明")
    other = await qualified(session, "王芳")
    await session.commit()
    batch = await stored(
        session, csv_of(f"李明,{number},clinical,内科", f"王芳,{other},clinical,内科")
    )
    mine, theirs = await file_all(session, batch)
    doc = await physician(session, "李明", number)
    # an application filed the ordinary way for the same ID number (not from a batch) is not
    # touched, nor one already someone's
    own = Application(
        type=ApplicationType.registration,
        account_id=None,
        filed_by=doc.id,
        institution_code=HUNAN,
        commission_code="430000",
        province_code="430000",
        details={"subject": {"name": "李明", "id_number": number}},
        state=ApplicationState.under_review,
    )
    session.add(own)
    await session.commit()
    assert await batches.link_to_account(session, doc.id) == 1
    owners = dict(
        (await session.execute(select(Application.application_no, Application.account_id))).all()
    )
    assert owners[mine] == doc.id and owners[theirs] is None
    await session.refresh(own)
    assert own.account_id is None
    assert await batches.link_to_account(session, doc.id) == 0  # already theirs


async def test_no_account_or_an_unverified_one_takes_over_nothing(session):
    number = await qualified(session, "李明")
    await session.commit()
    batch = await stored(session, csv_of(f"李明,{number},clinical,内科"))
    await file_all(session, batch)
    nobody = await physician(session, "李明", None, state="awaiting_verification")
    assert await batches.link_to_account(session, nobody.id) == 0
    assert await batches.link_to_account(session, 999_999) == 0
    owner = await session.scalar(
        select(Application.account_id).where(
            Application.details["batch_id"].as_string() == batch.id
        )
    )
    assert owner is None


async def test_a_filed_row_starts_its_application_as_stored(session):
    """The batch workflow starts each filed row's application workflow from the stored row:
    its number, who filed it, and the institution, commission and province that handle it."""
    number = await qualified(session, "李明")
    doc = await physician(session, "李明", number)
    await session.commit()
    batch = await stored(session, csv_of(f"李明,{number},clinical,内科"))
    filer = await filer_of(session, batch)
    [no] = await file_all(session, batch)
    application = await session.scalar(select(Application).where(Application.application_no == no))
    application.notify_institution_code = "H4305810001"  # as a transfer's old institution
    start = batches.start_of(application, filer.actor)
    assert start.model_dump() == {
        "application_no": no,
        "type": ApplicationType.registration,
        "filed_by": filer.actor.model_dump(),
        "account_id": doc.id,
        "institution_code": HUNAN,
        "notify_institution_code": "H4305810001",
        "commission_code": "430000",
        "province_code": "430000",
    }
