"""Browser tests: Debian's Chromium driven by Playwright against the real stack.

The stack is the end-to-end one (``tests/conftest.py``: dev server, worker, API over HTTP,
SMTP sink). Chromium comes from ``EREG_TEST_CHROMIUM`` or the ``PATH`` (``chromium``, then
``chromium-headless-shell``), launched through ``executable_path``: Playwright never downloads
a browser. Without one, these tests are skipped and the summary says so and why.

Each story runs in a fresh browser context that fails its test if any request leaves the app's
origin. Screenshots go to ``build/screenshots/`` (``EREG_SCREENSHOT_DIR``).
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio

ROOT = Path(__file__).resolve().parents[2]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}


def chromium() -> str | None:
    """The Chromium to drive: the setting, else the first found on the PATH."""
    configured = os.environ.get("EREG_TEST_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-headless-shell")


SKIP_REASON = (
    "no Chromium: set EREG_TEST_CHROMIUM or install Debian's chromium "
    "(apt-get install chromium chromium-headless-shell fonts-wqy-microhei)"
)
_skipped: list[str] = []


def pytest_collection_modifyitems(config, items):
    if chromium():
        return
    marker = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(marker)
            _skipped.append(item.nodeid)


def pytest_terminal_summary(terminalreporter):
    """Never skipped silently: the summary says the browser tests did not run, and why."""
    if _skipped:
        terminalreporter.write_sep("=", "browser tests skipped", yellow=True)
        terminalreporter.write_line(f"{len(_skipped)} browser tests did not run: {SKIP_REASON}")


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("EREG_SCREENSHOT_DIR") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session", autouse=True)
def _record_logs(recorded_logs):
    return recorded_logs


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium(), args=FLAGS)
        yield launched
        await launched.close()


class Foreign:
    """Requests that tried to leave the app's origin (each was aborted)."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.urls: list[str] = []

    async def route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" == self.origin:
            await route.continue_()
        else:
            self.urls.append(url)
            await route.abort()


@pytest_asyncio.fixture(loop_scope="session")
async def context(browser, stack):
    """A fresh browser (no cookies) at desktop width; fails the test on any foreign request."""
    origin = str(stack.api.base_url).rstrip("/")
    foreign = Foreign(origin)
    ctx = await browser.new_context(
        base_url=origin,
        locale="zh-CN",  # Chromium asks for English otherwise
        viewport=dict(zip(("width", "height"), WIDTHS["desktop"], strict=True)),
    )
    await ctx.route("**/*", foreign.route)
    ctx.set_default_timeout(15_000)
    yield ctx
    await ctx.close()
    assert not foreign.urls, f"requests left the app's origin: {foreign.urls}"


@pytest_asyncio.fixture(loop_scope="session")
async def page(context):
    tab = await context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: dialogs.append(dialog.message))
    errors: list[str] = []
    # A page answered with an error status is logged by Chromium as "Failed to load resource":
    # stories provoke those on purpose (a wrong code is a 400 page). Anything else is a fault.
    tab.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    assert not dialogs, f"a script ran and opened a dialog: {dialogs}"
    assert not errors, f"the page logged errors (CSP refusals included): {errors}"
