"""Bulk decisions end to end: many applications, one decision, each its own workflow update."""

import asyncio

import pytest

from tests.e2e.people import (
    EN,
    HUNAN,
    OFFICER,
    STAFF,
    application,
    decided,
    desk,
    filed,
    new_physician,
)
from tests.e2e.test_batches import csv_bytes, finished, qualified, upload

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def awaiting_institution(stack, faker, count: int) -> list[str]:
    """``count`` registrations physicians filed at HUNAN, awaiting its confirmation."""
    limit = asyncio.Semaphore(6)

    async def one() -> str:
        async with limit:
            doc = await new_physician(stack, faker, institution_code=HUNAN)
            return await filed(
                stack,
                doc.headers,
                "registration",
                institution_code=HUNAN,
                category="clinical",
                scope="内科",
            )

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def bulk(stack, headers, path: str, numbers: list[str], decision: str, comment=None):
    response = await stack.api.post(
        f"/api/v1/{path}/decisions",
        headers=headers,
        json={"application_nos": numbers, "decision": decision, "comment": comment},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_bulk_approval_of_50_where_3_were_decided_meanwhile(stack, faker):
    staff = await desk(stack, STAFF[HUNAN])
    numbers = await awaiting_institution(stack, faker, 50)
    for no in numbers[:3]:  # a colleague decided these one by one meanwhile
        await decided(
            stack, staff, no, "institution-decision", "awaiting_documents", decision="approve"
        )

    body = await bulk(stack, staff, "institution", numbers, "approve", "材料属实")

    outcomes = {item["application_no"]: item for item in body["items"]}
    assert body["done"] == 47
    assert [outcomes[no]["outcome"] for no in numbers[:3]] == ["already_decided"] * 3
    assert {outcomes[no]["state"] for no in numbers[:3]} == {"awaiting_documents"}
    assert {outcomes[no]["outcome"] for no in numbers[3:]} == {"done"}
    seen = await application(stack, staff, numbers[10])
    assert seen["state"] == "awaiting_documents"
    assert seen["timeline"][-1]["comment"] == "材料属实"


async def test_each_item_says_why_it_was_not_decided(stack, faker):
    staff = await desk(stack, STAFF[HUNAN])
    numbers = await awaiting_institution(stack, faker, 2)
    other = await desk(stack, STAFF["H3301020001"])
    body = await stack.api.post(
        "/api/v1/institution/decisions",
        headers={**staff, **EN},
        json={"application_nos": [*numbers, "nonexistent"], "decision": "return"},
    )
    items = {i["application_no"]: i for i in body.json()["items"]}
    assert items[numbers[0]]["outcome"] == "refused"
    assert items[numbers[0]]["code"] == "comment_required"
    assert items["nonexistent"]["outcome"] == "not_found"
    foreign = await bulk(stack, other, "institution", numbers, "approve")
    assert {i["outcome"] for i in foreign["items"]} == {"not_found"}
    assert (await application(stack, staff, numbers[0]))["state"] == "awaiting_institution"


async def test_commission_bulk_approval_completes_each_registration(stack, faker):
    staff, officer = await desk(stack, STAFF[HUNAN]), await desk(stack, OFFICER[HUNAN])
    people = await qualified(stack, faker, 4)
    content = csv_bytes([[p["name"], p["id_number"], "clinical", "外科"] for p in people])
    batch_id = (await upload(stack, staff, content)).json()["batch_id"]
    items = (await finished(stack, staff, batch_id))["items"]
    numbers = [item["application_no"] for item in items]
    for no in numbers[:3]:
        for _ in range(100):  # the workflow recorded the submission: the counter may take it
            if (await application(stack, officer, no))["timeline"]:
                break
            await asyncio.sleep(0.05)
        await decided(stack, officer, no, "paper-check", "under_review", documents_complete=True)

    body = await bulk(stack, officer, "commission", numbers, "approve", "准予注册")

    outcomes = [i["outcome"] for i in body["items"]]
    assert outcomes == ["done", "done", "done", "refused"]  # the last: papers not yet checked
    assert {i["state"] for i in body["items"][:3]} == {"completed"}
    assert (body["items"][3]["state"], body["items"][3]["code"]) == (
        "awaiting_documents",
        "wrong_state",
    )
    again = await bulk(stack, officer, "commission", numbers[:1], "reject", "重复")
    assert again["items"][0]["outcome"] == "already_decided"
    assert (await application(stack, officer, numbers[0]))["certificate_no"]
