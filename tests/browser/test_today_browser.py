"""Today in a real browser: marking a thank-you sent in place."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 25, 12, 0)


def test_marking_a_thank_you_sent_from_today(page, app, make_program, read_program):
    app.config["TRACKER_NOW"] = NOW
    pid = make_program(name="Gary County Medical Center Program (Internal Medicine)", status="interviewed",
                       interview_date=NOW - dt.timedelta(hours=30))
    other = make_program(name="Toledo Community Hospital Program (Family Medicine)", status="interviewed",
                         interview_date=NOW - dt.timedelta(hours=80))
    page.goto("/today")
    page.evaluate("window.notReloaded = true")
    item = page.locator(f"#todo-thank_you-{pid}")
    expect(item).to_contain_text("Due")
    expect(page.locator(f"#todo-thank_you-{other}")).to_contain_text("Overdue")

    item.get_by_role("button", name="Mark sent").click()

    done = page.get_by_role("status").filter(has_text="Thank-you marked sent")
    expect(done).to_contain_text("Gary County Medical Center Program (Internal Medicine)")
    expect(page.locator(f"#todo-thank_you-{other}")).to_be_visible()  # the others stay
    assert page.evaluate("window.notReloaded") is True
    assert read_program(pid)["thank_you_sent"] == dt.date(2026, 11, 25)
    page.reload()
    expect(page.locator(f"#todo-thank_you-{pid}")).to_have_count(0)
