"""Collective registration (集体办理) end to end: a CSV through the API, the batch workflow and
one application workflow per good row, on the real stack."""

import asyncio
import csv
import io
import random

import pytest
from sqlalchemy import func, select

from registry.db import session_scope
from registry.models import Application, ApplicationEvent, Qualification
from tests.dates import recently_qualified
from tests.e2e.people import EN, HUNAN, STAFF, WUGANG, desk, new_physician
from tests.e2e.test_activation import person, signup, verify, wait_for_state

pytestmark = pytest.mark.asyncio(loop_scope="session")


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "id_number", "category", "scope"])
    writer.writerows(rows)
    return out.getvalue().encode()


async def qualified(stack, faker, count: int) -> list[dict]:
    """``count`` fresh people holding a clinical physician qualification (no accounts)."""
    people = [person(faker) for _ in range(count)]
    async with session_scope(stack.settings.database_url) as session:
        session.add_all(
            Qualification(
                certificate_no=f"Q{random.randrange(10**15):015d}",
                name=who["name"],
                id_number=who["id_number"],
                level="physician",
                category="clinical",
                issued_on=recently_qualified(),
            )
            for who in people
        )
    return people


async def upload(stack, headers, content: bytes, **extra):
    return await stack.api.post(
        "/api/v1/institution/batches",
        headers={**headers, **extra},
        files={"file": ("intake.csv", content, "text/csv")},
    )


async def finished(stack, headers, batch_id: str, lang=None) -> dict:
    extra = EN if lang == "en" else {}
    for _ in range(1200):
        response = await stack.api.get(
            f"/api/v1/institution/batches/{batch_id}", headers={**headers, **extra}
        )
        assert response.status_code == 200, response.text
        if response.json()["finished"]:
            return response.json()
        await asyncio.sleep(0.1)
    raise AssertionError(f"batch never finished: {response.json()}")


async def recorded_submissions(stack, numbers: list[str]) -> int:
    async with session_scope(stack.settings.database_url) as session:
        return await session.scalar(
            select(func.count(func.distinct(ApplicationEvent.application_no))).where(
                ApplicationEvent.application_no.in_(numbers),
                ApplicationEvent.action == "submitted",
            )
        )


async def test_a_file_of_200_with_5_bad_rows_files_195_and_refuses_5(stack, faker):
    staff = await desk(stack, STAFF[HUNAN])
    people = await qualified(stack, faker, 197)
    with_account = await new_physician(stack, faker, institution_code=HUNAN)
    rows = [[p["name"], p["id_number"], "clinical", "内科"] for p in people[:194]]
    rows.append([with_account.name, with_account.id_number, "clinical", "儿科"])
    bad = {
        "id_number_invalid": [people[194]["name"], "11010119900101001", "clinical", "内科"],
        "category_invalid": [people[195]["name"], people[195]["id_number"], "surgery", "内科"],
        "scope_not_in_category": [people[196]["name"], people[196]["id_number"], "dental", "内科"],
        "qualification_missing": ["张无忌", "11010519491231002X", "clinical", "内科"],
        "application_open": [people[0]["name"], people[0]["id_number"], "clinical", "外科"],
    }
    rows += bad.values()
    content = csv_bytes(rows)

    response = await upload(stack, staff, content)
    assert response.status_code == 201, response.text
    batch_id = response.json()["batch_id"]
    assert response.json()["rows"] == 200

    body = await finished(stack, staff, batch_id)
    assert (body["started"], body["refused"], body["pending"]) == (195, 5, 0)
    refused = {item["reason_code"]: item for item in body["items"] if item["status"] == "refused"}
    assert set(refused) == set(bad)
    assert refused["qualification_missing"]["reason"].startswith("未查到")
    assert all(item["applicant"].endswith("*") for item in body["items"])  # masked
    numbers = [i["application_no"] for i in body["items"] if i["status"] == "started"]
    assert len(set(numbers)) == 195

    # Every application is filed and confirmed by the institution: it waits for the papers,
    # and its workflow recorded the submission.
    for _ in range(600):
        if await recorded_submissions(stack, numbers) == 195:
            break
        await asyncio.sleep(0.1)
    assert await recorded_submissions(stack, numbers) == 195
    async with session_scope(stack.settings.database_url) as session:
        states = set(
            await session.scalars(
                select(Application.state).where(Application.application_no.in_(numbers))
            )
        )
        linked = await session.scalar(
            select(Application.application_no).where(
                Application.account_id == with_account.account_id
            )
        )
    assert states == {"awaiting_documents"}
    assert linked in numbers  # the physician with an account sees it as theirs
    mine = await stack.api.get("/api/v1/applications", headers=with_account.headers)
    assert [a["application_no"] for a in mine.json()] == [linked]
    assert mine.json()[0]["filed_as"] == "institution"

    # The physician is told where to bring the papers; the institution that uploaded the file
    # is not sent a message per row (its batch page follows them).
    await stack.message_about(with_account.phone, linked, "集体办理")
    told_staff = [m["body"] for m in await stack.messages("staff_hunan@ereg.example")]
    assert not [body for body in told_staff if any(no in body for no in numbers)]

    # The same file again: the same batch, nothing filed twice.
    again = await upload(stack, staff, content)
    assert again.status_code == 200, again.text
    assert again.json()["batch_id"] == batch_id
    assert (again.json()["started"], again.json()["refused"]) == (195, 5)
    await asyncio.sleep(1)
    async with session_scope(stack.settings.database_url) as session:
        total = await session.scalar(
            select(func.count()).where(Application.details["batch_id"].as_string() == batch_id)
        )
    assert total == 195

    english = await finished(stack, staff, batch_id, lang="en")
    words = {i["reason_code"]: i["reason"] for i in english["items"] if i["reason_code"]}
    assert "category" in words["category_invalid"].lower()


