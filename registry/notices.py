"""What the physician receives by SMS and email, in Chinese with an English line."""

from registry.activation import ACTIVATION_CODE_TTL, VERIFICATION_CODE_TTL, CodePurpose, Notice
from registry.application_types import NoticeEvent

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


# --- business applications -------------------------------------------------------------------

_APPLICATION_TEXT: dict[NoticeEvent, tuple[str, str]] = {
    NoticeEvent.submitted: (
        "已提交，待医疗机构确认。",
        "was submitted and awaits the institution.",
    ),
    NoticeEvent.filed_by_institution: (
        "已由医疗机构报告（注销注册），请医疗机构在{deadline}前携带纸质材料到{commission}"
        "（{address}）现场办理。",
        "was reported by the institution (cancellation); the institution brings the paper "
        "documents in person to {commission} ({address}) by {deadline}.",
    ),
    NoticeEvent.filed_collectively: (
        "已由您的医疗机构集体办理提交并确认；纸质材料由医疗机构在{deadline}前交到{commission}"
        "（{address}），请配合医疗机构准备。",
        "was filed and confirmed by your institution as part of a collective registration; the "
        "institution brings the paper documents to {commission} ({address}) by {deadline} — "
        "help it prepare them.",
    ),
    NoticeEvent.ex_officio: (
        "已由{commission}依职权启动注销注册程序，待其作出决定。",
        "was opened by {commission} on its own authority (cancellation) and awaits its decision.",
    ),
    NoticeEvent.institution_approved: (
        "已经医疗机构确认，请在{deadline}前携带纸质材料到{commission}（{address}）现场办理。",
        "was confirmed by the institution; bring the paper documents in person to {commission} "
        "({address}) by {deadline}.",
    ),
    NoticeEvent.institution_rejected: (
        "未通过医疗机构确认。理由：{comment}",
        "was not confirmed by the institution. Reason: {comment}",
    ),
    NoticeEvent.returned: (
        "已退回补正，请修改后重新提交。理由：{comment}",
        "was returned for correction; resubmit it. Reason: {comment}",
    ),
    NoticeEvent.resubmitted: (
        "已重新提交，待医疗机构确认。",
        "was resubmitted and awaits the institution.",
    ),
    NoticeEvent.documents_incomplete: (
        "纸质材料不齐全（{comment}），请补齐后到{commission}（{address}）现场办理。",
        "the paper documents are incomplete ({comment}); bring the rest in person to "
        "{commission} ({address}).",
    ),
    NoticeEvent.documents_returned: (
        "纸质材料核验未通过，已退回补正（{comment}）。请重新提交，并携带补齐的材料到{commission}"
        "（{address}）现场办理。",
        "was returned at the paper check ({comment}); resubmit it and bring what is missing in "
        "person to {commission} ({address}).",
    ),
    NoticeEvent.documents_resubmitted: (
        "已重新提交，请在{deadline}前携带补齐的纸质材料到{commission}（{address}）现场办理。",
        "was resubmitted; bring the missing paper documents in person to {commission} "
        "({address}) by {deadline}.",
    ),
    NoticeEvent.documents_accepted: (
        "纸质材料已受理，卫生健康委将在{deadline}前作出决定。",
        "the paper documents were accepted; the commission decides by {deadline}.",
    ),
    NoticeEvent.completed: (
        "已办结。执业证书编码：{certificate_no}",
        "is completed. Certificate number: {certificate_no}",
    ),
    NoticeEvent.rejected: ("不予通过。理由：{comment}", "was refused. Reason: {comment}"),
    NoticeEvent.withdrawn: ("已由申请人撤回。", "was withdrawn by the applicant."),
    NoticeEvent.expired: (
        "已超过办理期限，申请已过期。",
        "expired: its step was not taken in time.",
    ),
    NoticeEvent.reminder: (
        "当前步骤将于{deadline}到期，请及时办理。",
        "its current step is due by {deadline}; please act.",
    ),
    NoticeEvent.overdue: (
        "已超过法定审批期限（{deadline}），请尽快作出决定。",
        "is past its statutory decision deadline ({deadline}); decide it now.",
    ),
}


def application_message(
    event: NoticeEvent, type_names: tuple[str, str], application_no: str, params: dict[str, str]
) -> tuple[str, str]:
    """(subject, body) about one step of an application, Chinese first then English."""
    zh, en = _APPLICATION_TEXT[event]
    values = {"comment": "—", "deadline": "—", "certificate_no": "—", "commission": "—"} | params
    # Written reasons and addresses may come in both languages: each line gets its own.
    zh_values = values | {
        "comment": params.get("comment_zh", values["comment"]),
        "address": params.get("address_zh", "—"),
    }
    en_values = values | {
        "comment": params.get("comment_en", values["comment"]),
        "address": params.get("address_en", "—"),
    }
    subject = f"{type_names[0]}申请 {application_no} / {type_names[1]} application"
    body = (
        f"{SIGNATURE}{type_names[0]}申请（{application_no}）{zh.format(**zh_values)}\n"
        f"{type_names[1]} application {application_no} {en.format(**en_values)}"
    )
    return subject, body
