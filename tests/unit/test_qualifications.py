"""Importing qualification CSV files: bad rows reported by line, good rows kept, idempotent."""

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry import csv_import, qualifications
from registry.db import get_sessionmaker
from registry.identifiers import id_check_character
from registry.models import Qualification
from registry.qualifications import COLUMNS, ImportReport, import_rows, parse_row, read_rows
from registry.seed import DEMO_PHYSICIANS


def make_id(first17: str) -> str:
    return first17 + id_check_character(first17)


# An ID whose check character is X, written in lower case in the file.
X_FIRST17 = next(
    f"43058119911111{n:03d}"
    for n in range(1000)
    if id_check_character(f"43058119911111{n:03d}") == "X"
)

GOOD_ROW = {
    "name": "赵敏",
    "id_number": make_id("43058119930505111"),
    "certificate_no": "201143000000101",
    "level": "physician",
    "category": "clinical",
    "issued_on": "2021-12-01",
}


def row(**changes) -> dict:
    return {**GOOD_ROW, **changes}


def test_parse_row_normalizes_a_good_row():
    parsed = parse_row(
        row(
            name=" 阿依古丽.买买提 ",
            id_number=X_FIRST17 + "x",
            certificate_no=" 201143000000102 ",
            level=" assistant ",
            category="public_health",
            issued_on=" 2021-12-01 ",
        )
    )
    assert parsed == {
        "name": "阿依古丽·买买提",
        "id_number": X_FIRST17 + "X",
        "certificate_no": "201143000000102",
        "level": "assistant",
        "category": "public_health",
        "issued_on": date(2021, 12, 1),
    }


@pytest.mark.parametrize(
    "changes, says",
    [
        ({"id_number": GOOD_ROW["id_number"][:17] + "0"}, "resident ID"),
        ({"id_number": "12345"}, "resident ID"),
        ({"id_number": None}, "resident ID"),
        ({"name": "Zhao Min"}, "name"),
        ({"name": ""}, "name"),
        ({"certificate_no": ""}, "certificate_no"),
        ({"certificate_no": "   "}, "certificate_no"),
        ({"certificate_no": "9" * 33}, "certificate_no"),
        ({"level": "doctor"}, "level"),
        ({"level": "Physician"}, "level"),
        ({"category": "surgery"}, "category"),
        ({"issued_on": "2021/12/01"}, "issued_on"),
        ({"issued_on": "2021-02-30"}, "issued_on"),
        ({"issued_on": ""}, "issued_on"),
    ],
)
def test_parse_row_says_what_is_wrong(changes, says):
    with pytest.raises(ValueError) as info:
        parse_row(row(**changes))
    message = str(info.value)
    assert says.lower() in message.lower()
    # The report is read by operators in English; no Chinese reason slips into it.
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message)


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"level": ""}, "level is empty; it must be one of physician, assistant"),
        ({"level": "doctor"}, "level holds another value; it must be one of physician, assistant"),
        (
            {"category": "650102198806124717"},  # the columns slipped: the cell is not repeated
            "category holds another value; it must be one of clinical, tcm, dental, public_health",
        ),
        (
            {"category": None},
            "category is empty; it must be one of clinical, tcm, dental, public_health",
        ),
    ],
)
def test_a_wrong_code_is_reported_by_its_column_and_the_codes_it_takes(changes, says):
    with pytest.raises(ValueError) as info:
        parse_row(row(**changes))
    assert str(info.value) == says


def write_csv(path: Path, rows: list[list[str] | str], encoding: str = "utf-8") -> Path:
    """Each item is a list of fields or a raw line (for blank or short lines)."""
    with path.open("w", newline="", encoding=encoding) as file:
        writer = csv.writer(file, lineterminator="\n")
        for item in rows:
            if isinstance(item, str):
                file.write(item + "\n")
            else:
                writer.writerow(item)
    return path


def fields(**changes) -> list[str]:
    values = row(**changes)
    return [values[c] for c in COLUMNS]


SEEDED = DEMO_PHYSICIANS[0]

# (expected line, fields); the header is line 1.
FILE_ROWS = [
    list(COLUMNS),  # 1
    fields(),  # 2 good
    fields(id_number=make_id("43058119930505112")[:17] + "0", certificate_no="201143000000103"),
    fields(
        name="阿依古丽.买买提",
        id_number=make_id("65010219900101222"),
        certificate_no="201165000000104",
        category="dental",
    ),  # 4 good
    fields(name="Zhao Min", certificate_no="201143000000105"),  # 5 bad name
    fields(level="doctor", certificate_no="201143000000106"),  # 6 unknown level
    fields(issued_on="2021/12/01", certificate_no="201143000000107"),  # 7 bad date
    fields(certificate_no=""),  # 8 missing certificate
    "",  # 9 blank: skipped, but still a line of the file
    fields(id_number=X_FIRST17 + "x", name="钱多多", certificate_no="201143000000108"),  # 10 good
    fields(
        id_number=make_id("99058119930505111"), certificate_no="201143000000109"
    ),  # 11 bad province
    "孙悟空",  # 12 a short line: the other columns are missing
    [
        SEEDED.name,
        SEEDED.id_number,
        SEEDED.certificate_no,
        SEEDED.level,
        SEEDED.category,
        "2020-12-01",
    ],  # 13 good, already in the seed
]
GOOD_CERTIFICATES = {"201143000000101", "201165000000104", "201143000000108"}
BAD_LINES = [3, 5, 6, 7, 8, 11, 12]


