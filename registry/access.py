"""Who may see and who may decide: every such rule of the registry, in one place.

Routes, pages, services and workflow validators all ask here, so a rule changes once. The
checks take an ``Actor`` (the small, serialisable view of an account that workflow messages
carry) or an ``Account``; both have ``role``, ``institution_code`` and ``commission_code``.
"""

from typing import Protocol

from sqlalchemy import false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.institutions import institutions_of
from registry.models import Account, Application, Institution
from registry.roles import Role


class Party(Protocol):
    """What every check reads of an account or of an ``Actor``."""

    role: str
    institution_code: str | None
    commission_code: str | None


def is_staff_of(party: Party, institution_code: str | None) -> bool:
    """Staff of this very institution: they confirm its applications and review its
    physicians' changes; staff of another institution never do."""
    return party.role == Role.INSTITUTION_STAFF and party.institution_code == institution_code


def is_officer_of(party: Party, commission_code: str | None) -> bool:
    """An officer of this very commission: the one that licenses the practice location."""
    return party.role == Role.COMMISSION_OFFICER and party.commission_code == commission_code


def acts_for_applicant(filed_by, actor) -> bool:
    """Who may withdraw or resubmit: the filer; for a cancellation an institution filed (its
    duty to report grounds), any staff of that institution, and for one a commission opened
    on its own authority, any officer of that commission — never the physician."""
    if filed_by.role == Role.INSTITUTION_STAFF:
        return is_staff_of(actor, filed_by.institution_code)
    if filed_by.role == Role.COMMISSION_OFFICER:
        return is_officer_of(actor, filed_by.commission_code)
    return actor.account_id == filed_by.account_id


def applications_visible_to(account: Account):
    """Which applications an account may see (a SQL condition): a physician their own and
    those filed for them; staff those at their institution or copied to it (a former primary
    institution told of a change); officers those of their commission; operators all."""
    if account.role == Role.PHYSICIAN:  # theirs, whoever filed it (a physician files only own)
        return Application.account_id == account.id
    if account.role in (Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN):
        return or_(
            Application.institution_code == account.institution_code,
            Application.notify_institution_code == account.institution_code,
        )
    if account.role in (Role.COMMISSION_OFFICER, Role.COMMISSION_ADMIN):
        return Application.commission_code == account.commission_code
    if account.role == Role.OPERATOR:
        return Application.id.is_not(None)
    return false()


def sees_applicant_unmasked(viewer: Account, application: Application) -> bool:
    """Only the physician the application is about (or who filed it) sees their name in full
    in lists; staff see it masked and open the record (audited) when they need more."""
    involved = viewer.id in (application.account_id, application.filed_by)
    return involved and viewer.role == Role.PHYSICIAN


async def may_see_photo(session: AsyncSession, viewer: Account, physician: Account) -> bool:
    """A physician's photo is for staff of the physician's institutions (primary institution
    of an active registration, else the sign-up one) and officers of the commissions that
    license those institutions — the people who compare it with the person at the counter."""
    codes = await institutions_of(session, physician)
    if viewer.role == Role.INSTITUTION_STAFF:
        return viewer.institution_code in codes
    if viewer.role != Role.COMMISSION_OFFICER:
        return False
    commissions = await session.scalars(
        select(Institution.commission_code).where(Institution.code.in_(codes))
    )
    return viewer.commission_code in set(commissions)


# --- institutions at scale -------------------------------------------------------------------


def may_file_batches(party: Party) -> bool:
    """Collective registration is the institution's own filing: its staff upload the file."""
    return party.role == Role.INSTITUTION_STAFF and party.institution_code is not None


def may_see_batch(party: Party, institution_code: str) -> bool:
    """A batch is its institution's: its staff follow it, nobody else reads its rows."""
    return is_staff_of(party, institution_code)


def works_the_counter_of(party: Party, application: Application) -> bool:
    """Who checks an application's paper documents at the counter, sees the applicant's photo
    there to compare it with the person, and decides it: an officer of the commission that
    decides it (the one licensing its institution) — whatever institution the physician is at
    now."""
    return is_officer_of(party, application.commission_code)


def works_on(party: Party, institution_code: str | None, commission_code: str | None) -> bool:
    """Who may claim an item: the staff of the institution confirming it, or an officer of the
    commission deciding it (which of the two the step decides, the workflow checks)."""
    return is_staff_of(party, institution_code) or is_officer_of(party, commission_code)


def supervises(party: Party, institution_code: str | None, commission_code: str | None) -> bool:
    """An institution's administrator supervises its staff's work, a commission's its
    officers': they may hand a claimed item to someone else."""
    if party.role == Role.INSTITUTION_ADMIN:
        return party.institution_code == institution_code
    return party.role == Role.COMMISSION_ADMIN and party.commission_code == commission_code


def manages(party: Party, role: str, institution_code: str | None, commission_code: str | None):
    """Who administers an account of ``role`` at that institution or commission: the
    institution's administrator its staff, the commission's its officers, the operator the
    administrators (staff administration without the CLI)."""
    if party.role == Role.INSTITUTION_ADMIN:
        return role == Role.INSTITUTION_STAFF and party.institution_code == institution_code
    if party.role == Role.COMMISSION_ADMIN:
        return role == Role.COMMISSION_OFFICER and party.commission_code == commission_code
    return party.role == Role.OPERATOR and role in (Role.INSTITUTION_ADMIN, Role.COMMISSION_ADMIN)


def administers_staff(party: Party) -> bool:
    return party.role in (Role.INSTITUTION_ADMIN, Role.COMMISSION_ADMIN, Role.OPERATOR)
