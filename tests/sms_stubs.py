"""Alibaba Cloud SMS and Tencent Cloud SMS as a local server on loopback, for the tests.

Each stub speaks its provider's ``SendSms`` as the provider documents it: it checks the request's
signature from the bytes and headers it received (written here from the documentation, apart
from ``activities.sms``, so that a mistake there is not repeated here), refuses a bad signature,
an unknown key, a stale timestamp or a reused nonce as the provider does, checks the sign name,
the template and its parameters, and answers in the provider's JSON. A message it accepts is
rendered as the phone would show it: ``【签名】`` and the template with its values.

``fail_next`` queues answers for the next requests (an outage, throttling), before any check.
"""

import asyncio
import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from starter.dev import free_port

KEY_ID = "LTAI5tStubKeyId0001"
KEY_SECRET = "stub-secret-for-the-tests-only"
SIGN_NAME = "医师电子化注册"
# Approved templates: id -> text, with ${name} (Alibaba) or {n} (Tencent) placeholders.
ALIYUN_TEMPLATES = {
    "SMS_100001": "您的验证码为${code}，5分钟内有效，请勿泄露。",
    "SMS_100002": "您在医师电子化注册系统有一条新消息，请登录查看。",
    "SMS_100003": "您的申请${application_no}已办结，执业证书编码${certificate_no}。",
}
TENCENT_TEMPLATES = {
    "1100001": "您的验证码为{1}，5分钟内有效，请勿泄露。",
    "1100002": "您在医师电子化注册系统有一条新消息，请登录查看。",
    "1100003": "您的申请{1}已办结，执业证书编码{2}。",
}
TENCENT_APP_ID = "1400000001"
PHONE = re.compile(r"^(\+86|0086|86)?1\d{10}$")


@dataclass
class Received:
    phone: str
    text: str  # as the phone shows it
    template: str
    ref: str


@dataclass
class Stub:
    url: str
    received: list[Received] = field(default_factory=list)
    requests: int = 0
    refused_signatures: int = 0
    queued: list[tuple[int, str]] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)

    def fail_next(self, *answers: tuple[int, str]) -> None:
        """(HTTP status, provider error code) for each of the next requests."""
        self.queued.extend(answers)


# --- Alibaba Cloud: signature V3 -------------------------------------------------------------


def _pct(value: str) -> str:
    return quote(value, safe="-_.~")


def _aliyun_error(status: int, code: str) -> JSONResponse:
    return JSONResponse(
        {"RequestId": str(uuid.uuid4()), "Code": code, "Message": code}, status_code=status
    )


