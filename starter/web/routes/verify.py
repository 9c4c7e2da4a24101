"""Public pages of the paper world: certificate verification and the register lookup.

``/verify`` is what a certificate's QR code opens: ``?certificate_no=…&check=…#<JWS>``. The
server answers from the registry whether the certificate is valid, superseded, cancelled or
invalid (the online check, as ``GET /api/v1/public/certificates/verify``). The part after ``#``
never reaches the server: ``/static/verify.js`` checks its Ed25519 signature in the browser
against the published keys (WebCrypto), and that it belongs to this certificate (its check
code is the signature's hash). ``/register`` looks a physician up by name and a certificate
number or an institution, posted (the name never in a URL), as ``POST /api/v1/public/register``.
Both spend the client address's budget (``registry.register``).
"""

from typing import Annotated

from fastapi import APIRouter, Query

from registry import register
from registry.certificates import KEYS_PATH
from registry.errors import DomainError
from starter.services import documents
from starter.web.core import Web, WebDep

router = APIRouter(include_in_schema=False)


def _address(page: Web) -> str | None:
    return page.request.client.host if page.request.client else None


@router.get("/verify")
async def verify_page(
    page: WebDep,
    certificate_no: Annotated[str | None, Query(max_length=64)] = None,
    check: Annotated[str | None, Query(max_length=64)] = None,
):
    """The certificate's standing now, and (in the browser) its signature."""
    no, code = (certificate_no or "").strip(), (check or "").strip().upper()
    context = {"no": no, "code": code, "keys_url": KEYS_PATH}
    if not (no and code):
        return page.render("verify.html", asked=bool(certificate_no or check), **context)
    try:
        await documents.spend(
            page.db, page.settings, _address(page), register.VERIFICATIONS_PER_ADDRESS
        )
        found = await documents.verify(page.db, no[:32], code[:16], page.lang)
    except DomainError as error:
        failure = await page.failed(error)
        unknown = error.code == "certificate_unknown"
        return page.render(
            "verify.html", error.status, asked=True, unknown=unknown,
            alert_text=None if unknown else failure.alert, **context,
        )  # fmt: skip
    return page.render("verify.html", asked=True, found=found, **context)


@router.get("/register")
async def register_form(page: WebDep):
    return page.render("register.html", v={})


@router.post("/register")
async def register_lookup(page: WebDep):
    """The lookup, posted: name and certificate number, or name and institution."""
    form = await page.form(max_fields=10)
    v = {
        key: str(form.get(key) or "").strip()[:128]
        for key in ("name", "certificate_no", "institution")
    }
    try:
        await documents.spend(page.db, page.settings, _address(page), register.LOOKUPS_PER_ADDRESS)
        found = await documents.look_up(
            page.db, v["name"][:64], v["certificate_no"][:32] or None, v["institution"] or None,
            page.lang,
        )  # fmt: skip
    except DomainError as error:
        failure = await page.failed(error)
        errors = {"name": failure.message} if error.code == "register_query" else {}
        alert = None if errors else failure.alert
        return page.render("register.html", error.status, v=v, errors=errors, alert_text=alert)
    return page.render("register.html", v=v, found=found, searched=True)
