"""Who may call what: every endpoint × every role × own versus another's record.

The table below must name every operation of the OpenAPI document, so an endpoint added later
without an access rule fails this test. Each cell is either ``OK`` (the call gets past the
access checks: any answer but 401, 403 or 404) or the status that refuses it. Calls that are
let through are made harmless: the application is already completed, bodies are incomplete,
or the change is one the owner may make anyway.
"""

from dataclasses import dataclass

import pytest
import pytest_asyncio

from registry.seed import DEMO_PASSWORD
from tests.e2e.people import HUNAN, WUGANG, filed, new_physician, walk

OK = "ok"
# Answers that come after the access checks passed: a wrong login, a photo not uploaded yet.
LET_THROUGH = {"invalid_credentials", "photo_not_found"}
PARTIES = ("anonymous", "physician", "other_physician", "staff", "other_staff", "officer",
           "other_officer", "operator")  # fmt: skip
LOGINS = {"staff": "staff_hunan", "other_staff": "staff_anji", "officer": "officer_hunan",
          "other_officer": "officer_zhejiang", "operator": "operator"}  # fmt: skip


def row(anonymous, physician, other_physician, staff, other_staff, officer, other_officer,
        operator) -> dict[str, object]:  # fmt: skip
    return dict(zip(PARTIES, (anonymous, physician, other_physician, staff, other_staff, officer,
                              other_officer, operator), strict=True))  # fmt: skip


PUBLIC = row(OK, OK, OK, OK, OK, OK, OK, OK)
ANY_LOGIN = row(401, OK, OK, OK, OK, OK, OK, OK)
PHYSICIANS = row(401, OK, OK, 403, 403, 403, 403, 403)
STAFF = row(401, 403, 403, OK, OK, 403, 403, 403)
OWN_STAFF = row(401, 403, 403, OK, 403, 403, 403, 403)
OPERATOR = row(401, 403, 403, 403, 403, 403, 403, OK)
OFFICERS = row(401, 403, 403, 403, 403, OK, OK, 403)