async def _aliyun(stub: Stub, request: Request) -> JSONResponse:
    stub.requests += 1
    if stub.queued:
        return _aliyun_error(*stub.queued.pop(0))
    body = await request.body()
    headers = request.headers
    match = re.fullmatch(
        r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})",
        headers.get("authorization", ""),
    )
    if match is None:
        return _aliyun_error(400, "IncompleteSignature")
    key_id, signed, signature = match.groups()
    if key_id != KEY_ID:
        return _aliyun_error(404, "InvalidAccessKeyId.NotFound")
    names = signed.split(";")
    # Every x-acs-* header and host must be signed; the body must be the one hashed.
    required = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce"}
    if not required | {"x-acs-content-sha256"} <= set(names):
        return _aliyun_error(400, "IncompleteSignature")
    if headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
        return _aliyun_error(400, "ContentSHA256NotMatch")
    sent_at = datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if abs((datetime.now(UTC) - sent_at).total_seconds()) > 15 * 60:
        return _aliyun_error(400, "InvalidTimeStamp.Expired")
    query = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(parse_qsl(request.url.query, True)))
    canonical = "\n".join(
        [
            request.method,
            request.url.path,
            query,
            "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in names),
            signed,
            headers["x-acs-content-sha256"],
        ]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    expected = hmac.new(KEY_SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        stub.refused_signatures += 1
        return _aliyun_error(400, "SignatureDoesNotMatch")
    nonce = headers["x-acs-signature-nonce"]
    if nonce in stub.nonces:
        return _aliyun_error(400, "SignatureNonceUsed")
    stub.nonces.add(nonce)
    if (headers["x-acs-action"], headers["x-acs-version"]) != ("SendSms", "2017-05-25"):
        return _aliyun_error(400, "InvalidAction.NotFound")
    form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    return _aliyun_send(stub, form)


def _aliyun_send(stub: Stub, form: dict[str, str]) -> JSONResponse:
    """The business checks of SendSms; errors come with HTTP 200, as Alibaba sends them."""
    ok = {"RequestId": str(uuid.uuid4()), "Code": "OK", "Message": "OK"}
    if form.get("SignName") != SIGN_NAME:
        return JSONResponse(ok | {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "签名不合法"})
    text = ALIYUN_TEMPLATES.get(form.get("TemplateCode", ""))
    if text is None:
        return JSONResponse(ok | {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"})
    params = json.loads(form.get("TemplateParam") or "{}")
    for name in re.findall(r"\$\{(\w+)\}", text):
        if name not in params:
            return JSONResponse(ok | {"Code": "isv.TEMPLATE_MISSING_PARAMETERS"})
        text = text.replace("${" + name + "}", str(params[name]))
    phone = form.get("PhoneNumbers", "")
    if not PHONE.match(phone):
        return JSONResponse(ok | {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
    stub.received.append(
        Received(phone, f"【{SIGN_NAME}】{text}", form["TemplateCode"], form.get("OutId", ""))
    )
    return JSONResponse(ok | {"BizId": f"{len(stub.received)}^0"})


# --- Tencent Cloud: signature v3 (TC3-HMAC-SHA256) -------------------------------------------


def _tencent_error(code: str, status: int = 200) -> JSONResponse:
    error = {"Code": code, "Message": code}
    return JSONResponse(
        {"Response": {"Error": error, "RequestId": str(uuid.uuid4())}}, status_code=status
    )


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


async def _tencent(stub: Stub, request: Request) -> JSONResponse:
    stub.requests += 1
    if stub.queued:
        status, code = stub.queued.pop(0)
        return _tencent_error(code, status)
    body = await request.body()
    headers = request.headers
    match = re.fullmatch(
        r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/(\w+)/tc3_request, "
        r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})",
        headers.get("authorization", ""),
    )
    if match is None:
        return _tencent_error("AuthFailure.InvalidAuthorization")
    secret_id, day, service, signed, signature = match.groups()
    if secret_id != KEY_ID:
        return _tencent_error("AuthFailure.SecretIdNotFound")
    timestamp = int(headers.get("x-tc-timestamp", "0"))
    if abs(time.time() - timestamp) > 300:
        return _tencent_error("AuthFailure.SignatureExpire")
    names = signed.split(";")
    if not {"content-type", "host"} <= set(names):
        return _tencent_error("AuthFailure.InvalidAuthorization")
    canonical = "\n".join(
        [
            request.method,
            request.url.path,
            request.url.query,
            "".join(f"{n}:{headers.get(n, '').strip().lower()}\n" for n in names),
            signed,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n" + (
        hashlib.sha256(canonical.encode()).hexdigest()
    )
    key = _hmac(_hmac(_hmac(("TC3" + KEY_SECRET).encode(), day), service), "tc3_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    day_of_timestamp = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    if day != day_of_timestamp or not hmac.compare_digest(expected, signature):
        stub.refused_signatures += 1
        return _tencent_error("AuthFailure.SignatureFailure")
    if (headers.get("x-tc-action"), headers.get("x-tc-version")) != ("SendSms", "2021-01-11"):
        return _tencent_error("InvalidAction")
    if not headers.get("x-tc-region"):
        return _tencent_error("MissingParameter")
    return _tencent_send(stub, json.loads(body))


def _tencent_send(stub: Stub, request: dict) -> JSONResponse:
    if request.get("SmsSdkAppId") != TENCENT_APP_ID:
        return _tencent_error("InvalidParameterValue.SdkAppIdNotExist")
    if request.get("SignName") != SIGN_NAME:
        return _tencent_error("FailedOperation.SignatureIncorrectOrUnapproved")
    text = TENCENT_TEMPLATES.get(request.get("TemplateId", ""))
    if text is None:
        return _tencent_error("FailedOperation.TemplateIncorrectOrUnapproved")
    values = request.get("TemplateParamSet") or []
    if len(values) != len(re.findall(r"\{\d+\}", text)):
        return _tencent_error("FailedOperation.TemplateParamSetNotMatchApprovedTemplate")
    for number, value in enumerate(values, start=1):
        text = text.replace(f"{{{number}}}", value)
    statuses = []
    for phone in request.get("PhoneNumberSet") or []:
        status = {"PhoneNumber": phone, "Fee": 1, "IsoCode": "CN"}
        status["SessionContext"] = request.get("SessionContext", "")
        if not PHONE.match(phone):
            status |= {"SerialNo": "", "Code": "InvalidParameterValue.IncorrectPhoneNumber"}
        else:
            serial = f"2019:{uuid.uuid4().int % 10**19}"
            status |= {"SerialNo": serial, "Code": "Ok", "Message": "send success"}
            ref = request.get("SessionContext", "")
            stub.received.append(
                Received(phone, f"【{SIGN_NAME}】{text}", request["TemplateId"], ref)
            )
        statuses.append(status)
    return JSONResponse({"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}})


# --- serving -----------------------------------------------------------------------------------


class serve:
    """``async with serve("aliyun") as stub``: the stub on a free loopback port."""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    async def __aenter__(self) -> Stub:
        port = free_port()
        stub = Stub(url=f"http://127.0.0.1:{port}")
        handler = _aliyun if self.provider == "aliyun" else _tencent

        async def endpoint(request: Request) -> JSONResponse:
            return await handler(stub, request)

        app = Starlette(routes=[Route("/", endpoint, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.01)
        return stub

    async def __aexit__(self, *_) -> None:
        self.server.should_exit = True
        await self.task
