"""Undo and redo in a real browser: the rows and the message come back out of band (htmx 2),
a deleted row leaves and a restored one returns, with no CSP violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("every_column")]  # cells beyond the first screen

NAME = "Gary County Program (Internal Medicine)"


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "content security policy" in m.text.lower() else None)
    return errors


def click_and_wait(page: Page, selector: str, path: str) -> None:
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path)):
        page.click(selector)


def test_undo_and_redo_an_edit_a_delete_and_an_add_from_the_grid(page, make_program, read_program):
    pid = make_program(name=NAME, city="Gary")
    errors = watch(page)
    page.goto("/")
    expect(page.locator(f"#p-{pid}")).to_be_visible()

    city = page.locator(f'#p-{pid} > [data-f="city"]')
    city.click()
    editor = city.locator("input[name=value]")
    editor.fill("Hammond")
    editor.press("Enter")
    expect(city).to_have_text("Hammond")

    click_and_wait(page, "#undo", "/undo")
    expect(page.locator(f'#p-{pid} > [data-f="city"]')).to_have_text("Gary")
    expect(page.locator("#flash")).to_contain_text("Undid: City of")
    expect(page.locator("#redo")).to_be_enabled()
    click_and_wait(page, "#redo", "/redo")
    expect(page.locator(f'#p-{pid} > [data-f="city"]')).to_have_text("Hammond")
    assert read_program(pid)["city"] == "Hammond"

    page.once("dialog", lambda d: d.accept())
    page.click(f"#p-{pid} button.del")
    expect(page.locator(f"#p-{pid}")).to_have_count(0)
    click_and_wait(page, "#undo", "/undo")  # the row comes back, at the top
    expect(page.locator("#rows > tr").first).to_have_attribute("id", f"p-{pid}")
    assert read_program(pid)["deleted_at"] is None
    click_and_wait(page, "#redo", "/redo")  # and leaves again
    expect(page.locator(f"#p-{pid}")).to_have_count(0)
    assert read_program(pid)["deleted_at"] is not None

    page.fill("#new-name", "Northwest Indiana Program")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/programs")):
        page.click("form.add button[type=submit]")
    added = page.locator("#rows > tr", has_text="Northwest Indiana Program")
    expect(added).to_have_count(1)
    click_and_wait(page, "#undo", "/undo")
    expect(added).to_have_count(0)
    expect(page.locator("#flash")).to_contain_text("Undid: adding Northwest Indiana Program.")
    assert errors == [], errors


def test_the_recent_changes_page_undoes_with_a_plain_form(page, make_program, read_program):
    pid = make_program(name=NAME, city="Gary")
    errors = watch(page)
    page.goto(f"/programs/{pid}")
    page.fill("#city", "Hammond")
    page.click("button.primary")
    page.goto("/changes")
    expect(page.locator("table.changes")).to_contain_text("Hammond")
    page.click("form[action='/undo'] button")
    expect(page).to_have_url(re.compile(r"/changes$"))
    expect(page.locator("#flash")).to_contain_text("Undid: City of")
    assert read_program(pid)["city"] == "Gary"
    expect(page.locator("form[action='/undo'] button")).to_be_enabled()  # the add is still there
    assert errors == [], errors