# (method, path, body) → who may. Paths use {a} for physician A's account, {no} for A's
# (completed) application, {registration} for the registration it made, {review} for A's open
# profile review.
MATRIX: dict[tuple[str, str], tuple[dict | None, dict]] = {
    ("POST", "/api/v1/signup"): ({}, PUBLIC),
    ("POST", "/api/v1/token"): (None, PUBLIC),
    ("POST", "/api/v1/token/refresh"): (
        {"refresh_token": "x"},
        row(401, 401, 401, 401, 401, 401, 401, 401),
    ),
    ("GET", "/api/v1/institutions"): (None, PUBLIC),
    ("GET", "/api/v1/application-types"): (None, PUBLIC),
    ("GET", "/api/v1/reference/categories"): (None, PUBLIC),
    ("GET", "/api/v1/reference/divisions"): (None, PUBLIC),
    ("GET", "/api/v1/reference/portals"): (None, PUBLIC),
    ("GET", "/api/v1/reference/businesses"): (None, PUBLIC),
    ("GET", "/api/v1/reference/commissions"): (None, PUBLIC),
    ("GET", "/api/v1/reference/commissions/{code}"): (None, PUBLIC),
    ("GET", "/api/v1/me"): (None, ANY_LOGIN),
    ("PATCH", "/api/v1/me/security"): ({}, ANY_LOGIN),
    ("POST", "/api/v1/password-reset/request"): ({}, PUBLIC),
    ("POST", "/api/v1/password-reset/confirm"): ({}, PUBLIC),
    ("POST", "/api/v1/me/verification/send"): ({"channel": "sms"}, PHYSICIANS),
    ("POST", "/api/v1/me/verification/confirm"): ({"channel": "sms", "code": "1"}, PHYSICIANS),
    ("POST", "/api/v1/me/activation"): ({"code": "1"}, PHYSICIANS),
    ("POST", "/api/v1/me/activation/restart"): (None, PHYSICIANS),
    ("GET", "/api/v1/me/profile-changes"): (None, PHYSICIANS),
    ("POST", "/api/v1/me/profile-changes"): ({"nickname": "x"}, PHYSICIANS),
    ("POST", "/api/v1/me/profile-changes/{review}/withdraw"): (
        None,
        row(401, OK, 404, 403, 403, 403, 403, 403),
    ),
    ("GET", "/api/v1/me/photo"): (None, PHYSICIANS),
    ("PUT", "/api/v1/me/photo"): (None, PHYSICIANS),
    ("GET", "/api/v1/me/department"): (None, PHYSICIANS),
    ("PUT", "/api/v1/me/department"): ({}, PHYSICIANS),
    ("GET", "/api/v1/institution/inbox"): (None, STAFF),
    ("PUT", "/api/v1/institution/settings"): ({}, STAFF),
    ("GET", "/api/v1/institution/departments"): (None, STAFF),
    ("PUT", "/api/v1/institution/departments"): ({}, STAFF),
    ("POST", "/api/v1/institution/activations/{a}/code"): (None, OWN_STAFF),
    ("GET", "/api/v1/institution/reviews/{review}"): (None, OWN_STAFF),
    ("POST", "/api/v1/institution/reviews/{review}/decision"): ({"decision": "reject"}, OWN_STAFF),
    ("GET", "/api/v1/institution/physicians/{a}/photo"): (
        None,
        row(401, 403, 403, OK, 403, OK, 403, 403),
    ),
    ("GET", "/api/v1/applications"): (None, ANY_LOGIN),
    ("POST", "/api/v1/applications"): (
        {"type": "nonsense"},
        row(401, OK, OK, OK, OK, OK, OK, 403),
    ),
    ("GET", "/api/v1/applications/{no}"): (None, row(401, OK, 404, OK, 404, OK, 404, OK)),
    ("GET", "/api/v1/applications/{no}/documents"): (None, row(401, OK, 404, OK, 404, OK, 404, OK)),
    ("GET", "/api/v1/applications/{no}/form.pdf"): (None, row(401, OK, 404, OK, 404, OK, 404, OK)),
    ("GET", "/api/v1/me/registrations/{registration}/certificate.pdf"): (
        None,
        row(401, OK, 404, 403, 403, 403, 403, 403),
    ),
    ("GET", "/api/v1/public/certificates/verify"): (None, PUBLIC),
    ("GET", "/api/v1/public/register"): (None, PUBLIC),
    ("GET", "/.well-known/ereg-certificate-keys.json"): (None, PUBLIC),
    ("POST", "/api/v1/applications/{no}/withdraw"): (
        None,
        row(401, OK, 404, 403, 404, 403, 404, 403),
    ),
    ("POST", "/api/v1/applications/{no}/resubmit"): (
        None,
        row(401, OK, 404, 403, 404, 403, 404, 403),
    ),
    ("POST", "/api/v1/applications/{no}/institution-decision"): (
        {"decision": "approve"},
        row(401, 403, 403, OK, 404, 403, 403, 403),
    ),
    ("POST", "/api/v1/applications/{no}/paper-check"): (
        {"documents_complete": True},
        row(401, 403, 403, 403, 403, OK, 404, 403),
    ),
    ("POST", "/api/v1/applications/{no}/commission-decision"): (
        {"decision": "approve"},
        row(401, 403, 403, 403, 403, OK, 404, 403),
    ),
    ("GET", "/api/v1/commission/inbox"): (None, OFFICERS),
    # Any officer records a lack of civil capacity; only the recording commission lifts it.
    ("POST", "/api/v1/commission/refusal-grounds"): ({}, OFFICERS),
    ("POST", "/api/v1/commission/refusal-grounds/{bar}/lift"): (
        None,
        row(401, 403, 403, 403, 403, OK, 403, 403),
    ),
    ("GET", "/api/v1/audit"): (None, OPERATOR),
    ("GET", "/api/v1/dev/messages"): (None, PUBLIC),  # dev mode only: 404 otherwise
    ("POST", "/codec/decode"): ({"payloads": []}, PUBLIC),  # dev mode: operators otherwise
    ("POST", "/codec/encode"): ({"payloads": []}, PUBLIC),
    ("GET", "/healthz"): (None, PUBLIC),
    ("GET", "/readyz"): (None, PUBLIC),
    ("GET", "/metrics"): (None, PUBLIC),
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
            .replace("{bar_id}", "{bar}"),
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
    for party in sorted(PARTIES, key=lambda p: rule[p] == OK):
        kwargs = {"headers": world.headers[party], "params": params}
        if path == "/api/v1/token":
            kwargs["data"] = {"username": "no_such_user", "password": "wrong-but-well-formed-1"}
        elif body is not None:
            kwargs["json"] = body
        response = await stack.api.request(method, url, **kwargs)
        expected = rule[party]
        if expected == OK:
            assert response.status_code not in (401, 403, 404) or (
                response.json().get("code") in LET_THROUGH
            ), f"{party}: {response.status_code} {response.text[:200]}"
            assert response.status_code < 500, f"{party}: {response.text[:200]}"
        else:
            assert response.status_code == expected, (
                f"{party}: expected {expected}, got {response.status_code} {response.text[:200]}"
            )
