"""What the physician receives by SMS and email, in Chinese with an English line."""

from registry.activation import ACTIVATION_CODE_TTL, VERIFICATION_CODE_TTL, CodePurpose, Notice

SIGNATURE = "【医师电子化注册】"

_CODE_TEXT = {
    CodePurpose.verification: (
        "您的验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。",
        "Your verification code is {code}, valid for {minutes} minutes. Do not share it.",
    ),
    CodePurpose.activation: (
        "您的主要执业机构已为您发送账户激活码 {code}，{days} 天内有效，请登录后输入。",
        "Your primary institution sent you the activation code {code}, valid for {days} days; "
        "log in and enter it.",
    ),
}

_NOTICE_TEXT = {
    Notice.qualification_found: (
        "您的医师资格信息已到达系统，请登录继续激活账户。",
        "Your qualification record has arrived; log in to continue activating your account.",
    ),
    Notice.activated: (
        "您的账户已激活，现在可以办理执业注册等业务。",
        "Your account is active; you can now file registration applications.",
    ),
    Notice.expired: (
        "您的账户激活流程已过期，请登录后重新开始激活。",
        "Your account activation has expired; log in to start again.",
    ),
}

_SUBJECTS = {
    CodePurpose.verification: "验证码 / Verification code",
    CodePurpose.activation: "账户激活码 / Activation code",
    Notice.qualification_found: "资格信息已到达 / Qualification record arrived",
    Notice.activated: "账户已激活 / Account activated",
    Notice.expired: "激活已过期 / Activation expired",
}


def code_message(purpose: CodePurpose, code: str) -> tuple[str, str]:
    """(subject, body) of the message that carries a code."""
    zh, en = _CODE_TEXT[purpose]
    values = {
        "code": code,
        "minutes": int(VERIFICATION_CODE_TTL.total_seconds() // 60),
        "days": ACTIVATION_CODE_TTL.days,
    }
    return _SUBJECTS[purpose], f"{SIGNATURE}{zh.format(**values)}\n{en.format(**values)}"


def notice_message(notice: Notice) -> tuple[str, str]:
    zh, en = _NOTICE_TEXT[notice]
    return _SUBJECTS[notice], f"{SIGNATURE}{zh}\n{en}"
