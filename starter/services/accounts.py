"""Signing up and signing in: the checks, limits and lockouts every entry point shares.

The API's ``/signup`` and ``/token``, the operators' ``/codec`` sign-in and the portal's sign-up
and sign-in pages all call these, so a limit or a lockout cannot differ between them.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from registry import accounts, audit, identifiers, passwords, ratelimit, security, staff
from registry.activation import ActivationState
from registry.errors import DomainError
from registry.models import Account
from registry.roles import Role
from registry.settings import Settings
from starter.services import profile as steering
from starter.services.activation import start_activation


@dataclass(frozen=True)
class SignupForm:
    """What a physician types to sign up, as typed (normalized here)."""

    username: str
    password: str
    name: str
    id_number: str
    phone: str
    email: str
    institution_code: str | None = None


async def limit_address(
    session: AsyncSession, settings: Settings, address: str | None, limit: ratelimit.Limit
) -> None:
    """Count a request from this client address; committed even if the request then fails."""
    if settings.rate_limit_per_address and address:
        try:
            await ratelimit.hit(session, limit, address)
        finally:
            await session.commit()


async def signup(
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    form: SignupForm,
    address: str | None,
) -> tuple[Account, ActivationState]:
    """Create a physician account and start its activation.

    The account is committed first so the workflow always finds it; if Temporal cannot start the
    workflow, the account is removed again and the physician can simply retry.
    """
    await limit_address(session, settings, address, ratelimit.SIGNUPS_PER_ADDRESS)
    username = identifiers.normalize_username(form.username)
    passwords.check_policy(form.password)
    name = identifiers.normalize_name(form.name)
    id_number = identifiers.normalize_id_number(form.id_number)
    phone = identifiers.normalize_phone(form.phone)
    email = identifiers.normalize_email(form.email)
    if form.institution_code:
        await accounts.get_institution(session, form.institution_code)

    match = await accounts.match_identity(session, name, id_number, form.institution_code)
    if match.institution_code is None:
        raise DomainError("institution_required")
    state = (
        ActivationState.awaiting_verification
        if match.found
        else ActivationState.awaiting_qualification
    )
    account = await _create_or_tell_owner(
        session,
        temporal,
        settings,
        accounts.PhysicianSignup(
            username=username,
            password_hash=await passwords.hash_async(form.password),
            name=name,
            id_number=id_number,
            phone=phone,
            email=email,
            institution_code=match.institution_code,
            activation_state=state,
        ),
    )
    await audit.record(
        session,
        "signup",
        actor_id=account.id,
        actor_role=Role.PHYSICIAN,
        physician_id=account.id,
        institution_code=match.institution_code,
    )
    await session.commit()
    try:
        await start_activation(
            temporal, settings, account.id, match.institution_code, match.province_code or ""
        )
    except Exception:
        await session.delete(account)
        await session.commit()
        raise
    return account, state


async def _create_or_tell_owner(
    session: AsyncSession, temporal: Client, settings: Settings, signup: accounts.PhysicianSignup
) -> Account:
    """Create the account; if its ID number already has one, tell that account's owner by SMS
    and email (once an hour at most) before refusing — the owner learns of the attempt, the
    caller only what the sign-up must say (docs/access.md, "Who has an account")."""
    try:
        return await accounts.create_physician(session, signup)
    except DomainError as error:
        if error.code != "id_number_taken":
            raise
        await session.rollback()
        event = await security.signup_attempt_to_tell(session, signup.id_number, datetime.now(UTC))
        if event is not None:
            await steering.notify_change(session, temporal, settings, event)
        raise


async def authenticate(
    session: AsyncSession,
    settings: Settings,
    username: str,
    password: str,
    address: str | None,
) -> Account:
    """The account of a username and password, under the login limits (every sign-in form):
    a budget per client address, and five wrong passwords lock the username for 15 minutes.

    The try is counted (and committed) *before* the password is checked, and a right password
    takes the count back: so a burst of wrong passwords sent at once is counted one by one and
    only the first five are checked at all; the right password after them finds the lock."""
    username = username.strip().lower()
    await limit_address(session, settings, address, ratelimit.LOGINS_PER_ADDRESS)
    try:
        await ratelimit.hit(session, ratelimit.LOGIN_FAILURES_PER_USERNAME, username)
    finally:
        await session.commit()
    account = await accounts.get_account_by_username(session, username)
    ok = await passwords.verify_async(account.password_hash if account else None, password)
    if account is None or not ok:
        raise DomainError("invalid_credentials")
    if staff.is_deactivated(account):  # its administrator ended it (registry.staff)
        raise DomainError("account_deactivated")
    await ratelimit.reset(session, ratelimit.LOGIN_FAILURES_PER_USERNAME, username)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = await passwords.hash_async(password)
    return account
