"""Staff, officer and operator logins."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.errors import DomainError
from registry.identifiers import normalize_username
from registry.models import Account, Commission, Institution
from registry.passwords import check_policy, hash_password
from registry.roles import STAFF_ROLES, Role


async def create_staff(
    session: AsyncSession,
    role: str,
    username: str,
    password: str,
    institution_code: str | None,
    commission_code: str | None,
) -> int:
    if role not in STAFF_ROLES:
        raise DomainError("invalid_request", {"detail": f"role must be one of {STAFF_ROLES}"})
    username = normalize_username(username)
    check_policy(password)
    if role in (Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN):
        if not institution_code or await session.get(Institution, institution_code) is None:
            raise DomainError("institution_not_found")  # never echo what was typed
        commission_code = None
    elif role in (Role.COMMISSION_OFFICER, Role.COMMISSION_ADMIN):
        if not commission_code or await session.get(Commission, commission_code) is None:
            raise DomainError("commission_not_found")  # never echo what was typed
        institution_code = None
    else:
        institution_code = commission_code = None
    account = Account(
        username=username,
        password_hash=hash_password(password),
        role=role,
        institution_code=institution_code,
        commission_code=commission_code,
    )
    session.add(account)
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError("username_taken") from None
    return account.id
