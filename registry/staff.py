"""Staff, officer and operator logins."""

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry import security
from registry.errors import DomainError
from registry.identifiers import normalize_username
from registry.models import Account, Commission, Institution, RefreshToken, WebSession
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


# --- administration without the CLI (issue #17) ----------------------------------------------

#: ``accounts.activation_state`` of a staff account that may no longer sign in (also read by
#: ``registry.security``, which sends no reset code to such an account).
DEACTIVATED = security.DEACTIVATED


def is_deactivated(account: Account) -> bool:
    return account.role != Role.PHYSICIAN and account.activation_state == DEACTIVATED


async def end_sessions(session: AsyncSession, account: Account) -> None:
    """Every sign-in of the account ends now: portal sessions deleted, tokens (access and
    refresh) refused from the next request on (their ``token_version`` is older)."""
    account.token_version = (account.token_version or 0) + 1
    await session.execute(delete(WebSession).where(WebSession.account_id == account.id))
    await session.execute(delete(RefreshToken).where(RefreshToken.account_id == account.id))
