"""Administrative divisions (GB/T 2260): the nation, 31 provinces, their cities and counties.

Reference data versioned with the code (``data/divisions.json``, built from the National Bureau
of Statistics' 2023 codes; ``tools/build_divisions.py`` says how), read once per process. The
``divisions`` table holds only the rows that institutions and commissions point at; pickers and
location names come from here. A code missing from the table (an older or newer county code on a
registration) still shows: its name falls back to the province's.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from registry.reference import NATIONAL_CODE, PORTAL_DIVISIONS, province_of


@dataclass(frozen=True)
class DivisionRef:
    code: str
    name_zh: str
    name_en: str
    level: str  # national | province | city | county
    parent_code: str | None

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


def _parent(code: str, level: str) -> str | None:
    if level == "national":
        return None
    if level == "province":
        return NATIONAL_CODE
    if level == "city":
        return province_of(code)
    return code[:4] + "00"


@cache
def _all() -> dict[str, DivisionRef]:
    rows = json.loads(
        resources.files("registry").joinpath("data/divisions.json").read_text("utf-8")
    )
    found = {
        code: DivisionRef(code, zh, en, level, _parent(code, level))
        for code, (zh, en) in PORTAL_DIVISIONS.items()
        for level in ["national" if code == NATIONAL_CODE else "province"]
    }
    for code, zh, en, level in rows["divisions"]:
        found[code] = DivisionRef(code, zh, en, level, _parent(code, level))
    return found


@cache
def _children() -> dict[str | None, tuple[DivisionRef, ...]]:
    grouped: dict[str | None, list[DivisionRef]] = {}
    for division in _all().values():
        grouped.setdefault(division.parent_code, []).append(division)
    return {parent: tuple(sorted(rows, key=lambda d: d.code)) for parent, rows in grouped.items()}


def get(code: str) -> DivisionRef | None:
    return _all().get(code)


def children(parent_code: str | None = None) -> tuple[DivisionRef, ...]:
    """The divisions directly under ``parent_code``; the provinces when it is None or national."""
    return _children().get(parent_code or NATIONAL_CODE, ())


def path(code: str) -> list[DivisionRef]:
    """Province first, down to ``code`` itself (what is known of it)."""
    found: list[DivisionRef] = []
    division = get(code) or get(province_of(code))
    while division is not None and division.level != "national":
        found.append(division)
        division = get(division.parent_code) if division.parent_code else None
    return found[::-1]


def place_name(code: str, lang: str = "zh") -> str:
    """A location as people write it: 湖南省 邵阳市 武冈市 (the city's 市辖区 left out)."""
    parts = [d.name(lang) for d in path(code) if d.name_zh not in ("市辖区", "县")]
    return (" " if lang == "zh" else ", ").join(parts if lang == "zh" else parts[::-1])