async def test_a_file_without_the_columns_is_refused_beside_the_file(stack):
    staff = await desk(stack, STAFF[HUNAN])
    response = await upload(stack, staff, b"name,id_number\n\xe5\xbc\xa0\xe4\xb8\x89,1\n")
    assert response.status_code == 422
    assert response.json()["code"] == "batch_columns_missing"
    assert "category, scope" in response.json()["message"]
    empty = await upload(stack, staff, b"name,id_number,category,scope\n")
    assert empty.json()["code"] == "batch_empty"
    latin = await upload(stack, staff, "name,id_number,category,scope\n张三".encode("gbk"))
    assert latin.json()["code"] == "batch_encoding"


async def test_only_the_institutions_staff_see_a_batch(stack, faker):
    staff = await desk(stack, STAFF[HUNAN])
    people = await qualified(stack, faker, 1)
    content = csv_bytes([[people[0]["name"], people[0]["id_number"], "clinical", "内科"]])
    batch_id = (await upload(stack, staff, content)).json()["batch_id"]
    other = await desk(stack, "staff_wugang")
    response = await stack.api.get(f"/api/v1/institution/batches/{batch_id}", headers=other)
    assert response.status_code == 404
    officer = await desk(stack, "officer_hunan")
    assert (await upload(stack, officer, content)).status_code == 403
    listed = await stack.api.get("/api/v1/institution/batches", headers=staff)
    assert batch_id in [b["batch_id"] for b in listed.json()]


async def test_a_physician_filed_for_before_signing_up_finds_it_once_active(stack, faker):
    """Filed by the institution with no account; the physician signs up, is activated (the
    qualification matched, the phone verified) and the application is theirs — not before."""
    who = person(faker, WUGANG)
    async with session_scope(stack.settings.database_url) as session:
        session.add(
            Qualification(
                certificate_no=f"Q{random.randrange(10**15):015d}",
                name=who["name"],
                id_number=who["id_number"],
                level="physician",
                category="clinical",
                issued_on=recently_qualified(),
            )
        )
    staff = await desk(stack, STAFF[WUGANG])
    content = csv_bytes([[who["name"], who["id_number"], "clinical", "内科"]])
    batch = await finished(stack, staff, (await upload(stack, staff, content)).json()["batch_id"])
    [no] = [item["application_no"] for item in batch["items"]]

    body = await signup(stack, who)
    headers = await stack.login(who["username"], who["password"])
    mine = await stack.api.get("/api/v1/applications", headers=headers)
    assert mine.json() == []  # signed up, not yet verified: nothing of theirs shows
    await verify(stack, headers, who)
    await wait_for_state(stack, headers, "active")
    for _ in range(100):
        mine = (await stack.api.get("/api/v1/applications", headers=headers)).json()
        if mine:
            break
        await asyncio.sleep(0.05)
    assert [a["application_no"] for a in mine] == [no]
    assert mine[0]["applicant"] == who["name"]  # their own: unmasked
    assert body["activation_state"] == "awaiting_verification"
