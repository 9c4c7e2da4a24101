"""The institution picker (province → city/county → name) shared by sign-up and the
application forms, and the fragments htmx asks for while the user narrows it."""

import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query

from registry.reference import NATIONAL_CODE, PORTAL_DIVISIONS
from starter.services import institutions
from starter.web.core import WebDep
from starter.web.reference import scopes_of

router = APIRouter(prefix="/pickers", include_in_schema=False)

Code = Annotated[str | None, Query(max_length=6)]
Name = Annotated[str | None, Query(max_length=64)]


def _code(value: str | None) -> str | None:
    """A division code, or None (an empty choice is "any")."""
    return value if value and re.fullmatch(r"\d{6}", value) else None


@dataclass
class Picker:
    provinces: list[tuple[str, str]]
    divisions: list[tuple[str, str]] = field(default_factory=list)
    institutions: list[tuple[str, str]] = field(default_factory=list)
    province: str = ""
    division: str = ""
    name: str = ""
    institution_code: str = ""
    label: str | None = None
    placeholder: str | None = None


def _provinces(lang: str) -> list[tuple[str, str]]:
    return [
        (code, names[lang == "en"])
        for code, names in PORTAL_DIVISIONS.items()
        if code != NATIONAL_CODE
    ]


async def _divisions(page, province: str | None) -> list[tuple[str, str]]:
    if not province:
        return []
    rows = await institutions.divisions_under(page.db, province)
    en = page.lang == "en"
    return [
        (d.code, ("— " if d.level == "county" else "") + (d.name_en if en else d.name_zh))
        for d in rows
    ]


async def _institutions(page, province, division, name) -> list[tuple[str, str]]:
    if division and province and not division.startswith(province[:2]):
        division = None  # left over from the province chosen before
    found = await institutions.search(page.db, division or province, name or None, limit=200)
    return [(i.code, i.name) for i in found]


async def picker(page, institution_code: str = "", **labels) -> Picker:
    """The picker as first drawn: every institution (htmx narrows it as the user chooses)."""
    return Picker(
        provinces=_provinces(page.lang),
        institutions=await _institutions(page, None, None, None),
        institution_code=institution_code,
        **labels,
    )


@router.get("/divisions")
async def divisions(page: WebDep, province: Code = None):
    options = await _divisions(page, _code(province))
    return page.render("_options.html", options=options, placeholder=page.t("f.any"))


@router.get("/institutions")
async def institution_options(
    page: WebDep, province: Code = None, division: Code = None, institution_name: Name = None
):
    options = await _institutions(page, _code(province), _code(division), institution_name)
    placeholder = page.t("f.institution.choose" if options else "f.institution.none_found")
    return page.render("_options.html", options=options, placeholder=placeholder)


@router.get("/scopes")
async def scopes(page: WebDep, category: Annotated[str | None, Query(max_length=16)] = None):
    options = [(s, s) for s in scopes_of(category or "")]
    return page.render("_options.html", options=options, placeholder=page.t("f.scope.choose"))
