"""Reference data as the pages show it, from ``starter/services/reference.py`` (the same the
API's ``/reference`` routes serve): the 32 portals, the businesses in words, categories and
scopes, place names."""

from registry import businesses as business_texts
from starter.services import reference

PROCESS = business_texts.PROCESS
category_name = reference.category_name
place_name = reference.place_name


def portals() -> list[tuple[str, tuple[str, str]]]:
    """The guide's 32 portals: the nation, then the 31 provincial-level divisions."""
    return [(p.code, (p.name_zh, p.name_en)) for p in reference.portals()]


def businesses():
    """(the nine online businesses, the four offline-only ones), each with its words."""
    return reference.business_list()


def categories() -> list[tuple[str, tuple[str, str]]]:
    return [(c.code, (c.name_zh, c.name_en)) for c in reference.categories()]


def scopes_of(category: str, lang: str = "zh") -> list[tuple[str, str]]:
    """The scopes of one category only, as (code, name in the reader's language)."""
    return [
        (s.code, s.name_en if lang == "en" else s.name_zh) for s in reference.scopes_of(category)
    ]


def cities_and_counties(province: str, lang: str) -> list[tuple[str, str]]:
    """A province's cities, each followed by its counties (indented), for the picker."""
    out = []
    for city in reference.division_children(province):
        out.append((city.code, city.name(lang)))
        if city.level == "city":
            out += [(c.code, "— " + c.name(lang)) for c in reference.division_children(city.code)]
    return out
