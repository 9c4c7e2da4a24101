"""What every page handler has at hand: the caller, the language, the forms and the answers.

A handler takes ``WebDep`` (anyone) or ``PhysicianWeb`` (signed-in physicians), reads a posted
form with :meth:`Web.form` (which checks CSRF), calls a service, and answers with
:meth:`Web.render` or :meth:`Web.redirect`. A :class:`DomainError` from a service becomes
messages beside the fields it concerns (:mod:`starter.web.forms`).
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from temporalio.client import Client

from registry import text
from registry.errors import DomainError
from registry.models import Account, WebSession
from registry.reference import CHINA_TIME
from registry.roles import Role
from registry.settings import Settings
from starter.api.deps import SessionDep, SettingsDep, TemporalDep
from starter.web import csrf, forms, i18n
from starter.web import session as web_session

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _local_time(moment: datetime | None, with_time: bool = True) -> str:
    """A moment as people in China read it (the service's users are there)."""
    if moment is None:
        return ""
    local = moment.astimezone(CHINA_TIME)
    return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


TEMPLATES.env.filters["local"] = _local_time
TEMPLATES.env.filters["day"] = lambda moment: _local_time(moment, with_time=False)
TEMPLATES.env.globals["pick"] = i18n.pick
TEMPLATES.env.globals["pairs"] = lambda values: [(v, v) for v in values]


class SignInRequired(Exception):
    """A page for signed-in users was asked for without a (valid) session."""


class WrongRole(Exception):
    """A signed-in user asked for a page of another role."""


@dataclass
class Web:
    request: Request
    settings: Settings
    db: AsyncSession
    temporal: Client
    lang: str
    session: WebSession | None = None
    account: Account | None = None
    _anon_cookie: str | None = field(default=None, repr=False)
    _anon_token: str | None = field(default=None, repr=False)

    @property
    def t(self) -> i18n.Translator:
        return i18n.Translator(self.lang)

    @property
    def csrf_token(self) -> str:
        if self.session is not None:
            return self.session.csrf_secret
        if self._anon_token is None:
            self._anon_token, self._anon_cookie = csrf.anonymous_token(self.request, self.settings)
        return self._anon_token

    def render(self, template: str, status_code: int = 200, **context) -> HTMLResponse:
        context = {
            "t": self.t,
            "lang": self.lang,
            "account": self.account,
            "csrf_token": self.csrf_token,
            "path": self.request.url.path,
            "errors": {},
            "alert": None,
            **context,
        }
        response = TEMPLATES.TemplateResponse(self.request, template, context, status_code)
        if self._anon_cookie:
            csrf.set_anonymous_cookie(response, self._anon_cookie, self.settings)
        return response

    def redirect(self, url: str) -> Response:
        """See other: after a POST, the browser asks for ``url`` (htmx: it goes there)."""
        if self.request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    async def form(self, **limits) -> FormData:
        """The posted form, once its CSRF token and origin are checked."""
        data = await self.request.form(**({"max_files": 0, "max_fields": 40} | limits))
        sent = data.get(csrf.FIELD)
        secret = self.session.csrf_secret if self.session is not None else None
        csrf.check(self.request, self.settings, sent if isinstance(sent, str) else None, secret)
        # The same hygiene as the API's models (registry.text): every field of every form.
        text.check(data.multi_items(), multiline=MULTILINE_FIELDS)
        return data

    async def failed(self, error: DomainError) -> forms.Failure:
        """Undo the request's unfinished work and say what went wrong, field by field."""
        await self.db.rollback()
        for row in (self.account, self.session):
            if row is not None:
                await self.db.refresh(row)
        return forms.failure(await self._holder_named(error), self.lang)

    async def refused(
        self, error: DomainError, render, key, comment: str | None, meanwhile: str
    ) -> HTMLResponse:
        """A decision form refused, shown again by ``render(page, key, status, …)``: a missing
        reason beside the comment (kept as typed), a step someone took first or that lapsed said
        as ``meanwhile``, anything else above the form. One reading for every decision page."""
        failure = await self.failed(error)
        errors = {"comment": failure.message} if error.code == "comment_required" else {}
        alert = self.t(meanwhile) if failure.code == "wrong_state" else failure.alert
        return await render(
            self, key, error.status, alert_text=alert, errors=errors, comment=comment
        )

    async def _holder_named(self, error: DomainError) -> DomainError:
        """A claim held by someone else is said with their username (the validator knows only
        the account id), as the inbox says it."""
        holder = str(error.params.get("holder", "")) if error.code == "claimed_by_other" else ""
        account = holder.isdigit() and await self.db.get(Account, int(holder))
        if not account:
            return error
        return DomainError(error.code, {**error.params, "holder": account.username})


# Form fields that may hold several lines (a comment, a note on a document).
MULTILINE_FIELDS = ("comment", "note", "reason", "departments")  # departments: one a line


async def web(
    request: Request, db: SessionDep, temporal: TemporalDep, settings: SettingsDep
) -> Web:
    """The caller as the portal knows it: signed in (a good session cookie) or not."""
    page = Web(request, settings, db, temporal, i18n.language(request))
    resumed = await web_session.resume(db, request.cookies.get(web_session.COOKIE))
    if resumed is not None:
        page.session, page.account = resumed
    return page


WebDep = Annotated[Web, Depends(web)]


async def physician(page: WebDep) -> Web:
    if page.account is None:
        raise SignInRequired()
    if page.account.role != Role.PHYSICIAN:
        raise WrongRole()
    return page


PhysicianWeb = Annotated[Web, Depends(physician)]


def signed_in_as(role: Role):
    """A page for one role: others are sent to sign in, or told the page is not theirs."""

    async def check(page: WebDep) -> Web:
        if page.account is None:
            raise SignInRequired()
        if page.account.role != role:
            raise WrongRole()
        return page

    return Depends(check)


StaffWeb = Annotated[Web, signed_in_as(Role.INSTITUTION_STAFF)]
OfficerWeb = Annotated[Web, signed_in_as(Role.COMMISSION_OFFICER)]
OperatorWeb = Annotated[Web, signed_in_as(Role.OPERATOR)]
