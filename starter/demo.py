"""``ereg demo``: the activation story against the running stack, over HTTP, step by step.

A new physician signs up before the qualification record has arrived; the record is imported and
the waiting activation continues by itself; the phone is verified with the SMS code actually
delivered; the institution issues an activation code, which arrives by email; the physician
enters it and the account is active. Then the physician files a registration, which goes through
the institution, the paper check and the commission to a certificate.
"""

import asyncio
import csv
import random
import re
import tempfile
from pathlib import Path

import httpx
from rich.console import Console

from registry.identifiers import id_check_character
from registry.seed import DEMO_PASSWORD
from registry.settings import Settings
from starter.services.imports import import_qualification_file

console = Console()
INSTITUTION = "H4301020001"  # 湖南省人民医院, auto-activation off
STAFF = "staff_hunan"
OFFICER = "officer_hunan"  # 湖南省卫生健康委员会 licensed 湖南省人民医院
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def fresh_physician() -> dict[str, str]:
    tag = random.randrange(10**8)
    first17 = f"430102{random.randint(1975, 2000)}{random.randint(1, 12):02d}"
    first17 += f"{random.randint(1, 28):02d}{random.randrange(1000):03d}"
    return {
        "username": f"demo{tag}",
        "password": "Demo-pass-2026",
        "name": random.choice(SURNAMES) + "".join(random.choices(GIVEN, k=2)),
        "id_number": first17 + id_check_character(first17),
        "phone": f"139{random.randrange(10**8):08d}",
        "email": f"demo{tag}@example.com",
        "institution_code": INSTITUTION,
    }


class DemoStalled(Exception):
    """The stack answered but the story did not move on: it is most often a stack on another
    database than this command's (the import below writes to this command's)."""


SAME_DATABASE = (
    "is the stack running on this command's database (EREG_DATA_DIR, EREG_DATABASE_URL)? "
    "/ 运行中的服务是否与本命令使用同一数据库？"
)


def step(number: int, text: str) -> None:
    console.print(f"\n[bold cyan]{number}.[/] {text}")


async def delivered(api: httpx.AsyncClient, to: str, after: int = 0) -> list[dict]:
    """The messages delivered to a phone or inbox, newest first, once there are more than
    ``after``: a notice is sent by an activity after the state it announces is recorded."""
    for _ in range(100):
        messages = (await api.get("/api/v1/dev/messages", params={"to": to})).json()
        if len(messages) > after:
            return messages
        await asyncio.sleep(0.2)
    raise DemoStalled(f"no message reached the dev inbox in 20 s; {SAME_DATABASE}")


async def latest_code(api: httpx.AsyncClient, to: str, after: int = 0) -> str:
    """The 6-digit code in the newest message delivered to a phone or inbox, waiting past
    messages that hold none (the email telling the qualification arrived, say)."""
    while True:
        messages = await delivered(api, to, after)
        newest = messages[0]["body"]
        if match := re.search(r"\b(\d{6})\b", newest):
            console.print(f"   [dim]received: {newest.splitlines()[0]}[/]")
            return match.group(1)
        after = len(messages)


async def wait_for_state(api: httpx.AsyncClient, headers: dict, state: str) -> dict:
    for _ in range(150):
        me = (await api.get("/api/v1/me", headers=headers)).json()
        if me["activation"]["state"] == state:
            return me
        await asyncio.sleep(0.2)
    raise DemoStalled(f"the activation did not reach {state} in 30 s; {SAME_DATABASE}")


async def decide(api: httpx.AsyncClient, headers: dict, number: str, step: str, body: dict):
    response = await api.post(f"/api/v1/applications/{number}/{step}", headers=headers, json=body)
    response.raise_for_status()
    return response.json()


