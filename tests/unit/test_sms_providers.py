"""SMS through Alibaba Cloud and Tencent Cloud, against local stubs that speak their protocols.

The stubs (``tests/sms_stubs.py``) run on loopback, check each request's signature as the
providers document it and answer as they do; what a stub accepts is rendered as the phone would
show it. The signing functions are also held to the worked examples the providers publish.
"""

import hashlib
import logging

import pytest
from sqlalchemy import select
from temporalio.testing import ActivityEnvironment

from activities.activation import ActivationActivities
from activities.messaging import (
    Deliverer,
    DeliveryRefused,
    DevSmsGateway,
    Sms,
    SmsUnavailable,
    mailer,
    sms_gateway,
)
from activities.sms import AliyunSms, acs3_authorization, tc3_authorization
from registry.activation import Channel, CodeDelivery, CodePurpose
from registry.codes import code_digest
from registry.db import session_scope
from registry.models import Account, Delivery
from registry.settings import Settings, SmsTemplate
from tests import sms_stubs
from tests.unit.test_deliveries import EMAIL, PHONE, FlakyMailer, activity_env, received

ALIYUN_TEMPLATES = {
    "code": {"id": "SMS_100001", "params": ["code"]},
    "notice": {"id": "SMS_100002"},
    "application.completed": {
        "id": "SMS_100003",
        "params": ["application_no", "certificate_no"],
    },
}
TENCENT_TEMPLATES = {
    "code": {"id": "1100001", "params": ["code"]},
    "notice": {"id": "1100002"},
    "application.completed": {"id": "1100003", "params": ["application_no", "certificate_no"]},
}


def provider_settings(settings, stub, provider: str, **overrides):
    values = {
        "sms_gateway": provider,
        "sms_endpoint": stub.url,
        "sms_access_key_id": sms_stubs.KEY_ID,
        "sms_access_key_secret": sms_stubs.KEY_SECRET,
        "sms_sign_name": sms_stubs.SIGN_NAME,
        "sms_app_id": sms_stubs.TENCENT_APP_ID,
    }
    templates = ALIYUN_TEMPLATES if provider == "aliyun" else TENCENT_TEMPLATES
    values["sms_templates"] = {key: SmsTemplate(**value) for key, value in templates.items()}
    return settings.model_copy(update=values | overrides)


@pytest.fixture(params=["aliyun", "tencent"])
async def provider(request, settings):
    """(stub, settings sending SMS through it), once for each provider."""
    async with sms_stubs.serve(request.param) as stub:
        yield stub, provider_settings(settings, stub, request.param)


def code_sms(code: str = "493027") -> Sms:
    return Sms(
        f"【医师电子化注册】您的验证码为 {code}", "code.verification", {"code": code}, "ref1"
    )


# --- the signatures, held to the providers' published examples ---------------------------------


