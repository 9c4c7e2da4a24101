"""The text of the messages that carry a code: what the phone and the inbox show."""

from registry.activation import CodePurpose
from registry.notices import code_message


def test_a_verification_code_says_how_long_it_works():
    subject, body = code_message(CodePurpose.verification, "123456")
    assert subject == "验证码 / Verification code"
    assert body == (
        "【医师电子化注册】您的验证码为 123456，5 分钟内有效。请勿告诉他人。\n"
        "Your verification code is 123456, valid for 5 minutes. Do not share it."
    )


def test_an_activation_code_says_who_sent_it_and_for_how_long():
    subject, body = code_message(CodePurpose.activation, "654321")
    assert subject == "账户激活码 / Activation code"
    assert "激活码 654321，7 天内有效" in body and "valid for 7 days" in body
