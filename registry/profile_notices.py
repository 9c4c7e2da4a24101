"""What physicians and staff receive about security settings and profile reviews.

Chinese first, then an English line, as every message of ereg. A change of password, phone or
email is told to the old contact as well: if someone else made it, the owner hears of it.
"""

from registry.activation import VERIFICATION_CODE_TTL
from registry.notices import SIGNATURE
from registry.reviews import KIND_NAMES, ReviewEvent, ReviewKind
from registry.security import ContactCodePurpose, SecurityEventKind

_NOT_YOU = (
    "如非本人操作，请立即找回密码并联系您的医疗机构。",
    "If this was not you, reset your password now and contact your institution.",
)

_CODE_TEXT: dict[ContactCodePurpose, tuple[str, str, str]] = {
    ContactCodePurpose.phone_change: (
        "更换手机号 / Change of phone",
        "您正在将账户手机号更换为本号码，验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。",
        "You are changing your account's phone to this number. Code {code}, valid for "
        "{minutes} minutes. Do not share it.",
    ),
    ContactCodePurpose.email_change: (
        "更换安全邮箱 / Change of security email",
        "您正在将账户安全邮箱更换为本邮箱，验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。",
        "You are changing your account's security email to this address. Code {code}, valid "
        "for {minutes} minutes. Do not share it.",
    ),
    ContactCodePurpose.password_reset: (
        "找回密码 / Password reset",
        "您正在找回密码，验证码为 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本消息。",
        "You asked to reset your password. Code {code}, valid for {minutes} minutes. If this "
        "was not you, ignore this message.",
    ),
}

_SECURITY_TEXT: dict[SecurityEventKind, tuple[str, str, str]] = {
    SecurityEventKind.password_changed: (
        "密码已修改 / Password changed",
        "您的账户密码已修改。",
        "Your account password was changed.",
    ),
    SecurityEventKind.password_reset: (
        "密码已重置 / Password reset",
        "您的账户密码已通过验证码重置。",
        "Your account password was reset with a code.",
    ),
    SecurityEventKind.phone_changed: (
        "手机号已更换 / Phone changed",
        "您的账户手机号已更换为尾号 {last4} 的号码。",
        "Your account's phone was changed to the number ending in {last4}.",
    ),
    SecurityEventKind.email_changed: (
        "安全邮箱已更换 / Security email changed",
        "您的账户安全邮箱已更换为 {masked}。",
        "Your account's security email was changed to {masked}.",
    ),
    SecurityEventKind.signup_attempted: (
        "有人尝试注册 / Sign-up attempt",
        "有人使用您的身份证号码申请注册新账户，未获通过：您已有账户，可直接登录或找回密码。",
        "Someone tried to sign up with your ID number and was refused: you already have an "
        "account; log in or reset your password.",
    ),
}

_REVIEW_TEXT: dict[ReviewEvent, tuple[str, str]] = {
    ReviewEvent.submitted: (
        "医师提交了{kind}（审核编号 {review_id}），请在{deadline}前审核。",
        "a physician submitted a {kind} (review {review_id}); decide it by {deadline}.",
    ),
    ReviewEvent.approved: (
        "您的{kind}（审核编号 {review_id}）已通过医疗机构审核，现已生效。",
        "your {kind} (review {review_id}) was approved by the institution and is in force.",
    ),
    ReviewEvent.rejected: (
        "您的{kind}（审核编号 {review_id}）未通过医疗机构审核。理由：{comment}",
        "your {kind} (review {review_id}) was rejected by the institution. Reason: {comment}",
    ),
    ReviewEvent.expired: (
        "{kind}（审核编号 {review_id}）超过期限未审核，已过期，如需变更请重新提交。",
        "the {kind} (review {review_id}) was not decided in time and expired; submit it again "
        "if still needed.",
    ),
    ReviewEvent.reminder: (
        "{kind}（审核编号 {review_id}）将于{deadline}到期，请及时审核。",
        "the {kind} (review {review_id}) is due by {deadline}; please decide it.",
    ),
    ReviewEvent.withdrawn: (
        "医师已撤回{kind}（审核编号 {review_id}），无需再审核。",
        "the physician withdrew the {kind} (review {review_id}); nothing is left to decide.",
    ),
    ReviewEvent.ended: (
        "{kind}（审核编号 {review_id}）已终止：业务申请 {application_no} 办结后，该医疗机构已不是"
        "医师的主要执业机构。如仍需变更，请医师向现在的主要执业机构重新提交。",
        "the {kind} (review {review_id}) has ended: after application {application_no} was "
        "completed, that institution is no longer the physician's primary institution. To "
        "make the change, the physician submits it again to the current one.",
    ),
}


def mask_email(email: str) -> str:
    """``d***@example.com``: enough for the owner to recognise, little for anyone else."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def code_message(purpose: ContactCodePurpose, code: str) -> tuple[str, str]:
    """(subject, body) of a message carrying a code."""
    subject, zh, en = _CODE_TEXT[purpose]
    values = {"code": code, "minutes": int(VERIFICATION_CODE_TTL.total_seconds() // 60)}
    return subject, f"{SIGNATURE}{zh.format(**values)}\n{en.format(**values)}"


def security_message(event: SecurityEventKind, **params: str) -> tuple[str, str]:
    subject, zh, en = _SECURITY_TEXT[event]
    return subject, (
        f"{SIGNATURE}{zh.format(**params)}{_NOT_YOU[0]}\n{en.format(**params)} {_NOT_YOU[1]}"
    )


def review_message(event: ReviewEvent, kind: ReviewKind, params: dict[str, str]) -> tuple[str, str]:
    kind_zh, kind_en = KIND_NAMES[kind]
    zh, en = _REVIEW_TEXT[event]
    defaults = {"comment": "—", "deadline": "—", "application_no": "—"}
    zh_values = defaults | params | {"kind": kind_zh}
    en_values = defaults | params | {"kind": kind_en}
    subject = f"{kind_zh}审核 / {kind_en.capitalize()} review"
    en_text = en.format(**en_values)
    return subject, f"{SIGNATURE}{zh.format(**zh_values)}\n{en_text[0].upper()}{en_text[1:]}"
