"""Who may call what: every endpoint × every role × own versus another's record.

The table below must name every operation of the OpenAPI document, so an endpoint added later
without an access rule fails this test. Each cell is either the status (and error code) of a
call the access checks let through, or the status that refuses it. Calls that are let through
are made harmless: the application is already completed, bodies are incomplete, or the change
is one the owner may make anyway — so each is answered by a rule after the access checks
(``409 wrong_state``, ``422 invalid_request``), named exactly: a 429 or a 500 is no pass.
"""

from dataclasses import dataclass

import pytest
import pytest_asyncio

from registry.db import session_scope
from registry.seed import DEMO_PASSWORD
from registry.staff import create_staff
from tests.e2e.people import HUNAN, WUGANG, filed, new_physician, walk


@dataclass(frozen=True)
class Ok:
    """Let through the access checks, then answered ``status`` (with error ``code``, if any)."""

    status: int
    code: str | None = None


PARTIES = ("anonymous", "physician", "other_physician", "staff", "other_staff", "officer",
           "other_officer", "operator", "admin")  # fmt: skip
LOGINS = {"staff": "staff_hunan", "other_staff": "staff_anji", "officer": "officer_hunan",
          "other_officer": "officer_zhejiang", "operator": "operator"}  # fmt: skip


def row(anonymous, physician, other_physician, staff, other_staff, officer, other_officer,
        operator, admin=403) -> dict[str, Ok | int]:  # fmt: skip
    """``admin``: the administrator of the staff's institution (issue #17), who administers
    staff and reassigns claims but does not decide: refused unless said otherwise."""
    return dict(zip(PARTIES, (anonymous, physician, other_physician, staff, other_staff, officer,
                              other_officer, operator, admin), strict=True))  # fmt: skip


def public(ok: Ok) -> dict[str, Ok | int]:
    return row(ok, ok, ok, ok, ok, ok, ok, ok, ok)


def any_login(ok: Ok) -> dict[str, Ok | int]:
    return row(401, ok, ok, ok, ok, ok, ok, ok, ok)


def physicians(ok: Ok) -> dict[str, Ok | int]:
    return row(401, ok, ok, 403, 403, 403, 403, 403)


def staff(ok: Ok) -> dict[str, Ok | int]:
    return row(401, 403, 403, ok, ok, 403, 403, 403)


def own_staff(ok: Ok) -> dict[str, Ok | int]:
    return row(401, 403, 403, ok, 403, 403, 403, 403)


def officers(ok: Ok) -> dict[str, Ok | int]:
    return row(401, 403, 403, 403, 403, ok, ok, 403)


OK = Ok(200)
INCOMPLETE = Ok(422, "invalid_request")  # a body the access checks let through, then refused
DONE = Ok(409, "wrong_state")  # A's application is completed, the review already decided

