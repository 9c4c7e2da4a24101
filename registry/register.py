"""The public register (医师注册信息查询): who is registered to practise, and who no longer is.

Registrations and cancellations are public (Registration Measures art. 22), but a person, not
a list: a lookup needs the exact name and either a certificate number or an institution (code
or exact name), and it answers with that person's registrations — current ones and ended ones
with the day they ended — never an ID number, phone or email. It reads the registry as it is,
so a registration or a cancellation shows the moment it is recorded. Each client address has a
budget of lookups (``LOOKUPS_PER_ADDRESS``), counted in the database like the login limits.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.errors import DomainError
from registry.models import Filing, Institution, Registration
from registry.ratelimit import Limit

LOOKUPS_PER_ADDRESS = Limit("register-addr", 30, timedelta(minutes=5))
VERIFICATIONS_PER_ADDRESS = Limit("verify-addr", 60, timedelta(minutes=5))
MAX_PEOPLE = 10  # namesakes at one institution, at most


@dataclass(frozen=True)
class FiledAt:
    institution_code: str
    institution_name: str
    start_on: date
    end_on: date | None


@dataclass(frozen=True)
class Entry:
    """One registration as the public sees it."""

    certificate_no: str | None
    level: str
    category: str
    scope: str | None
    location_code: str
    institution_code: str
    institution_name: str
    status: str  # active | cancelled | superseded | invalid
    registered_on: date
    ended_on: date | None
    filings: tuple[FiledAt, ...] = ()


@dataclass(frozen=True)
class Person:
    name: str
    registrations: list[Entry] = field(default_factory=list)


async def lookup(
    session: AsyncSession,
    name: str,
    certificate_no: str | None = None,
    institution: str | None = None,
) -> list[Person]:
    """The people of this exact name holding that certificate number, or registered or filed
    at that institution; each with every registration of theirs (active ones first)."""
    name = (name or "").strip()
    certificate_no = (certificate_no or "").strip()
    institution = (institution or "").strip()
    if not name or bool(certificate_no) == bool(institution):
        raise DomainError("register_query")
    if certificate_no:
        found = select(Registration.id_number).where(
            Registration.name == name, Registration.certificate_no == certificate_no
        )
    else:
        codes = select(Institution.code).where(
            or_(Institution.code == institution, Institution.name == institution)
        )
        filed = select(Filing.registration_id).where(Filing.institution_code.in_(codes))
        found = select(Registration.id_number).where(
            Registration.name == name,
            or_(Registration.institution_code.in_(codes), Registration.id.in_(filed)),
        )
    # Every registration of the people found, in one query (the ID number never leaves here).
    rows = list(
        await session.execute(
            select(Registration, Institution.name)
            .join(Institution, Institution.code == Registration.institution_code)
            .where(Registration.name == name, Registration.id_number.in_(found))
            .order_by(Registration.registered_on.desc(), Registration.id.desc())
        )
    )
    filings: dict[int, list[FiledAt]] = {}
    for filing, institution_name in await session.execute(
        select(Filing, Institution.name)
        .join(Institution, Institution.code == Filing.institution_code)
        .where(
            Filing.registration_id.in_([r.id for r, _ in rows]),
            Filing.status == "active",
        )
        .order_by(Filing.start_on)
    ):
        filings.setdefault(filing.registration_id, []).append(
            FiledAt(filing.institution_code, institution_name, filing.start_on, filing.end_on)
        )
    people: dict[str, list[Entry]] = {}
    for r, institution_name in rows:
        people.setdefault(r.id_number, []).append(_entry(r, institution_name, filings))
    return [
        Person(name, sorted(entries, key=lambda e: e.status != "active"))  # stable: newest first
        for entries in list(people.values())[:MAX_PEOPLE]
    ]


def _entry(r: Registration, institution_name: str, filings: dict[int, list[FiledAt]]) -> Entry:
    return Entry(
        certificate_no=r.certificate_no,
        level=r.level,
        category=r.category,
        scope=r.scope,
        location_code=r.location_code,
        institution_code=r.institution_code,
        institution_name=institution_name,
        status=r.status,
        registered_on=r.registered_on,
        ended_on=r.ended_on,
        filings=tuple(filings.get(r.id, ())),
    )
