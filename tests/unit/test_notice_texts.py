"""Every notice a workflow can send has its words in Chinese and English, and a missing text
fails its activity at once rather than retrying forever."""

import pytest
from temporalio.exceptions import ApplicationError

from activities.messaging import worded
from registry.activation import CodePurpose, Notice
from registry.application_types import TYPE_NAMES, ApplicationType, NoticeEvent
from registry.notices import SIGNATURE, application_message, code_message, notice_message
from registry.profile_notices import review_message
from registry.reviews import ReviewEvent, ReviewKind

PARAMS = {
    "comment": "材料不实",
    "comment_zh": "材料不实",
    "comment_en": "false documents",
    "deadline": "2027-01-31",
    "certificate_no": "110432026000001",
    "commission": "湖南省卫生健康委员会",
    "address_zh": "长沙市湘雅路30号",
    "address_en": "30 Xiangya Road, Changsha",
    "application_no": "20270101000001",
}


def _two_lines(body: str) -> tuple[str, str]:
    zh, en = body.split("\n")
    assert zh.startswith(SIGNATURE)
    assert "{" not in body and "}" not in body, body  # every field filled
    return zh, en


@pytest.mark.parametrize("event", list(NoticeEvent))
def test_every_application_event_is_worded_in_both_languages(event):
    subject, body = application_message(
        event, TYPE_NAMES[ApplicationType.registration], "20270101000001", PARAMS
    )
    zh, en = _two_lines(body)
    assert "注册申请（20270101000001）" in zh
    assert en.startswith("Registration application 20270101000001 ")
    assert len(en) > len("Registration application 20270101000001 ") + 5
    assert "/" in subject


@pytest.mark.parametrize("event", list(ReviewEvent))
@pytest.mark.parametrize("kind", list(ReviewKind))
def test_every_review_event_is_worded_in_both_languages(event, kind):
    _, body = review_message(event, kind, {"review_id": "7"} | PARAMS)
    zh, en = _two_lines(body)
    assert zh.strip() != SIGNATURE and en.strip()


@pytest.mark.parametrize("notice", list(Notice))
def test_every_activation_notice_is_worded_in_both_languages(notice):
    _, body = notice_message(notice)
    _two_lines(body)


@pytest.mark.parametrize("purpose", list(CodePurpose))
def test_every_code_message_carries_the_code_in_both_languages(purpose):
    _, body = code_message(purpose, "123456")
    zh, en = _two_lines(body)
    assert "123456" in zh and "123456" in en


def test_a_text_missing_fails_the_activity_without_retrying():
    with pytest.raises(ApplicationError) as failed:
        worded(application_message, "no_such_event", ("注册", "Registration"), "1", {})
    assert failed.value.non_retryable
    assert failed.value.type == "MessageTextMissing"
