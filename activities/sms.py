"""SMS through Alibaba Cloud SMS (阿里云短信) or Tencent Cloud SMS (腾讯云短信), over their
documented HTTP APIs: no SDK, httpx and a signature each.

Chinese SMS providers send only approved templates under an approved signature (签名), so a
message is a template id and its parameters, not free text. Each message ereg sends has a key
(``code.verification``, ``application.completed``, …, see ``Sms``); ``EREG_SMS_TEMPLATES`` maps
keys to the templates an operator had approved. A key without a template of its own falls back
to ``code`` (every code: one ``${code}`` parameter) or ``notice`` (everything else: a fixed
"you have a new message, log in to read it", no parameter): those two are all a deployment needs.

Errors: throttling, a provider's 5xx and network failures raise :class:`SmsUnavailable`, and the
activity retries; anything else the provider refuses (a bad number, a template or signature not
approved, wrong keys) is refused for good (:class:`DeliveryRefused`) and never retried.

Delivery receipts are not collected: receipts come minutes later, and nothing would act on one
(a physician whose code did not arrive asks for another; every notice also goes by email and
shows in the portal). Each message carries a reference without personal data (Alibaba
``OutId``, Tencent ``SessionContext``), logged with the provider's id (``BizId``, ``SerialNo``),
by which an operator finds one message's receipt in the provider's console.
"""

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import httpx

from activities.messaging import DeliveryRefused, Sms, SmsUnavailable
from registry.settings import Settings, SmsTemplate

log = logging.getLogger("ereg.sms")

# Both providers answer within a second or two; past this the attempt fails and is retried.
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class Templates:
    """Which approved template sends a message, with which of its parameters in which order."""

    FALLBACK = {"code": "code"}  # a key's family -> the template it falls back to

    def __init__(self, templates: Mapping[str, SmsTemplate]) -> None:
        self._templates = dict(templates)

    def missing(self) -> list[str]:
        return [key for key in ("code", "notice") if key not in self._templates]

    def resolve(self, sms: Sms) -> tuple[str, list[tuple[str, str]]]:
        """(template id, [(parameter, value)] in the template's order)."""
        family = sms.key.partition(".")[0]
        template = (
            self._templates.get(sms.key) or self._templates[self.FALLBACK.get(family, "notice")]
        )
        absent = [name for name in template.params if name not in sms.params]
        if absent:
            raise DeliveryRefused(
                f"template {template.id} needs {', '.join(absent)}, which {sms.key} lacks"
            )
        return template.id, [(name, str(sms.params[name])) for name in template.params]


class _Provider:
    """What both providers share: settings checked at start, one HTTP client, the log line."""

    name = ""
    default_endpoint = ""
    required: tuple[str, ...] = ()  # settings this provider needs besides the common ones

    def __init__(self, settings: Settings) -> None:
        missing = [
            f"EREG_SMS_{name.upper()}"
            for name in ("access_key_id", "access_key_secret", "sign_name", *self.required)
            if not getattr(settings, f"sms_{name}")
        ]
        self.templates = Templates(settings.sms_templates)
        missing += [f"EREG_SMS_TEMPLATES[{key!r}]" for key in self.templates.missing()]
        if missing:
            raise ValueError(f"SMS gateway {self.name} needs {', '.join(missing)}")
        self.settings = settings
        self.endpoint = (settings.sms_endpoint or self.default_endpoint).rstrip("/") + "/"
        self.host = urlsplit(self.endpoint).netloc
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
        return self._client

    async def post(self, headers: dict[str, str], body: bytes) -> httpx.Response:
        """POST to the endpoint; a network failure is one to retry. The URL has no query: the
        parameters (a phone number among them) travel in the body, out of every access log."""
        try:
            return await self.client.post(self.endpoint, headers=headers, content=body)
        except httpx.HTTPError as error:
            raise SmsUnavailable(f"{self.name}: {type(error).__name__}") from None

    def accepted(self, sms: Sms, provider_id: str) -> str:
        log.info("sms %s accepted by %s as %s", sms.ref or "-", self.name, provider_id)
        return provider_id

    def failed(self, code: str, status: int, transient: bool) -> Exception:
        """The exception for a provider's error ``code``; its message is never logged."""
        reason = f"{self.name} refused the SMS: {code} (HTTP {status})"
        return SmsUnavailable(reason) if transient else DeliveryRefused(reason)


# --- Alibaba Cloud ---------------------------------------------------------------------------


def acs3_encode(value: str) -> str:
    """RFC 3986 percent-encoding as the V3 signature wants it: space %20, ``*`` %2A, ``~`` kept."""
    return quote(value, safe="-_.~")


