"""Public pages: the home page (what the system is, its entries, the 32 portals, the
businesses in words) and the language switch."""

from fastapi import APIRouter
from fastapi.responses import Response

from starter.services import applications
from starter.web import i18n
from starter.web.core import WebDep
from starter.web.reference import PROCESS, businesses, portals

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(page: WebDep):
    online, offline = businesses()
    return page.render(
        "home.html",
        online=online,
        offline=offline,
        portals=portals(),
        process=PROCESS,
        types=applications.types(),
    )


@router.post("/lang")
async def switch_language(page: WebDep) -> Response:
    """Keep the chosen language in a cookie and go back to the page it was chosen on."""
    form = await page.form()
    lang = form.get("lang")
    target = str(form.get("next") or "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = page.redirect(target)
    if lang in i18n.LANGS:
        response.set_cookie(
            i18n.COOKIE,
            str(lang),
            max_age=365 * 24 * 3600,
            path="/",
            secure=not page.settings.dev_mode,
            samesite="lax",
        )
    return response