async def count_qualifications(session) -> int:
    return await session.scalar(select(func.count()).select_from(Qualification))


async def run_import(settings, path: Path) -> ImportReport:
    report = ImportReport()
    async with get_sessionmaker(settings.database_url)() as session:
        await import_rows(session, read_rows(path, report), report)
    return report


async def test_import_keeps_good_rows_and_reports_bad_lines(settings, tmp_path):
    path = write_csv(tmp_path / "batch.csv", FILE_ROWS)
    async with get_sessionmaker(settings.database_url)() as session:
        before = await count_qualifications(session)

    report = await run_import(settings, path)

    assert [line for line, _ in report.bad] == BAD_LINES
    reasons = dict(report.bad)
    assert "check character" in reasons[3]
    assert "name" in reasons[5].lower()
    assert reasons[6] == "level holds another value; it must be one of physician, assistant"
    assert "issued_on" in reasons[7]
    assert "certificate_no" in reasons[8]
    assert "province" in reasons[11]
    assert report.rows == 11  # the blank line is not a row
    assert report.inserted == 3
    assert report.already_present == 1  # the seeded certificate

    async with get_sessionmaker(settings.database_url)() as session:
        assert await count_qualifications(session) == before + 3
        stored = {
            q.certificate_no: q
            for q in await session.scalars(
                select(Qualification).where(Qualification.certificate_no.in_(GOOD_CERTIFICATES))
            )
        }
    assert set(stored) == GOOD_CERTIFICATES
    assert stored["201165000000104"].name == "阿依古丽·买买提"
    assert stored["201165000000104"].category == "dental"
    assert stored["201143000000108"].id_number == X_FIRST17 + "X"
    assert stored["201143000000101"].issued_on == date(2021, 12, 1)


async def test_importing_the_same_file_again_inserts_nothing(settings, tmp_path):
    path = write_csv(tmp_path / "batch.csv", FILE_ROWS)
    first = await run_import(settings, path)
    async with get_sessionmaker(settings.database_url)() as session:
        after_first = await count_qualifications(session)

    second = await run_import(settings, path)

    assert second.inserted == 0
    assert second.already_present == first.inserted + first.already_present == 4
    assert second.bad == first.bad
    async with get_sessionmaker(settings.database_url)() as session:
        assert await count_qualifications(session) == after_first


async def test_import_in_several_batches_reports_progress(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(qualifications, "BATCH", 3)
    lines = [list(COLUMNS)] + [
        fields(
            id_number=make_id(f"430581199001{i:02d}{i:03d}"), certificate_no=f"2011430000{i:05d}"
        )
        for i in range(1, 11)
    ]
    lines.append(lines[1])  # the same certificate twice in one file
    path = write_csv(tmp_path / "many.csv", lines)
    report = ImportReport()
    progress: list[int] = []
    async with get_sessionmaker(settings.database_url)() as session:
        await import_rows(session, read_rows(path, report), report, progress.append)

    assert progress == [3, 3, 3, 2]
    assert report.rows == 11 and report.bad == []
    assert report.inserted == 10
    assert report.already_present == 1


async def test_a_file_missing_a_column_is_refused(settings, tmp_path):
    header = [c for c in COLUMNS if c != "issued_on"]
    path = write_csv(tmp_path / "short.csv", [header, fields()[:-1]])
    report = ImportReport()
    with pytest.raises(ValueError, match="missing columns: issued_on"):
        list(read_rows(path, report))
    assert report.rows == 0


async def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="missing columns"):
        list(read_rows(path, ImportReport()))


async def test_a_utf8_bom_header_is_read(settings, tmp_path):
    # Excel saves "CSV UTF-8" with a byte order mark before the first column name.
    path = write_csv(tmp_path / "excel.csv", [list(COLUMNS), fields()], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfname,")
    report = await run_import(settings, path)
    assert report.bad == []
    assert report.inserted == 1
    async with get_sessionmaker(settings.database_url)() as session:
        stored = await session.scalar(
            select(Qualification).where(Qualification.certificate_no == "201143000000101")
        )
    assert stored.name == "赵敏"


async def test_columns_may_come_in_any_order_with_extras(settings, tmp_path):
    header = ["remark", *reversed(COLUMNS)]
    path = write_csv(tmp_path / "reordered.csv", [header, ["备注", *reversed(fields())]])
    report = await run_import(settings, path)
    assert report.bad == [] and report.inserted == 1


@pytest.mark.parametrize("columns", [len(COLUMNS), 4, 7])
def test_an_insert_batch_stays_within_sqlites_parameter_limit(columns):
    """Rows per INSERT: as many as fit in SQLite's 32766 parameters, less one row."""
    rows = csv_import.batch_size(columns)
    assert isinstance(rows, int) and rows > 0
    assert rows * columns <= csv_import.SQLITE_MAX_PARAMETERS < (rows + 2) * columns


def test_a_certificate_number_of_1_to_32_characters_is_taken():
    for number in ("7", "9" * 32):
        assert parse_row(row(certificate_no=number))["certificate_no"] == number
    with pytest.raises(ValueError) as info:
        parse_row(row(certificate_no=""))
    assert str(info.value) == "certificate_no is empty or longer than 32 characters"


def test_a_file_without_some_columns_names_them_all(tmp_path):
    path = write_csv(tmp_path / "short.csv", [["name", "id_number", "certificate_no"]])
    with pytest.raises(ValueError) as info:
        list(read_rows(path, ImportReport()))
    assert str(info.value) == "missing columns: level, category, issued_on"
