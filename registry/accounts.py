"""Queries on accounts and the records an account is matched against."""

from dataclasses import asdict, dataclass

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.activation import ActivationState, QualificationMatch
from registry.errors import DomainError
from registry.models import (
    Account,
    Commission,
    Institution,
    Qualification,
    Registration,
    utcnow,
)
from registry.roles import Role


@dataclass(frozen=True)
class PhysicianSignup:
    """A sign-up after every field was normalized."""

    username: str
    password_hash: str
    name: str
    id_number: str
    phone: str
    email: str
    institution_code: str
    activation_state: ActivationState


async def get_institution(session: AsyncSession, code: str) -> Institution:
    institution = await session.get(Institution, code)
    if institution is None:
        raise DomainError("institution_not_found")  # never echo what was typed
    return institution


async def get_commission(session: AsyncSession, code: str) -> Commission:
    commission = await session.get(Commission, code)
    if commission is None:
        raise DomainError("commission_not_found")  # never echo what was typed
    return commission


async def match_identity(
    session: AsyncSession, name: str, id_number: str, institution_code: str | None
) -> QualificationMatch:
    """Match a name and ID number against qualification and practice records.

    The primary institution is the one chosen at sign-up, else that of an active practice
    registration.
    """
    registration = await session.scalar(
        select(Registration)
        .where(Registration.id_number == id_number, Registration.name == name)
        .where(Registration.status == "active")
        .order_by(Registration.registered_on.desc())
        .limit(1)
    )
    qualified = registration is not None or await session.scalar(
        select(exists().where(Qualification.id_number == id_number, Qualification.name == name))
    )
    code = institution_code or (registration.institution_code if registration else None)
    institution = await session.get(Institution, code) if code else None
    return QualificationMatch(
        found=bool(qualified),
        institution_code=institution.code if institution else None,
        province_code=institution.province_code if institution else None,
        auto_activate=institution.auto_activate if institution else False,
    )


async def create_physician(session: AsyncSession, signup: PhysicianSignup) -> Account:
    """Insert the account; duplicate usernames and ID numbers are refused by constraints."""
    for column, value, code in (
        (Account.username, signup.username, "username_taken"),
        (Account.id_number, signup.id_number, "id_number_taken"),
    ):
        if await session.scalar(select(exists().where(column == value))):
            raise DomainError(code)
    account = Account(role=Role.PHYSICIAN, **asdict(signup))
    session.add(account)
    try:
        await session.flush()
    except IntegrityError as exc:
        # Two sign-ups raced past the checks above; the constraint decided.
        raise DomainError(
            "id_number_taken" if "id_number" in str(exc.orig) else "username_taken"
        ) from None
    return account


async def get_account_by_username(session: AsyncSession, username: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.username == username.lower()))


async def set_activation_state(
    session: AsyncSession, account_id: int, state: ActivationState, institution_code: str | None
) -> None:
    values: dict = {"activation_state": state}
    if institution_code:
        values["institution_code"] = institution_code
    if state == ActivationState.active:
        values["activated_at"] = utcnow()
    await session.execute(update(Account).where(Account.id == account_id).values(**values))


async def pending_activations(session: AsyncSession, institution_code: str) -> list[Account]:
    rows = await session.scalars(
        select(Account)
        .where(
            Account.institution_code == institution_code,
            Account.activation_state == ActivationState.awaiting_institution,
        )
        .order_by(Account.created_at)
    )
    return list(rows)


async def accounts_awaiting(
    session: AsyncSession, state: ActivationState, institution_code: str | None = None
) -> list[int]:
    query = select(Account.id).where(Account.activation_state == state)
    if institution_code:
        query = query.where(Account.institution_code == institution_code)
    return list(await session.scalars(query))


async def accounts_matching_qualifications(session: AsyncSession) -> list[int]:
    """Accounts still waiting for a qualification whose record is now in the database."""
    matched = exists().where(
        Qualification.id_number == Account.id_number, Qualification.name == Account.name
    )
    rows = await session.scalars(
        select(Account.id).where(
            Account.activation_state == ActivationState.awaiting_qualification, matched
        )
    )
    return list(rows)
