"""Errors a user can cause, each with a stable code, an HTTP status and a message in zh and en.

The code is the contract for clients; the messages are for people. Every rule in ``registry``
raises :class:`DomainError`, and the API renders it in the caller's language.
"""

from dataclasses import dataclass, field
from typing import Any

# code: (status, zh, en). Messages may use str.format fields from DomainError.params.
CATALOG: dict[str, tuple[int, str, str]] = {
    "invalid_request": (422, "请求内容不正确：{detail}", "The request is not valid: {detail}"),
    "not_authenticated": (401, "请先登录。", "Please log in first."),
    "invalid_credentials": (401, "用户名或密码不正确。", "Wrong username or password."),
    "token_invalid": (401, "登录已失效，请重新登录。", "Your session has expired; log in again."),
    "forbidden": (403, "您无权进行此操作。", "You are not allowed to do this."),
    "not_found": (404, "未找到。", "Not found."),
    "internal_error": (500, "系统繁忙，请稍后再试。", "Something went wrong; please try again."),
    "service_unavailable": (
        503,
        "服务暂时不可用，请稍后再试，已提交的数据不会丢失。",
        "The service is briefly unavailable; try again. Nothing you submitted is lost.",
    ),
    "name_invalid": (
        422,
        "姓名只能包含汉字（少数民族姓名可含间隔号“·”），不能包含字母或数字。",
        "The name must be Chinese characters only (a middle dot '·' is allowed), "
        "no letters or digits.",
    ),
    "id_number_invalid": (
        422,
        "居民身份证号码不正确：{reason}",
        "The resident ID number is not valid: {reason}",
    ),
    "phone_invalid": (
        422,
        "手机号码格式不正确，请输入11位中国大陆手机号。",
        "The phone number is not a valid mainland China mobile number.",
    ),
    "email_invalid": (422, "电子邮箱格式不正确。", "The email address is not valid."),
    "username_invalid": (
        422,
        "用户名须为4–32位字母、数字、下划线、点或连字符。",
        "The username must be 4–32 letters, digits, '_', '.' or '-'.",
    ),
    "password_weak": (
        422,
        "密码须为8–128位，且同时包含字母和数字。",
        "The password must be 8–128 characters with both letters and digits.",
    ),
    "username_taken": (409, "该用户名已被使用。", "This username is already taken."),
    "id_number_taken": (
        409,
        "该身份证号码已注册账户，请直接登录或找回密码。",
        "An account with this ID number exists; log in or reset the password.",
    ),
    "institution_not_found": (
        404,
        "未找到该医疗机构：{institution_code}",
        "No institution with code {institution_code}.",
    ),
    "institution_required": (
        422,
        "未找到您的执业注册信息，请选择主要执业机构。",
        "No practice registration was found for you; choose your primary institution.",
    ),
    "commission_not_found": (
        404,
        "未找到该卫生健康委：{commission_code}",
        "No commission with code {commission_code}.",
    ),
    "wrong_state": (
        409,
        "当前状态（{state}）不能进行此操作。",
        "This cannot be done in the current state ({state}).",
    ),
    "not_physician": (403, "仅医师本人可进行此操作。", "Only the physician can do this."),
    "wrong_institution": (
        403,
        "该医师的主要执业机构不是您所在的机构。",
        "This physician's primary institution is not yours.",
    ),
    "resend_too_soon": (
        429,
        "验证码已发送，请{retry_after}秒后再试。",
        "A code was just sent; try again in {retry_after} s.",
    ),
    "code_locked": (
        429,
        "错误次数过多，验证已锁定，请{retry_after}秒后再试。",
        "Too many wrong codes; verification is locked for {retry_after} s.",
    ),
    "code_not_sent": (
        409,
        "请先获取验证码。",
        "No code has been sent yet; request one first.",
    ),
    "code_expired": (
        410,
        "验证码已过期，请重新获取。",
        "The code has expired; request a new one.",
    ),
    "code_incorrect": (
        400,
        "验证码不正确，还可尝试{attempts_left}次。",
        "Wrong code; {attempts_left} tries left.",
    ),
    "code_format": (422, "验证码为6位数字。", "The code is 6 digits."),
    "activation_not_found": (
        404,
        "未找到进行中的激活流程。",
        "No activation is in progress for this account.",
    ),
    "activation_in_progress": (
        409,
        "激活流程仍在进行中，无需重新开始。",
        "The activation is still in progress; there is nothing to restart.",
    ),
}

# Stable codes for the ``reason`` parameter, rendered in the caller's language.
REASONS: dict[str, tuple[str, str]] = {
    "id_format": ("应为18位，最后一位为数字或X", "it must be 18 characters, the last a digit or X"),
    "id_province": ("省级行政区划代码不存在", "the province code does not exist"),
    "id_birth_date": ("出生日期不存在", "the birth date does not exist"),
    "id_birth_range": ("出生日期不在有效范围内", "the birth date is out of range"),
    "id_check_character": ("校验码不正确", "the check character is wrong"),
}


@dataclass
class DomainError(Exception):
    """A rule the caller broke; rendered as ``{"code", "message", **params}``."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CATALOG:
            raise KeyError(f"unknown error code {self.code}")
        super().__init__(self.code)

    @property
    def status(self) -> int:
        return CATALOG[self.code][0]

    def message(self, lang: str = "zh") -> str:
        _, zh, en = CATALOG[self.code]
        english = lang == "en"
        params = dict(self.params)
        if params.get("reason") in REASONS:
            params["reason"] = REASONS[params["reason"]][english]
        try:
            return (en if english else zh).format(**params)
        except (KeyError, IndexError):
            return en if english else zh