def acs3_authorization(
    key_id: str,
    secret: str,
    method: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> str:
    """The ``Authorization`` header of Alibaba Cloud's signature V3 (``ACS3-HMAC-SHA256``):
    every header given is signed (``host``, ``x-acs-*``, ``content-type``)."""
    names = sorted(name.lower() for name in headers)
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    canonical = "\n".join(
        [
            method,
            "/",
            "&".join(f"{acs3_encode(k)}={acs3_encode(v)}" for k, v in sorted(query.items())),
            "".join(f"{name}:{lowered[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={';'.join(names)},"
        f"Signature={signature}"
    )


class AliyunSms(_Provider):
    """Dysmsapi ``SendSms`` (version 2017-05-25), signature V3, parameters as a form body."""

    name = "aliyun"
    default_endpoint = "https://dysmsapi.aliyuncs.com"
    # Codes worth another try: throttling (the API's, or the per-number frequency limit, which
    # passes within the minute or hour) and the platform's own failures.
    TRANSIENT = {"isp.SYSTEM_ERROR", "isv.BUSINESS_LIMIT_CONTROL", "ServiceUnavailable"}

    async def send(self, phone: str, sms: Sms) -> str:
        template, params = self.templates.resolve(sms)
        form = {
            "PhoneNumbers": phone,
            "SignName": self.settings.sms_sign_name,
            "TemplateCode": template,
        }
        if params:
            form["TemplateParam"] = json.dumps(dict(params), ensure_ascii=False)
        if sms.ref:
            form["OutId"] = sms.ref
        body = "&".join(f"{acs3_encode(k)}={acs3_encode(v)}" for k, v in form.items()).encode()
        headers = {
            "host": self.host,
            "content-type": "application/x-www-form-urlencoded",
            "x-acs-action": "SendSms",
            "x-acs-version": "2017-05-25",
            "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": uuid.uuid4().hex,
            "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        }
        headers["authorization"] = acs3_authorization(
            self.settings.sms_access_key_id,
            self.settings.sms_access_key_secret,
            "POST",
            {},
            headers,
            body,
        )
        response = await self.post(headers, body)
        answer = _json(response)
        code = str(answer.get("Code", ""))
        if response.status_code == 200 and code == "OK":
            return self.accepted(sms, str(answer.get("BizId", "")))
        transient = (
            response.status_code >= 500
            or response.status_code == 429
            or code in self.TRANSIENT
            or code.startswith("Throttling")
        )
        raise self.failed(code or "no code", response.status_code, transient)


# --- Tencent Cloud ---------------------------------------------------------------------------


def tc3_authorization(
    secret_id: str,
    secret_key: str,
    service: str,
    headers: Mapping[str, str],
    payload: bytes,
    timestamp: int,
) -> str:
    """The ``Authorization`` header of Tencent Cloud's signature v3 (``TC3-HMAC-SHA256``), POST
    to ``/``: every header given is signed (``content-type``, ``host``, ``x-tc-action``)."""
    names = sorted(name.lower() for name in headers)
    lowered = {name.lower(): value.strip().lower() for name, value in headers.items()}
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            "".join(f"{name}:{lowered[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{day}/{service}/tc3_request"
    to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n" + hashlib.sha256(canonical.encode()).hexdigest()
    )
    key = ("TC3" + secret_key).encode()
    for part in (day, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )


class TencentSms(_Provider):
    """``SendSms`` of API 3.0 (version 2021-01-11), signature v3 (``TC3-HMAC-SHA256``)."""

    name = "tencent"
    default_endpoint = "https://sms.tencentcloudapi.com"
    required = ("app_id",)
    # Throttling (the API's, the per-number limits) and the platform's own failures.
    TRANSIENT_PREFIXES = ("RequestLimitExceeded", "LimitExceeded", "InternalError")

    async def send(self, phone: str, sms: Sms) -> str:
        template, params = self.templates.resolve(sms)
        request = {
            "PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}"],
            "SmsSdkAppId": self.settings.sms_app_id,
            "SignName": self.settings.sms_sign_name,
            "TemplateId": template,
            "TemplateParamSet": [value for _, value in params],
            "SessionContext": sms.ref,
        }
        body = json.dumps(request, ensure_ascii=False).encode()
        timestamp = int(datetime.now(UTC).timestamp())
        signed = {
            "content-type": "application/json; charset=utf-8",
            "host": self.host,
            "x-tc-action": "SendSms",
        }
        headers = signed | {
            "x-tc-version": "2021-01-11",
            "x-tc-timestamp": str(timestamp),
            "x-tc-region": self.settings.sms_region,
            "authorization": tc3_authorization(
                self.settings.sms_access_key_id,
                self.settings.sms_access_key_secret,
                "sms",
                signed,
                body,
                timestamp,
            ),
        }
        response = await self.post(headers, body)
        answer = _json(response).get("Response", {})
        error = answer.get("Error") or {}
        statuses = answer.get("SendStatusSet") or [{}]
        code = str(error.get("Code") or statuses[0].get("Code") or "")
        if response.status_code == 200 and code == "Ok":
            return self.accepted(sms, str(statuses[0].get("SerialNo", "")))
        transient = response.status_code >= 500 or code.startswith(self.TRANSIENT_PREFIXES)
        raise self.failed(code or "no code", response.status_code, transient)


def _json(response: httpx.Response) -> dict:
    """The answer's JSON object; an empty one for anything else (a proxy's HTML error page)."""
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


PROVIDERS = {"aliyun": AliyunSms, "tencent": TencentSms}
