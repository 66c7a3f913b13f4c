"""The grid in a real browser: keyboard and mouse editing, refused values, cancel, two tabs, CSP.

Each test starts from a fresh database (the `app` fixture), seeds programs through the write
path (`make_program`), drives Debian's chromium against a live server and checks what a user
sees, then what is stored (`read_program`).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tracker.db import db
from tracker.models import Change

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("every_column")]  # cells beyond the first screen

FIRST = "Alpha Community Hospital Program (Internal Medicine)"
SECOND = "Beta University Medical Center Program (Family Medicine)"


def change_count(app, program_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(Change).where(Change.program_id == program_id)
        )


def cell(page: Page, program_id: int, key: str):
    return page.locator(f'#p-{program_id} > [data-f="{key}"]')


def open_grid(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#grid")).to_be_visible()


def tab_until_focused(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab from where the focus is until ``selector`` has it, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
    pytest.fail(f"{limit} presses of Tab never focused {selector}")


def is_cell_save(program_id: int, key: str):
    path = f"/programs/{program_id}/cells/{key}"
    return lambda r: r.request.method == "POST" and r.url.endswith(path)


def test_keyboard_edit_saves_and_survives_a_reload(page, make_program, read_program):
    first = make_program(name=FIRST, city="Springfield")
    second = make_program(name=SECOND, city="Riverside")
    open_grid(page)

    # Tabbing through the page reaches the table itself (it is in the tab order).
    tab_until_focused(page, "#grid")
    expect(page.locator("#grid")).to_be_focused()

    # An arrow key enters the grid on the first cell; then down one row and right to City.
    page.keyboard.press("ArrowDown")
    expect(cell(page, first, "name")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(cell(page, second, "name")).to_be_focused()
    columns = page.locator(f"#p-{second} > [data-f]").evaluate_all("cs => cs.map(c => c.dataset.f)")
    for _ in range(columns.index("city")):  # right from Program, one column at a time
        page.keyboard.press("ArrowRight")
    city = cell(page, second, "city")
    expect(city).to_be_focused()
    expect(city).to_have_class(re.compile(r"\bactive\b"))

    page.keyboard.press("Enter")
    editor = city.locator("input[name=value]")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Riverside")

    page.keyboard.type("Oakland")  # the editor's text is selected, so typing replaces it
    with page.expect_response(is_cell_save(second, "city")) as saved:
        page.keyboard.press("Enter")
    assert saved.value.status == 200

    expect(city.locator("input")).to_have_count(0)
    expect(city).to_have_text("Oakland")
    expect(city).to_be_focused()  # focus comes back to the saved cell

    page.reload()
    expect(cell(page, second, "city")).to_have_text("Oakland")
    expect(cell(page, first, "city")).to_have_text("Springfield")

    stored = read_program(second)
    assert stored["city"] == "Oakland"
    assert stored["version"] == 2
    assert read_program(first)["city"] == "Springfield"


def test_clicking_a_choice_cell_opens_a_select_and_saves_the_choice(page, make_program, read_program):
    pid = make_program(name=FIRST)
    open_grid(page)
    status = cell(page, pid, "status")
    expect(status).to_have_text("Researching")

    status.click()
    select = status.locator("select[name=value]")
    expect(select).to_be_focused()
    expect(select).to_have_value("researching")

    select.select_option("interview_invited")
    with page.expect_response(is_cell_save(pid, "status")) as saved:
        select.press("Enter")
    assert saved.value.status == 200

    expect(status.locator("select")).to_have_count(0)
    expect(status).to_have_text("Interview invited")
    expect(status.locator(".badge.b-interview_invited")).to_be_visible()
    assert read_program(pid)["status"] == "interview_invited"


def test_an_invalid_value_shows_the_message_in_the_cell_and_stores_nothing(app, page, make_program, read_program):
    pid = make_program(name=FIRST, positions=12)
    before = change_count(app, pid)
    open_grid(page)
    positions = cell(page, pid, "positions")
    expect(positions).to_have_text("12")

    positions.click()
    editor = positions.locator("input[name=value]")
    expect(editor).to_be_focused()
    editor.fill("twelve")
    with page.expect_response(is_cell_save(pid, "positions")) as saved:
        editor.press("Enter")
    assert saved.value.status == 422

    message = positions.locator(".cell-msg[role=alert]")
    expect(message).to_have_text("Positions: enter a whole number from 0 to 500.")
    expect(positions).to_have_class(re.compile(r"\binvalid\b"))
    # What was typed stays in the editor, to be corrected, and the editor keeps focus.
    editor = positions.locator("input[name=value]")
    expect(editor).to_have_value("twelve")
    expect(editor).to_have_attribute("aria-invalid", "true")
    expect(editor).to_be_focused()
    expect(page.locator("#flash")).to_have_text("")  # not reported as a page-level error

    stored = read_program(pid)
    assert stored["positions"] == 12 and stored["version"] == 1
    assert change_count(app, pid) == before


def test_escape_cancels_an_edit(app, page, make_program, read_program):
    pid = make_program(name=FIRST, city="Springfield")
    before = change_count(app, pid)
    open_grid(page)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    city = cell(page, pid, "city")
    city.click()
    editor = city.locator("input[name=value]")
    expect(editor).to_be_focused()
    editor.fill("Shelbyville")
    with page.expect_response(lambda r: r.url.endswith(f"/programs/{pid}/cells/city")
                              and r.request.method == "GET"):
        editor.press("Escape")

    expect(city.locator("input")).to_have_count(0)
    expect(city).to_have_text("Springfield")
    expect(city).not_to_have_class(re.compile(r"\bediting\b"))

    # Moving focus elsewhere afterwards must not save the abandoned text either.
    page.locator("#new-name").click()
    expect(page.locator("#new-name")).to_be_focused()
    expect(city).to_have_text("Springfield")

    assert posts == []
    stored = read_program(pid)
    assert stored["city"] == "Springfield" and stored["version"] == 1
    assert change_count(app, pid) == before


def test_a_save_from_a_stale_tab_is_refused_and_shows_the_stored_value(page, make_program, read_program):
    pid = make_program(name=FIRST, city="Springfield")
    tab_a = page
    tab_b = page.context.new_page()
    open_grid(tab_a)
    open_grid(tab_b)

    # Tab A saves first.
    city_a = cell(tab_a, pid, "city")
    city_a.click()
    editor_a = city_a.locator("input[name=value]")
    expect(editor_a).to_be_focused()
    editor_a.fill("Oakland")
    with tab_a.expect_response(is_cell_save(pid, "city")) as saved_a:
        editor_a.press("Enter")
    assert saved_a.value.status == 200
    expect(city_a).to_have_text("Oakland")
    assert read_program(pid)["city"] == "Oakland"

    # Tab B still shows the row as it was when it loaded, and saves the same cell.
    city_b = cell(tab_b, pid, "city")
    expect(city_b).to_have_text("Springfield")
    city_b.click()
    editor_b = city_b.locator("input[name=value]")
    expect(editor_b).to_be_focused()
    editor_b.fill("Fresno")
    with tab_b.expect_response(is_cell_save(pid, "city")) as saved_b:
        editor_b.press("Enter")
    assert saved_b.value.status == 409

    row_b = tab_b.locator(f"#p-{pid}")
    message = row_b.locator('[data-f="city"] .cell-msg[role=alert]')
    expect(message).to_contain_text("Changed elsewhere since this page loaded")
    expect(message).to_contain_text("“Oakland”")
    expect(message).to_contain_text("Your “Fresno” was not saved")
    expect(cell(tab_b, pid, "city")).to_have_class(re.compile(r"\bconflict\b"))
    expect(cell(tab_b, pid, "city").locator("input")).to_have_count(0)
    expect(cell(tab_b, pid, "city")).to_be_focused()  # the redrawn row keeps the keyboard's place
    # The row now carries the stored version, so the next edit from tab B can save.
    expect(row_b).to_have_attribute("data-version", "2")

    stored = read_program(pid)
    assert stored["city"] == "Oakland" and stored["version"] == 2


def test_loading_and_editing_cause_no_csp_violation_or_page_error(page, make_program, read_program):
    pid = make_program(name=FIRST, website="https://example.org", contact_email="gme@example.org",
                       mission_tags=["rural"], positions=8)
    console: list[str] = []
    errors: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    # securitypolicyviolation events, recorded by a script the page's CSP does not govern.
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    open_grid(page)
    expect(page.locator(".shown")).to_have_text("1 program")
    positions = cell(page, pid, "positions")
    positions.click()
    editor = positions.locator("input[name=value]")
    expect(editor).to_be_focused()
    editor.fill("9")
    editor.press("Enter")
    expect(positions).to_have_text("9")
    assert read_program(pid)["positions"] == 9

    csp_console = [m for m in console if "content security policy" in m.lower()]
    assert csp_console == [], csp_console
    assert page.evaluate("window.__csp") == []
    assert errors == [], errors


def test_clicking_a_cell_after_scrolling_the_grid_edits_that_cell(page, make_program):
    """Regression: a press on a cell used to focus the <table>, which scrolled back to the
    previously active cell, so the click landed elsewhere and was lost (fixed in e9d567a)."""
    pid = make_program(name=FIRST, city="Springfield")
    open_grid(page)
    city = cell(page, pid, "city")
    city.click()
    expect(city.locator("input[name=value]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(city).to_be_focused()  # City is now the grid's active cell

    # The grid is wider than the window: scroll it to its right end, as with a trackpad.
    city.hover()
    page.mouse.wheel(10_000, 0)
    last = page.locator(f"#p-{pid} > td[data-f]").last  # the grid's last column, whichever it is
    expect(last).to_be_in_viewport()
    expect(city).not_to_be_in_viewport()

    last.click()
    expect(last.locator("[name=value]")).to_be_focused()
    expect(city).not_to_be_in_viewport()


# -- Regressions: an incomplete date warning, and Enter just after a refused value --------


def test_a_date_cell_takes_the_date_as_people_type_it(app, page, make_program, read_program):
    pid = make_program(name=FIRST)
    open_grid(page)
    sent = cell(page, pid, "thank_you_sent")
    sent.click()
    editor = sent.locator("input[name=value]")
    expect(editor).to_be_focused()
    expect(editor).to_have_attribute("type", "text")  # not the browser's mm/dd/yyyy control
    page.keyboard.type("2026-11-25")  # what the grid shows is what the editor takes
    page.keyboard.press("Enter")
    expect(sent).to_have_text("2026-11-25", timeout=2_000)
    assert str(read_program(pid)["thank_you_sent"]) == "2026-11-25"

    applied = cell(page, pid, "date_applied")
    applied.click()
    expect(applied.locator("input[name=value]")).to_be_focused()
    page.keyboard.type("10/1/2026")  # month first, as ERAS writes it
    page.keyboard.press("Enter")
    expect(applied).to_have_text("2026-10-01", timeout=2_000)
    assert str(read_program(pid)["date_applied"]) == "2026-10-01"


def test_enter_right_after_a_refused_value_saves_the_corrected_value(page, make_program, read_program):
    pid = make_program(name=FIRST, positions=12)
    open_grid(page)
    # htmx's default settle delay is 20 ms; widen that window so the race is deterministic.
    page.evaluate("htmx.config.defaultSettleDelay = 1500")
    positions = cell(page, pid, "positions")
    positions.click()
    editor = positions.locator("input[name=value]")
    expect(editor).to_be_focused()
    editor.fill("twelve")
    with page.expect_response(is_cell_save(pid, "positions")) as refused:
        editor.press("Enter")
    assert refused.value.status == 422
    expect(positions.locator(".cell-msg")).to_be_visible()
    expect(editor).to_be_focused()  # the new editor has focus already; the user corrects at once

    page.keyboard.press("Control+A")
    page.keyboard.type("14")
    with page.expect_response(
        lambda r: is_cell_save(pid, "positions")(r) or "value=" in r.url, timeout=3_000
    ) as answer:
        page.keyboard.press("Enter")
    assert answer.value.request.method == "POST", f"the page navigated to {answer.value.url}"
    assert answer.value.status == 200
    expect(positions).to_have_text("14")
    assert read_program(pid)["positions"] == 14
