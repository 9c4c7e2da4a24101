"""Every text of the portal in Simplified Chinese and English, in one catalog.

The language is the ``lang`` cookie (set by the switch), else the browser's
``Accept-Language`` (the API's own reading of it), else Chinese. Messages of errors come from
``registry.errors``; texts here are the pages' own words.
"""

from starlette.requests import Request

from starter.api.errors import language as api_language
from starter.web.texts import TEXTS

LANGS = ("zh", "en")
COOKIE = "lang"


def language(request: Request) -> str:
    chosen = request.cookies.get(COOKIE)
    return chosen if chosen in LANGS else api_language(request)


def pick(pair: tuple[str, str], lang: str) -> str:
    """One of a (zh, en) pair, the form every catalog of the project uses."""
    return pair[lang == "en"]


class Translator:
    """``t("key", name=value)`` in templates: the text in the page's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **params) -> str:
        text = pick(TEXTS[key], self.lang)
        return text.format(**params) if params else text
