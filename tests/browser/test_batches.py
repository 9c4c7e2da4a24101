"""Collective registration in the browser: a clerk uploads the intake and watches it filed."""

from playwright.async_api import expect

from tests.browser.helpers import shoot
from tests.browser.test_workbench import party
from tests.e2e.people import HUNAN, STAFF
from tests.e2e.test_batches import csv_bytes, qualified


async def test_a_clerk_files_an_intake_from_one_file(browser, stack, faker, tmp_path):
    people = await qualified(stack, faker, 3)
    rows = [[p["name"], p["id_number"], "clinical", "儿科"] for p in people]
    rows.append(["张无忌", "11010519491231002X", "clinical", "儿科"])  # no qualification record
    intake = tmp_path / "intake.csv"
    intake.write_bytes(csv_bytes(rows))
    wrong = tmp_path / "wrong.csv"
    wrong.write_bytes(b"name,id_number\n")

    async with party(browser, stack, STAFF[HUNAN]) as tab:
        await tab.get_by_role("link", name="集体办理").click()
        await expect(tab.get_by_role("heading", name="集体办理注册")).to_be_visible()
        await tab.get_by_label("名单文件（CSV，UTF-8）").set_input_files(str(wrong))
        await tab.get_by_role("button", name="上传并提交").click()
        await expect(tab.locator("#e-file")).to_contain_text("category, scope")
        await shoot(tab, "batch-upload-refused")

        await tab.get_by_label("名单文件（CSV，UTF-8）").set_input_files(str(intake))
        await tab.get_by_role("button", name="上传并提交").click()
        # The page follows the batch by itself until every row is processed.
        await expect(tab.get_by_role("heading", name="已全部处理")).to_be_visible(timeout=60_000)
        await expect(tab.get_by_role("status")).to_contain_text("已提交 3，未通过 1")
        await expect(tab.get_by_text("待现场提交纸质材料").first).to_be_visible()
        await expect(tab.get_by_text("qualification_missing")).to_be_visible()
        assert "张无忌" not in await tab.content()  # names masked
        await shoot(tab, "batch-progress")

        await tab.get_by_role("link", name="返回批次列表").click()
        await tab.get_by_label("名单文件（CSV，UTF-8）").set_input_files(str(intake))
        await tab.get_by_role("button", name="上传并提交").click()
        await expect(tab.get_by_text("该文件此前已上传")).to_be_visible()
        await expect(tab.get_by_role("status").last).to_contain_text("已提交 3，未通过 1")