def test_alibaba_signature_matches_the_documented_example():
    """Alibaba Cloud, "Request syntax and signature method V3", the worked example."""
    headers = {
        "host": "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-version": "2014-05-26",
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
    }
    query = {
        "ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
        "RegionId": "cn-shanghai",
    }
    assert acs3_authorization(
        "YourAccessKeyId", "YourAccessKeySecret", "POST", query, headers, b""
    ) == (
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;"
        "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
        "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    )


def test_tencent_signature_matches_the_documented_example():
    """Tencent Cloud API 3.0, "Signature v3", the worked example (its masked keys as given)."""
    payload = (
        b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    )
    headers = {
        "content-type": "application/json; charset=utf-8",
        "host": "cvm.tencentcloudapi.com",
        "x-tc-action": "DescribeInstances",
    }
    assert tc3_authorization("AKID" + "*" * 32, "*" * 32, "cvm", headers, payload, 1551113065) == (
        "TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/"
        "tc3_request, SignedHeaders=content-type;host;x-tc-action, "
        "Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"
    )


# --- sending -----------------------------------------------------------------------------------


async def test_a_code_arrives_in_the_approved_template(provider):
    stub, settings = provider
    gateway = sms_gateway(settings)
    provider_id = await gateway.send(PHONE, code_sms("493027"))
    [sms] = stub.received
    assert sms.text == "【医师电子化注册】您的验证码为493027，5分钟内有效，请勿泄露。"
    assert sms.phone.endswith(PHONE) and sms.ref == "ref1"
    assert provider_id and stub.refused_signatures == 0


async def test_a_notice_without_a_template_of_its_own_uses_the_general_one(provider):
    stub, settings = provider
    gateway = sms_gateway(settings)
    await gateway.send(PHONE, Sms("…", "review.approved", {"review_id": "12"}))
    await gateway.send(
        PHONE,
        Sms("…", "application.completed", {"application_no": "A1", "certificate_no": "C2"}),
    )
    assert [sms.text for sms in stub.received] == [
        "【医师电子化注册】您在医师电子化注册系统有一条新消息，请登录查看。",
        "【医师电子化注册】您的申请A1已办结，执业证书编码C2。",
    ]


async def test_a_wrong_secret_is_refused_for_good(provider):
    stub, settings = provider
    gateway = sms_gateway(settings.model_copy(update={"sms_access_key_secret": "wrong"}))
    with pytest.raises(DeliveryRefused, match="Signature"):
        await gateway.send(PHONE, code_sms())
    assert stub.refused_signatures == 1 and stub.received == []


async def test_a_bad_number_or_an_unapproved_template_is_refused_for_good(provider):
    stub, settings = provider
    gateway = sms_gateway(settings)
    with pytest.raises(DeliveryRefused, match="(?i)phone|mobile"):
        await gateway.send("12345", code_sms())
    templates = dict(settings.sms_templates)
    templates["code"] = templates["code"].model_copy(update={"id": "SMS_0"})
    gateway = sms_gateway(settings.model_copy(update={"sms_templates": templates}))
    with pytest.raises(DeliveryRefused, match="(?i)template"):
        await gateway.send(PHONE, code_sms())
    assert stub.received == []


async def test_throttling_and_outages_are_tried_again(provider):
    stub, settings = provider
    gateway = sms_gateway(settings)
    throttled = "Throttling.User" if isinstance(gateway, AliyunSms) else "RequestLimitExceeded"
    stub.fail_next((503, "ServiceUnavailable"), (400, throttled))
    for _ in range(2):
        with pytest.raises(SmsUnavailable):
            await gateway.send(PHONE, code_sms())
    await gateway.send(PHONE, code_sms())
    assert len(stub.received) == 1


async def test_a_provider_that_cannot_be_reached_is_tried_again(settings):
    async with sms_stubs.serve("aliyun") as stub:
        configured = provider_settings(settings, stub, "aliyun")
    gateway = sms_gateway(configured)  # the stub is gone: connection refused
    with pytest.raises(SmsUnavailable):
        await gateway.send(PHONE, code_sms())


def test_a_provider_missing_a_setting_stops_the_worker_at_start(settings):
    configured = settings.model_copy(
        update={"sms_gateway": "tencent", "sms_access_key_id": "x", "sms_templates": {}}
    )
    with pytest.raises(ValueError) as error:
        sms_gateway(configured)
    message = str(error.value)
    for name in ("EREG_SMS_ACCESS_KEY_SECRET", "EREG_SMS_SIGN_NAME", "EREG_SMS_APP_ID"):
        assert name in message
    assert "EREG_SMS_TEMPLATES['code']" in message
    assert "EREG_SMS_ACCESS_KEY_ID" not in message  # the one that is set


# --- through the delivery log, inside activities ---------------------------------------------


async def test_a_retried_activity_sends_the_sms_once(provider, sink):
    """The SMS went, the SMTP server was down: the retry sends the email, not the SMS again."""
    stub, settings = provider
    deliverer = Deliverer(
        settings.database_url, sms_gateway(settings), FlakyMailer(settings.smtp_port, 1), "s"
    )

    async def notice() -> None:
        await deliverer.sms(PHONE, "…", "application.submitted", {"application_no": "A1"})
        await deliverer.email(EMAIL, "ereg", "您的申请已提交")

    env = activity_env()
    with pytest.raises(ConnectionRefusedError):
        await env.run(notice)
    await env.run(notice)
    await env.run(notice)
    assert len(stub.received) == 1
    assert len(await received(settings, "email", EMAIL)) == 1


async def test_a_refused_sms_is_not_retried_and_the_email_still_goes(provider, sink, caplog):
    stub, settings = provider
    deliverer = Deliverer(
        settings.database_url, sms_gateway(settings), FlakyMailer(settings.smtp_port), "s"
    )

    async def notice() -> list[bool]:
        return [
            await deliverer.sms("12345", "…", "application.submitted"),
            await deliverer.email(EMAIL, "ereg", "您的申请已提交"),
        ]

    env = activity_env()
    with caplog.at_level(logging.INFO):
        assert await env.run(notice) == [False, True]
        assert await env.run(notice) == [False, False]  # retried: neither is sent again
    assert stub.requests == 1 and stub.received == []
    assert len(await received(settings, "email", EMAIL)) == 1
    [refusal] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "sms not delivered, workflow application-2026010100001 activity 7" in refusal.message
    async with session_scope(settings.database_url) as session:
        assert {d.channel for d in await session.scalars(select(Delivery))} == {"sms", "email"}


async def test_no_phone_number_or_code_reaches_the_log(provider, caplog):
    stub, settings = provider
    gateway = sms_gateway(settings)
    with caplog.at_level(logging.DEBUG):
        await gateway.send(PHONE, code_sms("493027"))
        with pytest.raises(DeliveryRefused):
            await gateway.send("1391234", code_sms("493027"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "accepted by" in logged
    assert PHONE not in logged and "1391234" not in logged and "493027" not in logged


async def test_the_activation_code_reaches_the_phone_through_the_provider(provider, settings):
    """The real activity: the physician reads the code on the phone, and it is the one the
    workflow will check."""
    stub, configured = provider
    async with session_scope(settings.database_url) as session:
        account = Account(username="sms_doc", password_hash="x", role="physician", phone=PHONE)
        session.add(account)
        await session.flush()
        account_id = account.id
    activities = ActivationActivities(
        configured.database_url, configured.code_secret, sms_gateway(configured), mailer(settings)
    )
    delivery = CodeDelivery(
        account_id=account_id, purpose=CodePurpose.verification, channels=[Channel.sms]
    )
    env = ActivityEnvironment()
    digest = await env.run(activities.send_code, delivery)
    [sms] = stub.received
    code = sms.text.split("验证码为")[1][:6]
    assert digest == code_digest(configured.code_secret, account_id, "verification", code)


def test_the_dev_gateway_needs_no_provider_settings(settings):
    assert isinstance(sms_gateway(settings), DevSmsGateway)


def test_templates_come_from_the_environment_as_json(monkeypatch, tmp_path):
    monkeypatch.setenv(
        "EREG_SMS_TEMPLATES",
        '{"code": {"id": "SMS_1", "params": ["code"]}, "notice": {"id": "SMS_2"}}',
    )
    templates = Settings(_env_file=None, data_dir=tmp_path).sms_templates
    assert templates["code"] == SmsTemplate(id="SMS_1", params=["code"])
    assert templates["notice"].params == []
    monkeypatch.setenv("EREG_SMS_TEMPLATES", "")  # what Compose passes for an unset variable
    assert Settings(_env_file=None, data_dir=tmp_path).sms_templates == {}
