"""The error catalog and the language a message is rendered in."""

import re
import string

import pytest
from starlette.requests import Request

from registry.errors import CATALOG, DomainError
from starter.api.errors import language

HAN = re.compile("[\u3400-\u9fff]")
CODES = sorted(CATALOG)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_a_status_and_both_messages(code):
    status, zh, en = CATALOG[code]
    assert 400 <= status <= 599
    assert zh.strip() and en.strip()
    assert HAN.search(zh), "the zh message should be Chinese"
    assert not HAN.search(en), "the en message should not be Chinese"
    assert fields(zh) == fields(en)
    assert all(name.isidentifier() for name in fields(zh))
    assert re.fullmatch(r"[a-z_]+", code)


@pytest.mark.parametrize("code", CODES)
def test_every_message_renders_with_its_params(code):
    params = {name: "P4RAM" for name in fields(CATALOG[code][1])}
    error = DomainError(code, params)
    assert error.status == CATALOG[code][0]
    for lang in ("zh", "en"):
        text = error.message(lang)
        assert "{" not in text and "}" not in text
        assert text.count("P4RAM") == len(params)


def test_message_defaults_to_chinese():
    error = DomainError("resend_too_soon", {"retry_after": 42})
    assert error.message() == "验证码已发送，请42秒后再试。"
    assert error.message("zh") == error.message()
    assert error.message("fr") == error.message()
    assert error.message("en") == "A code was just sent; try again in 42 s."


def test_message_without_its_params_still_renders():
    # A missing parameter must not turn a 4xx into a crash; the template is shown instead.
    assert DomainError("code_incorrect").message("en") == CATALOG["code_incorrect"][2]
    assert DomainError("code_incorrect").message() == CATALOG["code_incorrect"][1]


def test_unknown_code_is_a_programming_error():
    with pytest.raises(KeyError):
        DomainError("no_such_code")


def test_domain_error_is_an_exception_carrying_its_code():
    error = DomainError("forbidden")
    assert isinstance(error, Exception)
    assert str(error) == "forbidden"
    assert error.params == {}
    assert error.status == 403
    with pytest.raises(DomainError) as info:
        raise DomainError("institution_not_found")
    assert info.value.status == 404
    assert info.value.message("en") == "No institution has this code; check it."


@pytest.mark.parametrize(
    "code, status",
    [
        ("not_authenticated", 401),
        ("forbidden", 403),
        ("not_found", 404),
        ("username_taken", 409),
        ("id_number_taken", 409),
        ("resend_too_soon", 429),
        ("code_expired", 410),
        ("internal_error", 500),
        ("service_unavailable", 503),
    ],
)
def test_statuses_clients_rely_on(code, status):
    assert DomainError(code).status == status


def request(accept_language: str | None) -> Request:
    headers = [] if accept_language is None else [(b"accept-language", accept_language.encode())]
    return Request({"type": "http", "headers": headers})


@pytest.mark.parametrize(
    "header, lang",
    [
        ("en-US,en;q=0.9", "en"),
        ("en", "en"),
        ("EN-gb", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en;q=0.5, zh;q=0.9", "zh"),
        ("zh;q=0.5, en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.8,zh;q=0.7", "en"),
        ("fr-FR,fr;q=0.9,zh;q=0.8,en;q=0.7", "zh"),
        ("en;q=0.8, zh", "zh"),  # no q means 1
        ("zh-TW", "zh"),
        (None, "zh"),
        ("", "zh"),
        ("fr", "zh"),
        ("*", "zh"),
        ("en;q=abc, zh;q=0.1", "zh"),  # an unreadable weight counts as 0
        (",,;", "zh"),
    ],
)
def test_language_follows_accept_language(header, lang):
    assert language(request(header)) == lang


@pytest.mark.parametrize("header", ["zh;q=0.9, en; q=0.5", "zh;q=0.9, en;Q=0.5"])
def test_language_reads_weights_written_with_spaces_or_capitals(header):
    assert language(request(header)) == "zh"
