"""Fresh people, desks and registry records for the end-to-end tests of the applications.

The ``stack`` is shared by every e2e test, so each test makes its own physicians here: a new
identity, its own qualifications, registrations, filings and legacy sites. Staff and officers
are the demo logins; their tokens are kept for the session.
"""

import asyncio
import random
from dataclasses import dataclass
from datetime import date

import httpx
from sqlalchemy import select, update

from registry.db import session_scope
from registry.models import (
    Account,
    Application,
    AuditEvent,
    Filing,
    LegacySite,
    Qualification,
    Registration,
)
from registry.seed import DEMO_PASSWORD
from tests.dates import recently_qualified
from tests.e2e.test_activation import person, signup, verify, wait_for_state

HUNAN = "H4301020001"  # 430102, licensed by commission 430000
WUGANG = "H4305810001"  # 430581, licensed by commission 430581, auto-activation on
HANGZHOU = "H3301020001"  # 330102, licensed by commission 330000
ANJI = "H3305230001"  # 330523, licensed by commission 330523

# Who confirms for an institution, and which officer decides for the commission licensing it.
STAFF = {
    HUNAN: "staff_hunan",
    WUGANG: "staff_wugang",
    HANGZHOU: "staff_hangzhou",
    ANJI: "staff_anji",
}
OFFICER = {
    HUNAN: "officer_hunan",
    WUGANG: "officer_wugang",
    HANGZHOU: "officer_zhejiang",
    ANJI: "officer_anji",
}
EN = {"Accept-Language": "en-US,en;q=0.9"}

_tokens: dict[tuple[int, str], dict[str, str]] = {}


async def desk(stack, username: str) -> dict[str, str]:
    """Headers of a demo staff member or officer (logged in once per session)."""
    key = (id(stack), username)
    if key not in _tokens:
        _tokens[key] = await stack.login(username, DEMO_PASSWORD)
    return _tokens[key]


@dataclass
class Physician:
    who: dict
    account_id: int
    headers: dict[str, str]

    @property
    def name(self) -> str:
        return self.who["name"]

    @property
    def id_number(self) -> str:
        return self.who["id_number"]

    @property
    def phone(self) -> str:
        return self.who["phone"]

    @property
    def masked_name(self) -> str:
        return self.name[0] + "*" * (len(self.name) - 1)


async def new_physician(
    stack,
    faker,
    qualifications=(("physician", "clinical"),),
    *,
    activate: str | None = "db",
    institution_code: str = WUGANG,
) -> Physician:
    """A fresh physician holding ``qualifications`` ((level, category) pairs).

    ``activate``: ``"http"`` verifies the phone by SMS and lets WUGANG's auto-activation do the
    rest (the real flow); ``"db"`` marks the account active directly (fast, for tests not about
    activation); ``None`` leaves it awaiting verification.
    """
    who = person(faker, institution_code)
    for level, category in qualifications:
        await add_qualification(stack, who["name"], who["id_number"], level, category)
    body = await signup(stack, who)
    assert body["activation_state"] == "awaiting_verification", body
    headers = await stack.login(who["username"], who["password"])
    doc = Physician(who, body["account_id"], headers)
    if activate == "http":
        assert institution_code == WUGANG, "only WUGANG activates by itself"
        assert (await verify(stack, headers, who))["activation_state"] == "active"
        await wait_for_state(stack, headers, "active")
    elif activate == "db":
        # After the workflow has recorded its own state, which would overwrite this one.
        await _activation_recorded(stack, doc.account_id, "awaiting_verification")
        async with session_scope(stack.settings.database_url) as session:
            await session.execute(
                update(Account)
                .where(Account.id == doc.account_id)
                .values(activation_state="active")
            )
    return doc


async def _activation_recorded(stack, account_id: int, state: str) -> None:
    for _ in range(400):
        async with session_scope(stack.settings.database_url) as session:
            if await session.scalar(
                select(AuditEvent.id).where(
                    AuditEvent.physician_id == account_id,
                    AuditEvent.action == f"activation_{state}",
                )
            ):
                return
        await asyncio.sleep(0.025)
    raise AssertionError(f"activation of {account_id} never recorded {state}")


# --- arranging the registry directly --------------------------------------------------------


async def add_qualification(stack, name: str, id_number: str, level: str, category: str) -> None:
    async with session_scope(stack.settings.database_url) as session:
        session.add(
            Qualification(
                certificate_no=f"Q{random.randrange(10**15):015d}",
                name=name,
                id_number=id_number,
                level=level,
                category=category,
                issued_on=recently_qualified(),
            )
        )


