"""Staff administration pages (/staff): the administrator's list, invitation form, and the
deactivate / reset buttons — the same service as ``/api/v1/staff``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import ValidationError

from registry import access
from registry.errors import DomainError
from registry.roles import Role
from starter.services import staff_admin
from starter.web.core import SignInRequired, Web, WebDep, WrongRole

router = APIRouter(prefix="/staff", include_in_schema=False)

AccountId = Annotated[int, Path(ge=1, le=10**9)]
DONE = ("invited", "deactivated", "reset")


async def _admin(page: WebDep) -> Web:
    if page.account is None:
        raise SignInRequired()
    if not access.administers_staff(page.account):
        raise WrongRole()
    return page


AdminWeb = Annotated[Web, Depends(_admin)]


def _roles_given_by(admin) -> list[Role]:
    """The roles this administrator may give (registry.access.manages)."""
    return [
        r for r in Role if access.manages(admin, r, admin.institution_code, admin.commission_code)
    ] or [Role.INSTITUTION_ADMIN, Role.COMMISSION_ADMIN]


async def _page(page: Web, status: int = 200, done: str | None = None, **context):
    listed = await staff_admin.listed(page.db, page.account)
    given = _roles_given_by(page.account)
    return page.render(
        "staff.html",
        status,
        staff=listed,
        role_options=[(r.value, page.t(f"staffrole.{r.value}")) for r in given],
        operator=page.account.role == Role.OPERATOR,
        notice=page.t(f"staff.done.{done}") if done in DONE else None,
        values=context.pop("values", {}),
        **context,
    )


@router.get("")
async def staff_page(page: AdminWeb, done: str | None = None):
    return await _page(page, done=done)


@router.post("")
async def invite(page: AdminWeb):
    form = await page.form()
    values = {k: str(form.get(k) or "").strip() for k in staff_admin.InviteIn.model_fields}
    try:
        try:
            body = staff_admin.InviteIn.model_validate({k: v or None for k, v in values.items()})
        except ValidationError as error:
            names = sorted({str(e["loc"][0]) for e in error.errors()})
            raise DomainError("invalid_request", {"detail": ", ".join(names)}) from None
        await staff_admin.invite(page.db, page.temporal, page.settings, page.account, body)
    except DomainError as error:
        failure = await page.failed(error)
        return await _page(
            page, error.status, errors=failure.fields, alert_text=failure.alert, values=values
        )
    return page.redirect("/staff?done=invited")


@router.post("/{account_id}/deactivate")
async def deactivate(page: AdminWeb, account_id: AccountId):
    await page.form()
    await staff_admin.deactivate(page.db, page.account, account_id)
    return page.redirect("/staff?done=deactivated")


@router.post("/{account_id}/reset")
async def reset(page: AdminWeb, account_id: AccountId):
    await page.form()
    await staff_admin.reset(page.db, page.temporal, page.settings, page.account, account_id)
    return page.redirect("/staff?done=reset")
