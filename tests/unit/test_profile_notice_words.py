"""The exact words of the security and profile-review messages: a code for a new phone or
email, the warning to the old contact after a change, and each step of a review."""

from registry.profile_notices import code_message, mask_email, review_message, security_message
from registry.reviews import ReviewEvent, ReviewKind
from registry.security import ContactCodePurpose, SecurityEventKind


def test_an_email_is_masked_to_its_first_character_and_its_domain():
    assert mask_email("dr.zhang@hospital.example.cn") == "d***@hospital.example.cn"
    assert mask_email("li@ereg.example") == "l***@ereg.example"


def test_a_phone_change_code_says_what_it_is_for_and_how_long_it_works():
    subject, body = code_message(ContactCodePurpose.phone_change, "482913")
    assert subject == "更换手机号 / Change of phone"
    assert body == (
        "【医师电子化注册】您正在将账户手机号更换为本号码，验证码为 482913，5 分钟内有效。"
        "请勿告诉他人。\n"
        "You are changing your account's phone to this number. Code 482913, valid for 5 "
        "minutes. Do not share it."
    )


def test_a_password_reset_code_tells_a_stranger_to_ignore_it():
    subject, body = code_message(ContactCodePurpose.password_reset, "000731")
    assert subject == "找回密码 / Password reset"
    assert body == (
        "【医师电子化注册】您正在找回密码，验证码为 000731，5 分钟内有效。如非本人操作，"
        "请忽略本消息。\n"
        "You asked to reset your password. Code 000731, valid for 5 minutes. If this was not "
        "you, ignore this message."
    )


def test_the_old_phone_hears_of_a_change_with_what_to_do_if_it_was_not_the_owner():
    subject, body = security_message(
        SecurityEventKind.phone_changed, last4="6789", masked="d***@example.com"
    )
    assert subject == "手机号已更换 / Phone changed"
    assert body == (
        "【医师电子化注册】您的账户手机号已更换为尾号 6789 的号码。"
        "如非本人操作，请立即找回密码并联系您的医疗机构。\n"
        "Your account's phone was changed to the number ending in 6789. "
        "If this was not you, reset your password now and contact your institution."
    )


def test_the_old_email_hears_of_a_change_to_a_masked_address():
    _, body = security_message(SecurityEventKind.email_changed, last4="6789", masked="n***@x.cn")
    assert body == (
        "【医师电子化注册】您的账户安全邮箱已更换为 n***@x.cn。"
        "如非本人操作，请立即找回密码并联系您的医疗机构。\n"
        "Your account's security email was changed to n***@x.cn. "
        "If this was not you, reset your password now and contact your institution."
    )


def test_a_submitted_change_asks_the_institution_to_decide_by_the_deadline():
    subject, body = review_message(
        ReviewEvent.submitted,
        ReviewKind.personal_info,
        {"review_id": "17", "deadline": "2027-02-15"},
    )
    assert subject == "个人信息变更审核 / Personal information change review"
    assert body == (
        "【医师电子化注册】医师提交了个人信息变更（审核编号 17），请在2027-02-15前审核。\n"
        "A physician submitted a personal information change (review 17); decide it by "
        "2027-02-15."
    )


def test_a_rejected_photo_gives_the_physician_the_reason():
    subject, body = review_message(
        ReviewEvent.rejected, ReviewKind.photo, {"review_id": "8", "comment": "背景不是白色"}
    )
    assert subject == "照片审核 / Photo review"
    assert body == (
        "【医师电子化注册】您的照片（审核编号 8）未通过医疗机构审核。理由：背景不是白色\n"
        "Your photo (review 8) was rejected by the institution. Reason: 背景不是白色"
    )


def test_an_ended_review_names_the_application_that_ended_it():
    _, body = review_message(
        ReviewEvent.ended, ReviewKind.photo, {"review_id": "3", "application_no": "20270101000009"}
    )
    zh, en = body.split("\n")
    assert zh == (
        "【医师电子化注册】照片（审核编号 3）已终止：业务申请 20270101000009 办结后，该医疗机构"
        "已不是医师的主要执业机构。如仍需变更，请医师向现在的主要执业机构重新提交。"
    )
    assert en.startswith("The photo (review 3) has ended: after application 20270101000009 was ")


def test_fields_left_out_of_a_review_notice_read_as_a_dash():
    _, rejected = review_message(ReviewEvent.rejected, ReviewKind.photo, {"review_id": "8"})
    assert rejected.endswith(
        "理由：—\nYour photo (review 8) was rejected by the institution. Reason: —"
    )
    _, reminder = review_message(ReviewEvent.reminder, ReviewKind.photo, {"review_id": "8"})
    assert reminder == (
        "【医师电子化注册】照片（审核编号 8）将于—到期，请及时审核。\n"
        "The photo (review 8) is due by —; please decide it."
    )
    _, ended = review_message(ReviewEvent.ended, ReviewKind.photo, {"review_id": "8"})
    assert "业务申请 — 办结后" in ended and "after application — was completed" in ended
