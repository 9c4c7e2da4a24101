"""What typed text may hold, as a caller is told it: a request model's field and a form read
without a model are refused for a control, invisible or direction character (a line break only
in a comment), named by field and never by what was typed."""

import pytest
from pydantic import BaseModel, ValidationError

from registry import text
from registry.errors import DomainError
from registry.text import MultilineText, TextInput


class Form(BaseModel):
    name: TextInput
    comment: MultilineText = ""
    count: int = 0


def _refused(**fields) -> DomainError:
    with pytest.raises(ValidationError) as failed:
        Form(**fields)
    return text.refusal(failed.value.errors())


def test_clean_text_passes_untouched_and_a_comment_may_have_several_lines():
    form = Form(name="买买提·艾力 Li-Na 3号", comment="第一行\r\n第二行\t缩进")
    assert (form.name, form.comment) == ("买买提·艾力 Li-Na 3号", "第一行\r\n第二行\t缩进")


@pytest.mark.parametrize("bad", ["张\n伟", "exe\u202etxt", "张\u200b伟", "a\x00b", "a\u2028b"])
def test_a_name_with_a_break_or_a_hidden_character_is_refused_by_field(bad):
    error = _refused(name=bad)
    assert (error.code, error.params) == ("text_invalid", {"detail": "name"})
    assert error.message("en").endswith("remove them and submit again: name")
    assert bad not in error.message("zh")


def test_a_comment_refuses_hidden_characters_but_not_line_breaks():
    error = _refused(name="张伟", comment="第一行\n第二\u202e行")
    assert (error.code, error.params) == ("text_invalid", {"detail": "comment"})


def test_every_refused_text_is_named_once_in_order_and_other_errors_are_left_out():
    error = _refused(name="a\x07", comment="b\x1b", count="many")
    assert (error.code, error.params) == ("text_invalid", {"detail": "comment, name"})


def test_a_request_with_no_text_refused_names_every_bad_field_without_body():
    errors = [
        {"type": "int_parsing", "loc": ("body", "count"), "msg": "", "input": "x"},
        {"type": "missing", "loc": ("body", "name"), "msg": "", "input": {}},
        {"type": "missing", "loc": ("body", "address", "postcode"), "msg": "", "input": {}},
        {"type": "int_parsing", "loc": ("body", "count"), "msg": "", "input": "y"},
    ]
    error = text.refusal(errors)
    assert (error.code, error.params) == (
        "invalid_request",
        {"detail": "address.postcode, count, name"},
    )
    assert error.message("en") == "The request is not valid: address.postcode, count, name"


def test_a_text_refused_inside_the_body_is_named_by_its_path():
    errors = [{"type": "text_invalid", "loc": ("body", "reasons", 0, "zh"), "msg": "", "input": ""}]
    assert text.refusal(errors).params == {"detail": "reasons.0.zh"}


def test_a_form_read_without_a_model_is_checked_field_by_field():
    upload = object()  # a file part: not text, not checked here
    text.check([("name", "张伟"), ("photo", upload), ("comment", "第一行\n第二行")], ["comment"])
    with pytest.raises(DomainError) as failed:
        text.check([("name", "张伟"), ("comment", "第一行\n第二行")])
    assert (failed.value.code, failed.value.params) == ("text_invalid", {"detail": "comment"})
    with pytest.raises(DomainError) as failed:
        text.check([("comment", "ok\n"), ("name", "张\u200b伟")], multiline=iter(["comment"]))
    assert (failed.value.code, failed.value.params) == ("text_invalid", {"detail": "name"})
