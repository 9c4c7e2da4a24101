"""Who is this physician's institution: the one answer every part asks.

A practice location has exactly one primary institution (主要执业机构, Registration Measures 2017
art. 10); that institution reviews the physician's personal information and photo and keeps the
departments the physician chooses from. So the physician's institution comes from the registry:
the primary institution of an active registration — with several (a practising physician may
hold a location in several provinces), the one the physician picks for each change, by default
the most recent registration — and, before any registration, the institution chosen at sign-up
(``accounts.institution_code``, which stays what it was). A physician whose registrations have
all ended (cancelled, transferred to the military) has none: the sign-up hospital is no longer
theirs. A completed application that changes registrations changes the answer at once, as it is
read from the registry each time.
"""

from sqlalchemy import exists, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from registry.errors import DomainError
from registry.models import Account, ProfileReview, Registration


async def active_registrations(session: AsyncSession, id_number: str | None) -> list[Registration]:
    """The physician's active registrations, the most recent first."""
    if not id_number:
        return []
    rows = await session.scalars(
        select(Registration)
        .where(Registration.id_number == id_number, Registration.status == "active")
        .order_by(Registration.registered_on.desc(), Registration.id.desc())
    )
    return list(rows)


async def registration_for(
    session: AsyncSession, account: Account, registration_id: int | None = None
) -> Registration | None:
    """The registration a change is about: the one named (it must be the physician's and
    active), else the most recent; None before any registration."""
    registrations = await active_registrations(session, account.id_number)
    if registration_id is None:
        return registrations[0] if registrations else None
    for registration in registrations:
        if registration.id == registration_id:
            return registration
    raise DomainError("registration_not_found")


async def _signup_institution(session: AsyncSession, account: Account) -> str | None:
    """The sign-up institution, while the physician has never been registered."""
    if not account.id_number or not account.institution_code:
        return account.institution_code
    ever = await session.scalar(select(exists().where(Registration.id_number == account.id_number)))
    return None if ever else account.institution_code


async def institution_of(
    session: AsyncSession, account: Account, registration_id: int | None = None
) -> str | None:
    """The physician's institution for a change: the primary institution of the registration
    named (default: the most recent), else the sign-up institution before any registration;
    None once every registration has ended."""
    registration = await registration_for(session, account, registration_id)
    if registration is not None:
        return registration.institution_code
    return await _signup_institution(session, account)


async def institutions_of(session: AsyncSession, account: Account) -> set[str]:
    """Every institution that is the physician's now: the primary institution of each active
    registration, else (before any registration) the sign-up institution."""
    registrations = await active_registrations(session, account.id_number)
    if registrations:
        return {r.institution_code for r in registrations}
    signup = await _signup_institution(session, account)
    return {signup} if signup else set()


async def stale_reviews(session: AsyncSession, account_id: int | None) -> list[int]:
    """Open profile reviews addressed to an institution that is no longer the physician's."""
    if account_id is None:
        return []
    account = await session.get(Account, account_id)
    if account is None:
        return []
    current = await institutions_of(session, account)
    rows = await session.scalars(
        select(ProfileReview.id)
        .where(ProfileReview.account_id == account_id, ProfileReview.open_slot.is_not(None))
        .where(ProfileReview.institution_code.not_in(current) if current else true())
        .order_by(ProfileReview.id)
    )
    return list(rows)
