"""Starting a season in a real browser: the required confirmation stops a start without it, and
once ticked the season starts and every page's header names the new season. No CSP violation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tracker.db import db
from tracker.models import Season

pytestmark = pytest.mark.browser


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "content security policy" in m.text.lower() else None)
    return errors


def seasons(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Season.year).order_by(Season.year)))


def test_starting_a_season_through_the_confirmation_changes_the_label(app, page, make_program):
    make_program(name="Kept Program")
    errors = watch(page)
    page.goto("/seasons")
    year = seasons(app)[-1]
    label = page.locator("header .season-label")
    expect(label).to_have_text(f"{year} Match")
    start = page.get_by_role("button", name="Start it, copying 1 programs")
    start.click()  # the confirmation is not ticked: the browser keeps the form
    page.wait_for_timeout(200)
    assert seasons(app) == [year]
    expect(label).to_have_text(f"{year} Match")

    page.get_by_label("Yes, start this season").check()
    with page.expect_navigation():
        start.click()
    expect(page.locator("#flash")).to_contain_text(f"Started the {year + 1} Match season")
    expect(page.locator("header .season-label")).to_have_text(f"{year + 1} Match")
    assert seasons(app) == [year, year + 1]
    page.goto("/profile")
    expect(page.locator("header .season-label")).to_have_text(f"{year + 1} Match")
    assert errors == []
