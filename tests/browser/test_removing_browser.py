"""Removing things in a real browser: the demo programs go in one action (with a confirmation) and
one Undo brings them back; two ticked rows are deleted from the bulk bar (the confirmation says
how many) and restored together from the Deleted page. No CSP violation on the way."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tracker.db import db
from tracker.demo import demo_programs
from tracker.models import Program

pytestmark = pytest.mark.browser

DEMO = len(list(demo_programs()))
MINE = "Riverside County Medical Center Program (Internal Medicine)"


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "content security policy" in m.text.lower() else None)
    return errors


def live(app, demo: bool | None = None) -> list[int]:
    with app.app_context():
        query = sa.select(Program.id).where(Program.deleted_at.is_(None)).order_by(Program.id)
        if demo is not None:
            query = query.where(Program.demo.is_(demo))
        return list(db.session.scalars(query))


def test_remove_the_demo_programs_then_undo_brings_them_back(app, runner, page, make_program):
    assert runner.invoke(args=["demo"]).exit_code == 0
    mine = make_program(name=MINE)
    errors = watch(page)
    page.goto("/")
    expect(page.locator("#rows .demo-mark")).to_have_count(DEMO)
    expect(page.locator(f"#p-{mine} .demo-mark")).to_have_count(0)
    notice = page.locator("#demo-notice")
    expect(notice).to_contain_text(f"The list holds {DEMO} demo programs")

    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    notice.get_by_role("button", name="Remove the demo programs").click()
    page.wait_for_timeout(200)
    assert asked and asked[0].startswith(f"Remove the {DEMO} demo programs?")
    assert len(live(app, demo=True)) == DEMO  # dismissed: nothing removed

    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        notice.get_by_role("button", name="Remove the demo programs").click()
    expect(page.locator("#flash")).to_contain_text(f"Removed the {DEMO} demo programs.")
    expect(page.locator("#rows > tr")).to_have_count(1)
    expect(page.locator("#demo-notice")).not_to_contain_text("demo programs")
    assert live(app) == [mine]

    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/undo")):
        page.click("#undo")
    expect(page.locator("#flash")).to_contain_text(f"Undid deleting {DEMO} programs.")
    expect(page.locator("#rows > tr")).to_have_count(DEMO + 1)
    expect(page.locator("#rows .demo-mark")).to_have_count(DEMO)
    expect(page.locator("#demo-notice")).to_contain_text(f"The list holds {DEMO} demo programs")
    assert len(live(app, demo=True)) == DEMO

    # the notice the undo brought back is a working form: remove them again from it
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.locator("#demo-notice form").get_by_role("button", name="Remove the demo programs").click()
    expect(page.locator("#flash")).to_contain_text(f"Removed the {DEMO} demo programs.")
    assert live(app) == [mine]
    assert errors == [], errors


def test_bulk_delete_two_rows_then_restore_them_from_the_deleted_page(app, page, make_program):
    a, b, c = (make_program(name=n) for n in ("Alpha County IM", "Beta Community IM", "Gamma Public FM"))
    errors = watch(page)
    page.goto("/")
    page.check(f"#p-{a} td.sel input")
    page.check(f"#p-{c} td.sel input")
    expect(page.locator("#bulk-count")).to_have_text("2 selected")

    asked: list[str] = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/programs/bulk/delete")):
        page.click("#bulk-delete")
    assert asked and asked[0].startswith("Delete 2 programs?")
    expect(page.locator(f"#p-{a}")).to_have_count(0)
    expect(page.locator(f"#p-{c}")).to_have_count(0)
    expect(page.locator(f"#p-{b}")).to_be_visible()
    expect(page.locator("#flash")).to_contain_text("Deleted 2 programs.")
    expect(page.locator("#undo")).to_be_enabled()
    assert live(app) == [b]

    page.goto("/programs/deleted")
    expect(page.locator("table.deleted-list tbody tr")).to_have_count(2)
    page.check("#select-deleted")
    expect(page.locator("[data-count-for=restore-selected]")).to_have_text("2 selected")
    with page.expect_navigation():
        page.get_by_role("button", name="Restore selected").click()
    expect(page.locator("#flash")).to_contain_text("Restored 2 programs (Alpha County IM, Gamma Public FM).")
    expect(page.locator("main")).to_contain_text("Nothing deleted.")
    assert live(app) == [a, b, c]

    page.goto("/")
    expect(page.locator("#rows > tr")).to_have_count(3)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/undo")):
        page.click("#undo")  # one undo takes the whole restore back
    expect(page.locator("#flash")).to_contain_text("Undid restoring 2 programs.")
    expect(page.locator("#rows > tr")).to_have_count(1)
    assert live(app) == [b]
    assert re.search(r"Undo", page.locator("#undo").inner_text())
    assert errors == [], errors
