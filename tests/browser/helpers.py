"""What the browser stories share: signing in through the page, screenshots, axe."""

import asyncio
import re

from axe_playwright_python.async_playwright import Axe
from sqlalchemy import select

from registry.db import session_scope
from registry.models import Account
from tests.browser.conftest import WIDTHS, screenshot_dir

_axe = Axe()
SERIOUS = ("serious", "critical")


async def sign_in(page, username: str, password: str) -> None:
    await page.goto("/login")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/me(/activation)?$"))


async def check_accessible(page, name: str) -> None:
    """axe-core finds no serious or critical violation; one h1 and a main landmark."""
    results = await _axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
    assert not bad, f"{name}: {bad}"
    assert await page.locator("h1").count() == 1, name
    assert await page.locator("main").count() == 1, name


async def shoot(page, name: str) -> None:
    """The page at phone and desktop width, into the screenshot folder; axe at both widths."""
    folder = screenshot_dir()
    for label, (width, height) in WIDTHS.items():
        await page.set_viewport_size({"width": width, "height": height})
        await check_accessible(page, f"{name} at {width}px")
        # caret and animations as they are: hiding them would inject a style the CSP refuses
        await page.screenshot(
            path=folder / f"{name}-{label}-{width}.png",
            full_page=True,
            caret="initial",
            animations="allow",
        )
    await page.set_viewport_size(dict(zip(("width", "height"), WIDTHS["desktop"], strict=True)))


async def account_id(stack, username: str) -> int:
    async with session_scope(stack.settings.database_url) as session:
        return await session.scalar(select(Account.id).where(Account.username == username))


async def code_sent_to(stack, to: str, seen: int = 0) -> str:
    """The 6-digit code in the newest message to ``to`` beyond the ``seen`` first ones."""
    return await stack.next_code(to, seen)


async def message_count(stack, to: str) -> int:
    return len(await stack.messages(to))


async def eventually(check, timeout: float = 20) -> None:
    for _ in range(int(timeout / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("never happened")
