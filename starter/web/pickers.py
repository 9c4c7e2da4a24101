"""The institution picker (province → city/county → name) shared by sign-up and the
application forms, and the fragments htmx asks for while the user narrows it."""

import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query

from registry.errors import DomainError
from registry.reference import NATIONAL_CODE
from starter.services import institutions
from starter.web.core import WebDep
from starter.web.reference import cities_and_counties, portals, scopes_of

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
    return [(code, names[lang == "en"]) for code, names in portals() if code != NATIONAL_CODE]


def _divisions(page, province: str | None) -> list[tuple[str, str]]:
    """A province's cities and counties (the whole GB/T 2260 list, not only those with an
    institution here)."""
    if not province:
        return []
    try:
        return cities_and_counties(province, page.lang)
    except DomainError:
        return []


async def _institutions(page, province, division, name) -> list[tuple[str, str]]:
    if division and province and not division.startswith(province[:2]):
        division = None  # left over from the province chosen before
    found = await institutions.search_within(page.db, division or province, name or None)
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
    options = _divisions(page, _code(province))
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
    options = scopes_of(category or "", page.lang)
    return page.render("_options.html", options=options, placeholder=page.t("f.scope.choose"))
