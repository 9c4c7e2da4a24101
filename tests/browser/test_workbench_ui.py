"""The operator follows a workflow from the audit page into the Temporal Web UI of the running
stack (the e2e dev server runs its UI with ``--ui-codec-endpoint`` at the e2e API's ``/codec``,
as ``ereg dev`` does) and reads the workflow's input decoded, not as ciphertext."""

import re

from playwright.async_api import expect

from tests.browser.conftest import WIDTHS, screenshot_dir
from tests.browser.test_workbench import party, registration


async def test_the_operator_reads_a_workflows_decoded_input_in_the_temporal_ui(
    browser, stack, faker
):
    _doc, no = await registration(stack, faker)
    async with party(browser, stack, "operator", home="/operator/audit") as operator:
        await operator.get_by_label("申请编号").fill(no)
        await operator.get_by_role("button", name="筛选").click()
        link = operator.get_by_role("link", name=f"application-{no}").first
        href = await link.get_attribute("href")
    # The UI is another origin (the dev server's): a context of its own, same viewport.
    ui = await browser.new_context(
        viewport=dict(zip(("width", "height"), WIDTHS["desktop"], strict=True))
    )
    try:
        tab = await ui.new_page()
        await tab.goto(href)
        await expect(tab.get_by_text(f"application-{no}").first).to_be_visible(timeout=30_000)
        # The input as the codec decoded it: the application's number and its institution.
        body = tab.locator("body")
        await expect(body).to_contain_text(
            re.compile(rf'"application_no":\s*"{no}"'), timeout=30_000
        )
        await expect(body).to_contain_text("H4301020001")
        await expect(body).not_to_contain_text("binary/encrypted")
        await tab.screenshot(path=screenshot_dir() / "op-temporal-ui-desktop-1280.png")
    finally:
        await ui.close()
