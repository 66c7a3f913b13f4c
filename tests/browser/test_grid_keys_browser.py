"""The grid as a spreadsheet in a real browser: keys, sort, search, filters, bulk edit."""

from __future__ import annotations

import re

import pytest
from grid_mouse import drag_column_edge
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("every_column")]  # cells beyond the first screen


def cell(page, pid, key):
    return page.locator(f'#p-{pid} > [data-f="{key}"]')


@pytest.fixture
def three(make_program):
    return [make_program(name=n, city=c, state=s, positions=p)
            for n, c, s, p in (("Alpha Program", "Akron", "OH", 10), ("Beta Program", "Boise", "ID", 20),
                               ("Gamma Program", "Gary", "IN", 30))]


def test_enter_saves_and_moves_down_tab_saves_and_moves_right(page, three, read_program):
    a, b, c = three
    page.goto("/")
    cell(page, a, "positions").click()
    expect(cell(page, a, "positions").locator("input[name=value]")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("11")
    page.keyboard.press("Enter")
    expect(cell(page, a, "positions")).to_have_text("11")
    expect(cell(page, b, "positions")).to_be_focused()  # moved down

    page.keyboard.type("21")  # typing on a cell starts editing it with that text
    editor = cell(page, b, "positions").locator("input[name=value]")
    expect(editor).to_have_value("21")
    page.keyboard.press("Tab")
    expect(cell(page, b, "positions")).to_have_text("21")
    expect(cell(page, b, "website")).to_be_focused()  # moved right

    page.keyboard.press("Home")
    expect(cell(page, b, "name")).to_be_focused()
    page.keyboard.press("Control+End")
    expect(cell(page, c, "name")).to_be_focused()
    page.keyboard.press("End")
    expect(page.locator(f"#p-{c} > [data-f]").last).to_be_focused()
    assert (read_program(a)["positions"], read_program(b)["positions"]) == (11, 21)


def test_keys_typed_while_the_editor_arrives_are_all_kept(page, three, read_program):
    a, b, c = three
    page.goto("/")
    # A slow machine: the editor replaces the cell, then takes a while to settle and focus.
    cell(page, b, "positions").click()
    expect(cell(page, b, "positions").locator("input[name=value]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(cell(page, b, "positions")).to_be_focused()
    page.evaluate("htmx.config.defaultSettleDelay = 400")
    page.keyboard.type("3")
    expect(cell(page, b, "positions").locator("input[name=value]")).to_be_attached()
    page.keyboard.type("4")  # swapped in, not yet focused: the key lands on the page
    editor = cell(page, b, "positions").locator("input[name=value]")
    expect(editor).to_have_value("34")
    page.keyboard.press("Enter")
    expect(cell(page, b, "positions")).to_have_text("34")
    assert read_program(b)["positions"] == 34


def test_escape_while_the_editor_is_on_its_way_leaves_the_cell_as_it_was(page, three, read_program):
    a, b, c = three
    page.goto("/")
    release = []
    page.route("**/cells/positions/edit", lambda route: release.append(route))  # a slow server
    cell(page, b, "positions").click()
    expect(cell(page, b, "positions")).to_be_focused()
    page.keyboard.press("Escape")
    for _ in range(100):  # the editor's request reaches the (held) route
        if release:
            break
        page.wait_for_timeout(50)
    assert len(release) == 1
    release[0].continue_()
    expect(cell(page, b, "positions").locator("input")).to_have_count(0)
    expect(cell(page, b, "positions")).to_have_text("20")
    expect(cell(page, b, "positions")).to_be_focused()
    page.keyboard.press("ArrowDown")  # the keyboard still moves from here
    expect(cell(page, c, "positions")).to_be_focused()
    assert read_program(b)["positions"] == 20


def test_sorting_by_headers_and_searching_keep_the_view_in_the_address(page, three):
    a, b, c = three
    page.goto("/")
    page.locator('th[data-f="positions"] a.sort').click()
    page.locator('th[data-f="positions"] a.sort').click()  # again: the other way
    expect(page).to_have_url(re.compile(r"sort=-positions"))
    expect(page.locator("#rows > tr").first).to_have_id(f"p-{c}")
    expect(page.locator('th[data-f="positions"]')).to_have_attribute("aria-sort", "descending")

    page.get_by_label("Search name, city and notes").fill("bo")
    expect(page.locator("#rows > tr")).to_have_count(1)
    expect(page.locator("#rows > tr").first).to_have_id(f"p-{b}")
    expect(page).to_have_url(re.compile(r"q=bo"))
    expect(page.get_by_role("status").filter(has_text="match")).to_have_text("1 program matches")
    page.go_back()
    expect(page.locator("#rows > tr")).to_have_count(3)


def test_a_filter_select_narrows_the_rows(page, three):
    a, b, c = three
    page.goto("/")
    page.get_by_role("search").get_by_label("State", exact=True).select_option("IN")
    expect(page.locator("#rows > tr")).to_have_count(1)
    expect(page.locator("#rows > tr").first).to_have_id(f"p-{c}")
    page.reload()
    expect(page.get_by_role("search").get_by_label("State", exact=True)).to_have_value("IN")


def test_bulk_edit_selected_rows_with_shift_click(page, three, read_program):
    a, b, c = three
    page.goto("/")
    page.get_by_role("checkbox", name="Select Alpha Program").click()
    page.get_by_role("checkbox", name="Select Gamma Program").click(modifiers=["Shift"])
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    page.get_by_role("checkbox", name="Select Beta Program").click()  # untick one
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.get_by_label("Change to make").select_option("status:applied")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("status").filter(has_text="Set status to Applied")).to_contain_text("2 programs")
    expect(cell(page, a, "status")).to_have_text("Applied")
    expect(cell(page, b, "status")).to_have_text("Researching")
    assert [read_program(i)["status"] for i in three] == ["applied", "researching", "applied"]


def test_save_a_view_and_come_back_to_it(page, three):
    a, b, c = three
    page.goto("/")
    page.get_by_role("search").get_by_label("State", exact=True).select_option("OH")
    expect(page.locator("#rows > tr")).to_have_count(1)
    page.get_by_label("Name for this view").fill("Ohio only")
    page.get_by_role("button", name="Save view").click()
    page.get_by_role("link", name="Clear all").click()
    expect(page.locator("#rows > tr")).to_have_count(3)
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Ohio only").click()
    expect(page.locator("#rows > tr")).to_have_count(1)
    expect(page.locator("#rows > tr").first).to_have_id(f"p-{a}")


def test_a_column_width_is_dragged_and_remembered(page, three):
    page.set_viewport_size({"width": 1920, "height": 900})  # the City header's edge on screen, for the mouse
    page.goto("/")
    header = page.locator('th[data-f="city"]')
    before = header.bounding_box()["width"]
    drag_column_edge(page, header, 120)
    assert abs(header.bounding_box()["width"] - (before + 120)) < 12
    page.reload()
    assert abs(page.locator('th[data-f="city"]').bounding_box()["width"] - (before + 120)) < 12


def test_a_column_width_is_changed_from_the_keyboard_and_remembered(page, three):
    a, b, c = three
    page.goto("/")
    header = page.locator('th[data-f="city"]')
    cell(page, a, "city").click()
    page.keyboard.press("Escape")
    expect(cell(page, a, "city")).to_be_focused()
    page.keyboard.press("Alt+ArrowRight")  # the first press fixes the column's width: measure from there
    before = header.bounding_box()["width"]
    for _ in range(3):
        page.keyboard.press("Alt+ArrowRight")
    expect(cell(page, a, "city")).to_be_focused()  # widening is not moving
    assert abs(header.bounding_box()["width"] - (before + 48)) < 3
    with page.expect_response(lambda r: r.url.endswith("/layout") and r.status == 204):  # the server keeps it
        page.keyboard.press("Alt+ArrowLeft")
    page.reload()
    assert abs(page.locator('th[data-f="city"]').bounding_box()["width"] - (before + 32)) < 3


def test_ctrl_z_undoes_a_bulk_edit_and_ctrl_shift_z_redoes_it_keeping_the_active_cell(page, three, read_program):
    a, b, c = three
    page.goto("/")
    page.get_by_role("checkbox", name="Select Alpha Program").click()
    page.get_by_role("checkbox", name="Select Gamma Program").click(modifiers=["Shift"])
    page.get_by_label("Change to make").select_option("status:applied")
    page.get_by_role("button", name="Apply to selected").click()
    expect(cell(page, c, "status")).to_have_text("Applied")
    expect(page.locator("#undo")).to_be_enabled()  # a bulk edit can be undone at once

    cell(page, b, "city").click()
    page.keyboard.press("Escape")
    expect(cell(page, b, "city")).to_be_focused()
    page.keyboard.press("Control+z")
    for pid in three:
        expect(cell(page, pid, "status")).to_have_text("Researching")
    assert [read_program(i)["status"] for i in three] == ["researching"] * 3
    expect(cell(page, b, "city")).to_be_focused()  # the redrawn rows keep the keyboard's place

    page.keyboard.press("Control+Shift+z")
    for pid in three:
        expect(cell(page, pid, "status")).to_have_text("Applied")
    assert [read_program(i)["status"] for i in three] == ["applied"] * 3
    expect(page.locator("#redo")).to_be_disabled()
    page.keyboard.press("ArrowDown")
    expect(cell(page, c, "city")).to_be_focused()


def test_after_deleting_the_active_row_the_keyboard_goes_on_from_the_row_below(page, three, read_program):
    a, b, c = three
    page.goto("/")
    cell(page, b, "city").click()
    page.keyboard.press("Escape")
    expect(cell(page, b, "city")).to_be_focused()
    page.once("dialog", lambda d: d.accept())
    page.locator(f"#p-{b} button.del").click()
    expect(page.locator(f"#p-{b}")).to_have_count(0)
    page.keyboard.press("ArrowUp")  # from Gamma's city, which took Beta's place
    expect(cell(page, a, "city")).to_be_focused()
    assert read_program(b)["deleted_at"] is not None


def test_an_undo_that_redraws_the_row_while_an_editor_loads_leaves_the_grid_usable(page, three, read_program):
    a, b, c = three
    page.goto("/")
    cell(page, b, "positions").click()
    cell(page, b, "positions").locator("input[name=value]").fill("25")
    page.keyboard.press("Enter")
    expect(cell(page, b, "positions")).to_have_text("25")

    held = []
    page.route("**/cells/city/edit", lambda route: held.append(route))
    cell(page, b, "city").click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    page.keyboard.press("Control+z")  # pressed while the editor is on its way: it waits its turn
    held[0].continue_()
    # The editor arrives unchanged, so Ctrl+Z closes it and takes back the last edit.
    expect(cell(page, b, "positions")).to_have_text("20")
    expect(cell(page, b, "city").locator("input")).to_have_count(0)
    expect(cell(page, b, "city")).to_be_focused()

    page.unroute("**/cells/city/edit")
    cell(page, b, "city").click()  # and the cell opens again
    editor = cell(page, b, "city").locator("input[name=value]")
    expect(editor).to_be_focused()
    editor.fill("Nampa")
    editor.press("Enter")
    expect(cell(page, b, "city")).to_have_text("Nampa")
    assert (read_program(b)["city"], read_program(b)["positions"]) == ("Nampa", 20)