async def add_registration(
    stack,
    doc: Physician,
    institution_code: str,
    location_code: str,
    *,
    level: str = "physician",
    category: str = "clinical",
    scope: str = "内科",
) -> int:
    """An active registration, as if completed long ago; returns its id."""
    async with session_scope(stack.settings.database_url) as session:
        registration = Registration(
            id_number=doc.id_number,
            name=doc.name,
            level=level,
            category=category,
            scope=scope,
            location_code=location_code,
            institution_code=institution_code,
            certificate_no=f"R{random.randrange(10**15):015d}",
            registered_on=date(2022, 3, 1),
        )
        session.add(registration)
        await session.flush()
        return registration.id


async def add_filing(stack, registration_id: int, institution_code: str) -> int:
    async with session_scope(stack.settings.database_url) as session:
        filing = Filing(
            registration_id=registration_id,
            institution_code=institution_code,
            start_on=date(2023, 1, 1),
        )
        session.add(filing)
        await session.flush()
        return filing.id


async def add_legacy_site(stack, doc: Physician, institution_code: str) -> int:
    async with session_scope(stack.settings.database_url) as session:
        site = LegacySite(
            id_number=doc.id_number,
            name=doc.name,
            institution_code=institution_code,
            registered_on=date(2016, 5, 1),
        )
        session.add(site)
        await session.flush()
        return site.id


async def stored_applications(stack, doc: Physician) -> list[Application]:
    """Every application row about ``doc``, straight from the database."""
    async with session_scope(stack.settings.database_url) as session:
        return list(
            await session.scalars(
                select(Application).where(Application.account_id == doc.account_id)
            )
        )


# --- the API --------------------------------------------------------------------------------


async def file(stack, headers: dict, type_: str, **fields) -> httpx.Response:
    return await stack.api.post(
        "/api/v1/applications", headers=headers, json={"type": type_, **fields}
    )


async def filed(
    stack, headers: dict, type_: str, *, entered: str = "awaiting_institution", **fields
) -> str:
    """File an application that must be accepted; returns its number.

    ``entered``: the state it starts in (an institution's own report skips its confirmation,
    a commission's cancellation awaits only its decision). Returns once the workflow has
    recorded the submission (the timeline shows it and the step's deadline is set), as a
    person looking at the application would see it.
    """
    response = await file(stack, headers, type_, **fields)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == entered
    no = response.json()["application_no"]
    for _ in range(200):
        if (await application(stack, headers, no))["timeline"]:
            return no
        await asyncio.sleep(0.02)
    raise AssertionError(f"the submission of {no} was never recorded")


async def decide(stack, headers: dict, no: str, step: str, **body) -> httpx.Response:
    """``step``: institution-decision, paper-check, commission-decision, withdraw, resubmit."""
    return await stack.api.post(f"/api/v1/applications/{no}/{step}", headers=headers, json=body)


async def decided(stack, headers: dict, no: str, step: str, state: str, **body) -> dict:
    response = await decide(stack, headers, no, step, **body)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == state, response.json()
    return response.json()


async def walk(stack, no: str, institution_code: str) -> dict:
    """Take an application from the institution through the commission to its end.

    ``institution_code`` names who confirms; the officer is of the commission licensing that
    institution. Returns the commission's decision.
    """
    staff = await desk(stack, STAFF[institution_code])
    officer_headers = await desk(stack, OFFICER[institution_code])
    await decided(
        stack,
        staff,
        no,
        "institution-decision",
        "awaiting_documents",
        decision="approve",
        comment="信息属实",
    )
    await decided(
        stack,
        officer_headers,
        no,
        "paper-check",
        "under_review",
        documents_complete=True,
        comment="材料齐全",
    )
    response = await decide(
        stack, officer_headers, no, "commission-decision", decision="approve", comment="准予注册"
    )
    assert response.status_code == 200, response.text
    return response.json()


async def application(stack, headers: dict, no: str) -> dict:
    response = await stack.api.get(f"/api/v1/applications/{no}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def my_applications(stack, headers: dict) -> list[dict]:
    response = await stack.api.get("/api/v1/applications", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def registry_of(stack, doc: Physician) -> dict:
    """What the physician sees of the registry: registrations (with filings), legacy sites."""
    response = await stack.api.get("/api/v1/me", headers=doc.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    return {"registrations": body["registrations"], "legacy_sites": body["legacy_sites"]}


def registration(seen: dict, registration_id: int) -> dict:
    return next(r for r in seen["registrations"] if r["id"] == registration_id)