async def login(api: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await api.post("/api/v1/token", data={"username": username, "password": password})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def run(base_url: str, settings: Settings) -> None:
    person = fresh_physician()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as api:
        step(
            1,
            f"{person['name']} signs up at institution {INSTITUTION}, before the "
            "qualification record has been published",
        )
        signed_up = await api.post("/api/v1/signup", json=person)
        signed_up.raise_for_status()
        signup = signed_up.json()
        account_id = signup["account_id"]
        console.print(f"   account {account_id}: [bold]{signup['activation_state']}[/]")
        me_headers = await login(api, person["username"], person["password"])
        me = (await api.get("/api/v1/me", headers=me_headers)).json()
        console.print(f"   next step: {me['next_step']['message']}")

        step(2, "The exam results arrive: an operator imports the qualification batch")
        await import_record(person, settings)
        me = await wait_for_state(api, me_headers, "awaiting_verification")
        notice = await delivered(api, person["phone"])
        console.print(f"   SMS to {me['phone']}: {notice[0]['body'].splitlines()[0]}")

        step(3, "The physician verifies the phone with the SMS code")
        sent = (
            await api.post(
                "/api/v1/me/verification/send", headers=me_headers, json={"channel": "sms"}
            )
        ).json()
        console.print(f"   code sent, valid until {sent['expires_at']}")
        code = await latest_code(api, person["phone"], after=len(notice))
        confirmed = (
            await api.post(
                "/api/v1/me/verification/confirm",
                headers=me_headers,
                json={"channel": "sms", "code": code},
            )
        ).json()
        console.print(f"   verified → [bold]{confirmed['activation_state']}[/]")

        step(4, f"Institution staff ({STAFF}) see the physician in the inbox and issue a code")
        staff_headers = await login(api, STAFF, DEMO_PASSWORD)
        inbox = (await api.get("/api/v1/institution/inbox", headers=staff_headers)).json()
        waiting = next(a for a in inbox["activations"] if a["account_id"] == account_id)
        console.print(f"   inbox: {waiting['name']} {waiting['id_number']}")
        await api.post(f"/api/v1/institution/activations/{account_id}/code", headers=staff_headers)
        code = await latest_code(api, person["email"])

        step(5, "The physician enters the activation code from the email")
        done = (
            await api.post("/api/v1/me/activation", headers=me_headers, json={"code": code})
        ).json()
        console.print(f"   → [bold green]{done['activation_state']}[/]")

        step(6, "The physician files a registration (注册): clinical, 内科, at the same hospital")
        filed = await api.post(
            "/api/v1/applications",
            headers=me_headers,
            json={
                "type": "registration",
                "institution_code": INSTITUTION,
                "category": "clinical",
                "scope": "内科",
            },
        )
        filed.raise_for_status()
        number = filed.json()["application_no"]
        console.print(f"   application {number}: [bold]{filed.json()['state']}[/]")

        step(7, f"{STAFF} confirms it; the physician must now bring the paper documents")
        decided = await decide(
            api,
            staff_headers,
            number,
            "institution-decision",
            {"decision": "approve", "comment": "信息属实"},
        )
        console.print(f"   → {decided['state']}, documents due by {decided['step_deadline']}")

        step(8, f"{OFFICER} receives the documents in person: the 20 working days start")
        officer_headers = await login(api, OFFICER, DEMO_PASSWORD)
        decided = await decide(
            api,
            officer_headers,
            number,
            "paper-check",
            {"documents_complete": True, "comment": "材料齐全"},
        )
        console.print(f"   → {decided['state']}, decision due by {decided['step_deadline']}")

        step(9, f"{OFFICER} approves: the registry is updated and a certificate issued")
        decided = await decide(
            api, officer_headers, number, "commission-decision", {"decision": "approve"}
        )
        console.print(
            f"   → [bold green]{decided['state']}[/], certificate {decided['certificate_no']}"
        )
        timeline = (await api.get(f"/api/v1/applications/{number}", headers=me_headers)).json()
        for entry in timeline["timeline"]:
            console.print(
                f"   [dim]{entry['at'][:19]} {entry['actor_role']:<20} {entry['action']}[/]"
            )

    ui = f"http://{settings.temporal_address.rpartition(':')[0]}:{settings.temporal_ui_port}"
    ui += f"/namespaces/{settings.temporal_namespace}/workflows"
    console.print(
        f"\nSee them in the Temporal UI:\n  {ui}/activation-{account_id}\n"
        f"  {ui}/application-{number}\n"
        "or list them: temporal workflow list --query \"ApplicationState='completed'\""
    )


async def import_record(person: dict[str, str], settings: Settings) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.csv"
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(
                ["name", "id_number", "certificate_no", "level", "category", "issued_on"]
            )
            writer.writerow(
                [
                    person["name"],
                    person["id_number"],
                    f"2026{random.randrange(10**11):011d}",
                    "physician",
                    "clinical",
                    "2026-11-01",
                ]
            )
        report, signalled = await import_qualification_file(path, settings)
    console.print(f"   imported {report.inserted} record; {signalled} waiting activation told")