# (method, path, body) → who may. Paths use {a} for physician A's account, {no} for A's
# (completed) application, {registration} for the registration it made, {review} for A's open
# profile review.
MATRIX: dict[tuple[str, str], tuple[dict | None, dict]] = {
    ("POST", "/api/v1/signup"): ({}, public(INCOMPLETE)),
    ("POST", "/api/v1/token"): (None, public(Ok(401, "invalid_credentials"))),
    ("POST", "/api/v1/token/refresh"): (
        {"refresh_token": "x"},
        row(401, 401, 401, 401, 401, 401, 401, 401, 401),
    ),
    ("GET", "/api/v1/institutions"): (None, public(OK)),
    ("GET", "/api/v1/application-types"): (None, public(OK)),
    ("GET", "/api/v1/reference/categories"): (None, public(OK)),
    ("GET", "/api/v1/reference/divisions"): (None, public(OK)),
    ("GET", "/api/v1/reference/portals"): (None, public(OK)),
    ("GET", "/api/v1/reference/businesses"): (None, public(OK)),
    ("GET", "/api/v1/reference/commissions"): (None, public(OK)),
    ("GET", "/api/v1/reference/commissions/{code}"): (None, public(OK)),
    ("GET", "/api/v1/me"): (None, any_login(OK)),
    ("PATCH", "/api/v1/me/security"): ({}, any_login(Ok(422, "security_one_change"))),
    ("POST", "/api/v1/password-reset/request"): ({}, public(INCOMPLETE)),
    ("POST", "/api/v1/password-reset/confirm"): ({}, public(INCOMPLETE)),
    ("POST", "/api/v1/me/verification/send"): ({"channel": "sms"}, physicians(OK)),
    ("POST", "/api/v1/me/verification/confirm"): (
        {"channel": "sms", "code": "1"},
        physicians(Ok(422, "code_format")),
    ),
    ("POST", "/api/v1/me/activation"): ({"code": "1"}, physicians(Ok(422, "code_format"))),
    ("POST", "/api/v1/me/activation/restart"): (
        None,
        physicians(Ok(409, "activation_in_progress")),
    ),
    ("GET", "/api/v1/me/profile-changes"): (None, physicians(OK)),
    ("POST", "/api/v1/me/profile-changes"): ({"nickname": "x"}, physicians(INCOMPLETE)),
    ("POST", "/api/v1/me/profile-changes/{review}/withdraw"): (
        None,
        row(401, OK, 404, 403, 403, 403, 403, 403),
    ),
    ("GET", "/api/v1/me/photo"): (None, physicians(Ok(404, "photo_not_found"))),
    ("PUT", "/api/v1/me/photo"): (None, physicians(INCOMPLETE)),
    ("GET", "/api/v1/me/department"): (None, physicians(OK)),
    ("PUT", "/api/v1/me/department"): ({}, physicians(INCOMPLETE)),
    ("GET", "/api/v1/institution/inbox"): (None, staff(OK)),
    ("GET", "/api/v1/institution/inbox/items"): (None, staff(OK)),
    ("PUT", "/api/v1/institution/settings"): ({}, staff(INCOMPLETE)),
    ("GET", "/api/v1/institution/departments"): (None, staff(OK)),
    ("PUT", "/api/v1/institution/departments"): ({}, staff(INCOMPLETE)),
    ("POST", "/api/v1/institution/activations/{a}/code"): (None, own_staff(DONE)),
    ("GET", "/api/v1/institution/reviews/{review}"): (None, own_staff(OK)),
    ("POST", "/api/v1/institution/reviews/{review}/decision"): (
        {"decision": "reject"},
        own_staff(DONE),
    ),
    ("GET", "/api/v1/institution/physicians/{a}/photo"): (
        None,
        row(401, 403, 403, Ok(404, "photo_not_found"), 403, Ok(404, "photo_not_found"), 403, 403),
    ),
    ("GET", "/api/v1/applications"): (None, any_login(OK)),
    ("POST", "/api/v1/applications"): (
        {"type": "nonsense"},
        row(401, *[Ok(422, "application_type_unknown")] * 6, 403),
    ),
    # The institution's administrator reads its applications as its staff do (not deciding).
    ("GET", "/api/v1/applications/{no}"): (None, row(401, OK, 404, OK, 404, OK, 404, OK, OK)),
    ("GET", "/api/v1/applications/{no}/documents"): (
        None,
        row(401, OK, 404, OK, 404, OK, 404, OK, OK),
    ),
    ("GET", "/api/v1/applications/{no}/form.pdf"): (
        None,
        row(401, OK, 404, OK, 404, OK, 404, OK, OK),
    ),
    ("GET", "/api/v1/me/registrations/{registration}/certificate.pdf"): (
        None,
        row(401, OK, 404, 403, 403, 403, 403, 403),
    ),
    ("GET", "/api/v1/public/certificates/verify"): (None, public(INCOMPLETE)),
    ("GET", "/api/v1/public/register"): (None, public(INCOMPLETE)),
    ("POST", "/api/v1/public/register"): (None, public(INCOMPLETE)),
    ("GET", "/.well-known/ereg-certificate-keys.json"): (None, public(OK)),
    ("POST", "/api/v1/applications/{no}/withdraw"): (
        None,
        row(401, DONE, 404, 403, 404, 403, 404, 403),
    ),
    ("POST", "/api/v1/applications/{no}/resubmit"): (
        None,
        row(401, DONE, 404, 403, 404, 403, 404, 403),
    ),
    ("POST", "/api/v1/applications/{no}/institution-decision"): (
        {"decision": "approve"},
        row(401, 403, 403, DONE, 404, 403, 403, 403),
    ),
    ("POST", "/api/v1/applications/{no}/paper-check"): (
        {"documents_complete": True},
        row(401, 403, 403, 403, 403, DONE, 404, 403),
    ),
    ("POST", "/api/v1/applications/{no}/commission-decision"): (
        {"decision": "approve"},
        row(401, 403, 403, 403, 403, DONE, 404, 403),
    ),
    ("GET", "/api/v1/commission/inbox"): (None, officers(OK)),
    # Institutions at scale: a batch is its institution's.
    ("POST", "/api/v1/institution/batches"): (None, staff(INCOMPLETE)),
    ("GET", "/api/v1/institution/batches"): (None, staff(OK)),
    ("POST", "/api/v1/institution/decisions"): ({}, staff(INCOMPLETE)),
    # Staff administration: administrators and the operator (A is a physician: nobody
    # administers A, so not found to them).
    ("GET", "/api/v1/staff"): (None, row(401, 403, 403, 403, 403, 403, 403, OK, OK)),
    ("POST", "/api/v1/staff"): (
        {},
        row(401, 403, 403, 403, 403, 403, 403, INCOMPLETE, INCOMPLETE),
    ),
    ("POST", "/api/v1/staff/{a}/deactivate"): (
        None,
        row(401, 403, 403, 403, 403, 403, 403, Ok(404, "not_found"), Ok(404, "not_found")),
    ),
    ("POST", "/api/v1/staff/{a}/reset"): (
        None,
        row(401, 403, 403, 403, 403, 403, 403, Ok(404, "not_found"), Ok(404, "not_found")),
    ),
    ("GET", "/api/v1/applications/{no}/claim"): (
        None,
        row(401, 403, 403, OK, 404, OK, 404, 403, OK),
    ),
    ("POST", "/api/v1/applications/{no}/claim"): (
        {},
        row(401, 403, 403, DONE, 404, DONE, 404, 403, DONE),
    ),
    ("POST", "/api/v1/commission/decisions"): ({}, officers(INCOMPLETE)),
    ("GET", "/api/v1/institution/batches/{batch}"): (
        None,
        row(401, 403, 403, OK, Ok(404, "batch_not_found"), 403, 403, 403),
    ),
    # Any officer records a lack of civil capacity; only the recording commission lifts it.
    ("POST", "/api/v1/commission/refusal-grounds"): ({}, officers(INCOMPLETE)),
    ("POST", "/api/v1/commission/refusal-grounds/{bar}/lift"): (
        None,
        row(401, 403, 403, 403, 403, OK, 403, 403),
    ),
    ("GET", "/api/v1/audit"): (None, row(401, 403, 403, 403, 403, 403, 403, OK)),
    ("GET", "/api/v1/dev/messages"): (None, public(OK)),  # dev mode only: 404 otherwise
    ("POST", "/codec/decode"): ({"payloads": []}, public(OK)),  # dev mode: operators otherwise
    ("POST", "/codec/encode"): ({"payloads": []}, public(OK)),
    ("GET", "/healthz"): (None, public(OK)),
    ("GET", "/readyz"): (None, public(OK)),
    ("GET", "/metrics"): (None, public(OK)),
}


