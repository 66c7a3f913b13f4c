"""Tiers in a real browser: a visa edit flips the tier badge and the counts without a reload."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tracker.db import db
from tracker.models import Profile
from tracker.tiers import retier_all

pytestmark = pytest.mark.browser


def open_programs(page):
    """Opening the tracker in the season lands on Today; the grid is one click away."""
    page.goto("/")
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    expect(page.locator("#grid")).to_be_visible()


@pytest.fixture
def j1_applicant(app):
    app.config["TRACKER_NOW"] = dt.datetime(2026, 11, 25, 9, 0)  # in the 2027 season, whatever today is
    with app.app_context():
        db.session.add(Profile(visa_needed="J-1", step2_ck=232, graduation_year=2023, season_year=2027,
                               usce_months=3, step1_attempts=1, step2_attempts=1))
        retier_all()
        db.session.commit()


def test_changing_the_visa_cell_flips_the_tier_badge_without_a_reload(page, app, j1_applicant, make_program,
                                                                      read_program):
    pid = make_program(name="Gary County Medical Center Program (Internal Medicine)",
                       visa_j1="yes", img_percent=45, non_us_img_count=5, setting="county")
    open_programs(page)
    tier = page.locator(f"#tier-{pid}")
    expect(tier.locator(".tier-badge")).to_have_text("Likely")
    expect(page.locator("#tier-chips .chip.t-likely b")).to_have_text("1")

    # the reasons show when the tier cell is hovered
    tier.hover()
    expect(page.locator(f"#why-{pid}")).to_be_visible()
    expect(page.locator(f"#why-{pid}")).to_contain_text("Sponsors J-1")
    expect(tier).to_have_attribute("aria-describedby", f"why-{pid}")  # what a screen reader reads with the tier

    page.evaluate("window.notReloaded = true")
    visa = page.locator(f'#p-{pid} > [data-f="visa_j1"]')
    visa.click()
    visa.locator("select").select_option("no")
    visa.locator("select").press("Enter")

    expect(tier.locator(".tier-badge")).to_have_text("Not eligible")
    expect(page.locator(f"#p-{pid}")).to_have_class(re.compile(r"\bt-not_eligible\b"))  # the row's stripe too
    expect(page.locator("#tier-chips .chip.t-likely b")).to_have_text("0")
    expect(page.locator("#tier-chips .chip.t-not_eligible b")).to_have_text("1")
    tier.hover()
    expect(page.locator(f"#why-{pid}")).to_contain_text("Does not sponsor J-1, which you need")
    assert page.evaluate("window.notReloaded") is True
    assert read_program(pid)["tier"] == "not_eligible"


def test_setting_a_tier_by_hand_shows_it_as_overridden(page, app, j1_applicant, make_program, read_program):
    pid = make_program(name="Peoria Public Health System Program (Internal Medicine)",
                       visa_j1="yes", img_percent=45, non_us_img_count=5, setting="county")
    open_programs(page)
    tier = page.locator(f"#tier-{pid}")
    tier.click()
    tier.locator("select").select_option("reach")
    tier.locator("select").press("Enter")
    expect(tier.locator(".tier-badge")).to_have_text("Reach")
    expect(tier.locator(".by-hand")).to_have_text("by you · auto: Likely")
    expect(page.locator("#tier-chips .chip.t-reach b")).to_have_text("1")
    assert read_program(pid)["tier_override"] == "reach"
