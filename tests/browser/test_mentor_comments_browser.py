"""A mentor's returned workbook in a real browser: its cell notes listed in the preview, then a
corner mark on the grid's cell that reads the comment on hover, kept when the cell is edited;
the row the mentor deleted offered for deletion, and kept when not ticked."""

from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.comments import Comment
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GARY = "Gary County Medical Center Program (Internal Medicine)"
TOLEDO = "Toledo University Hospital Program (Internal Medicine)"


def test_a_mentors_comment_comes_back_to_its_cell(page, make_program, read_program, tmp_path):
    gary = make_program(name=GARY, state="IN", status="applied")
    toledo = make_program(name=TOLEDO, state="OH")
    exported = page.request.get("/export.xlsx?tier=all")
    assert exported.status == 200
    wb = openpyxl.load_workbook(io.BytesIO(exported.body()))
    ws = wb["Programs"]
    status = [c.value for c in ws[1]].index("Application status") + 1
    line = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(line[GARY], status).comment = Comment("Ask about the J-1 waiver", "Dr. Okafor")
    ws.delete_rows(line[TOLEDO])
    wb.save(tmp_path / "back.xlsx")

    page.goto("/imports")
    page.set_input_files("#file", str(tmp_path / "back.xlsx"))
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.get_by_role("heading", name="Comments in the mentor's copy (1)")).to_be_visible()
    expect(page.locator("tr.row-comment")).to_contain_text("Ask about the J-1 waiver")
    expect(page.get_by_role("heading", name="Removed in the mentor's copy (1)")).to_be_visible()
    expect(page.locator("tr.row-removed")).to_contain_text(TOLEDO)
    page.get_by_role("button", name="Apply the import").click()
    expect(page.get_by_role("status")).to_contain_text("1 mentor comments kept")

    page.goto("/")
    cell = page.locator(f'#p-{gary} > [data-f="status"]')
    mark = cell.locator(".note-mark")
    expect(mark).to_be_visible()
    expect(mark).to_have_attribute("title", "Dr. Okafor: Ask about the J-1 waiver")
    box, corner = cell.bounding_box(), mark.bounding_box()
    assert abs((box["x"] + box["width"]) - (corner["x"] + corner["width"])) < 3 and abs(box["y"] - corner["y"]) < 3
    cell.scroll_into_view_if_needed()
    mark.hover()
    page.screenshot(path="/tmp/wt21-grid.png")

    cell.click()  # editing the cell keeps the comment's mark
    select = cell.locator("select[name=value]")
    select.select_option("interview_invited")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/cells/status")):
        select.press("Enter")
    expect(cell).to_contain_text("Interview invited")
    expect(cell.locator(".note-mark")).to_have_attribute("title", "Dr. Okafor: Ask about the J-1 waiver")
    assert read_program(gary)["status"] == "interview_invited"
    assert read_program(toledo)["deleted_at"] is None  # removed in the mentor's copy, kept here

    page.goto(f"/programs/{gary}")
    expect(page.locator("tr.mentor-comment")).to_contain_text("Ask about the J-1 waiver")
    page.screenshot(path="/tmp/wt21-program.png", full_page=True)