@dataclass
class World:
    headers: dict[str, dict[str, str]]
    values: dict[str, str]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(stack, faker) -> World:
    a = await new_physician(stack, faker, institution_code=HUNAN)
    b = await new_physician(stack, faker, institution_code=WUGANG)
    no = await filed(
        stack, a.headers, "registration", institution_code=HUNAN, category="clinical", scope="内科"
    )
    await walk(stack, no, HUNAN)
    review = await stack.api.post(
        "/api/v1/me/profile-changes", headers=a.headers, json={"ethnicity": "汉族"}
    )
    assert review.status_code == 201, review.text
    headers = {"anonymous": {}, "physician": a.headers, "other_physician": b.headers}
    for party, username in LOGINS.items():
        headers[party] = await stack.login(username, DEMO_PASSWORD)
    admin_name = f"admin{a.account_id}"
    async with session_scope(stack.settings.database_url) as session:
        await create_staff(session, "institution_admin", admin_name, DEMO_PASSWORD, HUNAN, None)
    headers["admin"] = await stack.login(admin_name, DEMO_PASSWORD)
    bar = await stack.api.post(
        "/api/v1/commission/refusal-grounds",
        headers=headers["officer"],
        json={"id_number": faker.ssn(), "ground": "no_civil_capacity", "starts_on": "2026-01-01"},
    )
    assert bar.status_code == 201, bar.text
    values = {
        "a": str(a.account_id),
        "no": no,
        "review": str(review.json()["id"]),
        "bar": str(bar.json()["id"]),
    }
    me = (await stack.api.get("/api/v1/me", headers=a.headers)).json()
    values["registration"] = str(me["registrations"][0]["id"])
    values["code"] = "430000"  # a commission: reference data anyone may read
    batch = await stack.api.post(
        "/api/v1/institution/batches",
        headers=headers["staff"],
        files={"file": ("a.csv", b"name,id_number,category,scope\nx,1,clinical,x\n")},
    )
    assert batch.status_code in (200, 201), batch.text
    values["batch"] = batch.json()["batch_id"]
    return World(headers, values)


