"""The exact words of a notice about an application step, as the phone and the inbox show them.

A physician and an institution read these; a field left out must say "—" rather than a stray
placeholder, and a reason written in both languages must reach each line in its own language.
"""

from registry.application_types import TYPE_NAMES, ApplicationType, NoticeEvent
from registry.notices import application_message

CHANGE = TYPE_NAMES[ApplicationType.change]  # ("变更", "Change")
NO = "20270101000042"


def test_the_subject_names_the_type_in_each_language_and_the_number():
    subject, _ = application_message(NoticeEvent.submitted, CHANGE, NO, {})
    assert subject == "变更申请 20270101000042 / Change application"


def test_a_confirmed_application_says_where_and_by_when_to_bring_the_papers():
    subject, body = application_message(
        NoticeEvent.institution_approved,
        CHANGE,
        NO,
        {
            "deadline": "2027-01-31",
            "commission": "湖南省卫生健康委员会",
            "address_zh": "长沙市湘雅路30号",
            "address_en": "30 Xiangya Road, Changsha",
        },
    )
    assert body == (
        "【医师电子化注册】变更申请（20270101000042）已经医疗机构确认，请在2027-01-31前携带纸质"
        "材料到湖南省卫生健康委员会（长沙市湘雅路30号）现场办理。\n"
        "Change application 20270101000042 was confirmed by the institution; bring the paper "
        "documents in person to 湖南省卫生健康委员会 (30 Xiangya Road, Changsha) by 2027-01-31."
    )


def test_a_reason_written_in_both_languages_reaches_each_line_in_its_own():
    _, body = application_message(
        NoticeEvent.documents_returned,
        CHANGE,
        NO,
        {
            "comment": "原始意见",
            "comment_zh": "缺少体检证明",
            "comment_en": "the health certificate is missing",
            "commission": "武冈市卫生健康局",
            "address_zh": "武冈市政务服务中心",
            "address_en": "Wugang Government Service Centre",
        },
    )
    zh, en = body.split("\n")
    assert zh == (
        "【医师电子化注册】变更申请（20270101000042）纸质材料核验未通过，已退回补正（缺少体检"
        "证明）。请重新提交，并携带补齐的材料到武冈市卫生健康局（武冈市政务服务中心）现场办理。"
    )
    assert en == (
        "Change application 20270101000042 was returned at the paper check (the health "
        "certificate is missing); resubmit it and bring what is missing in person to "
        "武冈市卫生健康局 (Wugang Government Service Centre)."
    )
    assert "原始意见" not in body


def test_a_reason_given_once_is_read_on_both_lines():
    _, body = application_message(
        NoticeEvent.rejected, CHANGE, NO, {"comment": "材料不实 / false documents"}
    )
    assert body == (
        "【医师电子化注册】变更申请（20270101000042）不予通过。理由：材料不实 / false documents\n"
        "Change application 20270101000042 was refused. Reason: 材料不实 / false documents"
    )


def test_a_reason_in_one_language_only_leaves_the_other_line_the_common_one():
    _, body = application_message(
        NoticeEvent.returned, CHANGE, NO, {"comment": "请补正", "comment_en": "correct it"}
    )
    zh, en = body.split("\n")
    assert zh.endswith("已退回补正，请修改后重新提交。理由：请补正")
    assert en.endswith("was returned for correction; resubmit it. Reason: correct it")


def test_every_field_left_out_reads_as_a_dash():
    _, incomplete = application_message(NoticeEvent.documents_incomplete, CHANGE, NO, {})
    assert incomplete == (
        "【医师电子化注册】变更申请（20270101000042）纸质材料不齐全（—），请补齐后到—（—）现场办理。\n"
        "Change application 20270101000042 the paper documents are incomplete (—); bring the "
        "rest in person to — (—)."
    )
    _, approved = application_message(NoticeEvent.institution_approved, CHANGE, NO, {})
    assert approved.split("\n")[0].endswith("请在—前携带纸质材料到—（—）现场办理。")
    assert approved.split("\n")[1].endswith("in person to — (—) by —.")
    _, completed = application_message(NoticeEvent.completed, CHANGE, NO, {})
    assert completed == (
        "【医师电子化注册】变更申请（20270101000042）已办结。执业证书编码：—\n"
        "Change application 20270101000042 is completed. Certificate number: —"
    )


def test_a_completion_names_the_certificate_number():
    _, body = application_message(
        NoticeEvent.completed,
        TYPE_NAMES[ApplicationType.registration],
        NO,
        {"certificate_no": "110432026000001"},
    )
    assert body == (
        "【医师电子化注册】注册申请（20270101000042）已办结。执业证书编码：110432026000001\n"
        "Registration application 20270101000042 is completed. Certificate number: "
        "110432026000001"
    )
