"""Typing at full speed on a slow machine: every key reaches the cell it was meant for, in order.

Each test throttles Chromium's CPU 4× (CDP Emulation.setCPUThrottlingRate), types with
Playwright's default delay of 0 ms per key, and then checks what the database holds.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COLUMNS = ("name", "city", "state", "positions", "img_percent", "notes", "status", "date_applied", "contact_email")


def cell(page, pid, key):
    return page.locator(f'#p-{pid} > [data-f="{key}"]')


@pytest.fixture
def rows(make_program):
    """Five programs, in the grid's order (by name)."""
    return [make_program(name=f"{letter} Program", city="Nowhere") for letter in "ABCDE"]


@pytest.fixture
def slow_page(page, rows):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    query = "&".join(f"col={c}" for c in COLUMNS)
    page.goto(f"/?sort=name&{query}")
    expect(page.locator("#grid")).to_be_visible()
    return page


def start_on(page, pid, key):
    """Put the grid's active cell on (pid, key) without an editor open."""
    cell(page, pid, key).click()
    expect(cell(page, pid, key).locator("form.editor")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(cell(page, pid, key)).to_be_focused()


def settled(page, read, pid, key, expected, timeout=15):
    """Wait until the queue has drained (no editor, no request in flight), then read the store."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = read(pid)[key]
        if value == expected:
            return value
        page.wait_for_timeout(100)
    return read(pid)[key]


def test_numbers_typed_with_enter_between_go_into_successive_rows(slow_page, rows, read_program):
    start_on(slow_page, rows[0], "positions")
    slow_page.keyboard.type("41\n42\n43\n44\n")
    assert settled(slow_page, read_program, rows[3], "positions", 44) == 44
    assert [read_program(p)["positions"] for p in rows] == [41, 42, 43, 44, None]
    expect(cell(slow_page, rows[4], "positions")).to_be_focused()  # the cell below the last one typed
    slow_page.reload()
    expect(cell(slow_page, rows[1], "positions")).to_have_text("42")


def test_words_typed_into_a_long_text_column_each_land_in_their_own_row(slow_page, rows, read_program):
    start_on(slow_page, rows[0], "notes")
    slow_page.keyboard.type("one\ntwo words\nthree\nfour\nfive\n")
    assert settled(slow_page, read_program, rows[4], "notes", "five") == "five"
    assert [read_program(p)["notes"] for p in rows] == ["one", "two words", "three", "four", "five"]


def test_tab_shift_tab_and_arrows_between_values_keep_every_value_in_its_cell(slow_page, rows, read_program):
    start_on(slow_page, rows[0], "city")
    keys = slow_page.keyboard
    keys.type("Houston")
    keys.press("Tab")  # saves, moves right to State
    keys.press("Shift+Tab")  # back to City, without editing
    keys.press("ArrowDown")
    keys.type("Dallas")
    keys.press("Enter")  # saves row 2, moves down to row 3
    keys.type("Austin")
    keys.press("ArrowUp")  # a value typed on a cell is committed by an arrow, as in a spreadsheet
    keys.type("Plano")
    keys.press("Tab")
    keys.type("tx")  # State: typing picks the choice by its prefix
    keys.press("Enter")
    assert settled(slow_page, read_program, rows[1], "state", "TX") == "TX"
    stored = [read_program(p) for p in rows[:3]]
    assert [s["city"] for s in stored] == ["Houston", "Plano", "Austin"]
    assert [s["state"] for s in stored] == [None, "TX", None]


def test_typing_a_prefix_on_a_choice_picks_it_and_enter_keeps_it(slow_page, rows, read_program):
    start_on(slow_page, rows[0], "state")
    slow_page.keyboard.type("NY\nca\nte\n")  # te: Tennessee before Texas
    assert settled(slow_page, read_program, rows[2], "state", "TN") == "TN"
    assert [read_program(p)["state"] for p in rows[:3]] == ["NY", "CA", "TN"]

    start_on(slow_page, rows[0], "status")
    slow_page.keyboard.type("int\napp\nw\n")
    assert settled(slow_page, read_program, rows[2], "status", "will_apply") == "will_apply"
    assert [read_program(p)["status"] for p in rows[:3]] == ["interview_invited", "applied", "will_apply"]


def test_dates_typed_as_people_write_them_are_all_read_the_same_way(app, slow_page, rows, read_program):
    start_on(slow_page, rows[0], "date_applied")
    slow_page.keyboard.type("2026-10-01\n10/1/2026\n1 Oct 2026\nOct 1\ntoday\n")
    today = app.config["TRACKER_NOW"].date()  # the tracker's today
    assert settled(slow_page, read_program, rows[4], "date_applied", today) == today
    assert [read_program(p)["date_applied"] for p in rows[:4]] == [dt.date(2026, 10, 1)] * 4
    expect(cell(slow_page, rows[0], "date_applied")).to_have_text("2026-10-01")


def test_a_refused_value_keeps_its_editor_and_message_and_nothing_else_is_written(slow_page, rows, read_program):
    start_on(slow_page, rows[0], "positions")
    slow_page.keyboard.type("12\nlots\n")
    editor = cell(slow_page, rows[1], "positions").locator("input[name=value]")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("lots")
    expect(cell(slow_page, rows[1], "positions").locator(".cell-msg[role=alert]")).to_contain_text("whole number")
    slow_page.keyboard.press("Control+a")
    slow_page.keyboard.type("7\n")
    assert settled(slow_page, read_program, rows[1], "positions", 7) == 7
    assert read_program(rows[0])["positions"] == 12


def test_the_editor_says_how_it_reads_a_date_before_it_is_saved(page, rows, read_program):
    page.goto("/?col=name&col=date_applied")
    cell(page, rows[0], "date_applied").click()
    editor = cell(page, rows[0], "date_applied").locator("input[name=value]")
    editor.fill("3/4/2026")
    expect(cell(page, rows[0], "date_applied").locator(".cell-read")).to_have_text(
        "Reads as Wed 4 Mar 2026 (2026-03-04)")
    editor.fill("31/4")
    expect(cell(page, rows[0], "date_applied").locator(".cell-read.bad")).to_be_visible()
    editor.fill("13/4/2026")  # a day above 12 comes first
    expect(cell(page, rows[0], "date_applied").locator(".cell-read")).to_contain_text("13 Apr 2026")
    page.keyboard.press("Enter")
    expect(cell(page, rows[0], "date_applied")).to_have_text("2026-04-13")
    assert read_program(rows[0])["date_applied"] == dt.date(2026, 4, 13)


def test_an_email_column_takes_typed_keys_in_order(slow_page, rows, read_program):
    start_on(slow_page, rows[0], "contact_email")
    slow_page.keyboard.type("pd@a.org\nc@b.edu\n")
    assert settled(slow_page, read_program, rows[1], "contact_email", "c@b.edu") == "c@b.edu"
    assert read_program(rows[0])["contact_email"] == "pd@a.org"