@pytest.fixture(scope="module")
def faker():
    from faker import Faker

    return Faker("zh_CN")


def test_every_endpoint_has_an_access_rule(stack):
    documented = {
        (
            method.upper(),
            path.replace("{account_id}", "{a}")
            .replace("{review_id}", "{review}")
            .replace("{registration_id}", "{registration}")
            .replace("{bar_id}", "{bar}")
            .replace("{batch_id}", "{batch}"),
        )
        for path, operations in stack.app.openapi()["paths"].items()
        for method in operations
    }
    assert documented == set(MATRIX)


@pytest.mark.parametrize(("method", "path"), list(MATRIX))
async def test_access(stack, world, method, path):
    body, rule = MATRIX[(method, path)]
    url = path.format(**world.values)
    params = {"to": "13900000000"} if path.endswith("/dev/messages") else None
    # Refusals first, so that a call let through (and harmless by design) cannot change what
    # a later party sees.
    for party in sorted(PARTIES, key=lambda p: isinstance(rule[p], Ok)):
        kwargs = {"headers": world.headers[party], "params": params}
        if path == "/api/v1/token":  # a username of its own each: five tries would lock it
            kwargs["data"] = {"username": f"nobody_{party}", "password": "wrong-but-well-formed-1"}
        elif body is not None:
            kwargs["json"] = body
        response = await stack.api.request(method, url, **kwargs)
        expected = rule[party]
        if isinstance(expected, Ok):
            code = response.json().get("code") if expected.code else None
            assert (response.status_code, code) == (expected.status, expected.code), (
                f"{party}: expected {expected}, got {response.status_code} {response.text[:200]}"
            )
        else:
            assert response.status_code == expected, (
                f"{party}: expected {expected}, got {response.status_code} {response.text[:200]}"
            )
