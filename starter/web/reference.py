"""Reference data as the pages show it: the 32 portals, the businesses in words, categories and
scopes.

TODO(#13): when ``starter/services/reference.py`` lands, take ``portals()``,
``business_list()``, ``categories()``/``scopes_of()`` and ``place_name()`` from it; until then
these read ``registry/reference.py`` and ``registry/application_types.py``.
"""

from dataclasses import dataclass

from registry.application_types import OFFLINE_ONLY, OFFLINE_WHERE, TYPE_NAMES, ApplicationType
from registry.reference import CATEGORY_NAMES, PORTAL_DIVISIONS, SCOPES


@dataclass(frozen=True)
class Business:
    code: str
    name: tuple[str, str]
    summary: tuple[str, str]
    warning: tuple[str, str] | None = None
    online: bool = True


_TRANSFER_WARNING = (
    "办结后，您在地方的全部执业注册失效，全部备案终止。",
    "Once completed, every local registration of yours becomes invalid and every filing ends.",
)


def portals() -> list[tuple[str, tuple[str, str]]]:
    """The guide's 32 portals: the nation, then the 31 provincial-level divisions."""
    return list(PORTAL_DIVISIONS.items())


def businesses() -> tuple[list[Business], list[Business]]:
    online = [
        Business(
            type_.value,
            names,
            ("", ""),
            _TRANSFER_WARNING if type_ == ApplicationType.transfer_to_military else None,
        )
        for type_, names in TYPE_NAMES.items()
    ]
    offline = [
        Business(code, names, OFFLINE_WHERE, online=False) for code, names in OFFLINE_ONLY.items()
    ]
    return online, offline


def categories() -> list[tuple[str, tuple[str, str]]]:
    return [(category.value, names) for category, names in CATEGORY_NAMES.items()]


def scopes_of(category: str) -> tuple[str, ...]:
    return next((scopes for c, scopes in SCOPES.items() if c.value == category), ())


def category_name(category: str | None, lang: str) -> str:
    names = next((n for c, n in CATEGORY_NAMES.items() if c.value == category), None)
    return names[lang == "en"] if names else (category or "")
