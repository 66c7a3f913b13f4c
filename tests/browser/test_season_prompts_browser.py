"""Today's season prompts in a real browser, on fixed clocks: the letter of interest to an interviewed
top choice in late January, the SOAP list a week before Match Week, an invitation 40 hours old."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tracker.db import db
from tracker.models import Season
from tracker.season_dates import DEFAULTS_2026

pytestmark = pytest.mark.browser


def season_2026(app):
    with app.app_context():
        from tracker.store import current_season

        season = db.session.scalar(sa.select(Season).where(Season.current.is_(True))) or current_season()
        season.year = 2026
        season.set_dates(DEFAULTS_2026, confirmed=True)
        db.session.commit()


def test_late_january_asks_for_a_letter_to_the_top_choice(page, app, make_program, read_program):
    season_2026(app)
    now = dt.datetime(2026, 1, 28, 10, 0)
    app.config["TRACKER_NOW"] = now
    pid = make_program(name="Gary County Medical Center Program (Internal Medicine)", status="interviewed",
                       top_choice="yes", interview_date=dt.datetime(2026, 1, 20, 9, 0),
                       thank_you_sent=dt.date(2026, 1, 21))
    page.goto("/today")
    item = page.locator(f"#todo-letter-{pid}")
    expect(item).to_contain_text("Consider sending a sincere, specific letter of interest (or later a letter of intent)")
    expect(item).to_contain_text("25 February, 9 pm ET")

    item.get_by_role("button", name="Mark sent").click()

    expect(page.get_by_role("status").filter(has_text="Letter of interest marked sent")).to_be_visible()
    assert read_program(pid)["loi_sent"] == now.date()
    page.reload()
    expect(page.locator(f"#todo-letter-{pid}")).to_have_count(0)


def test_a_week_before_match_week_asks_for_a_soap_list(page, app, make_program):
    season_2026(app)
    app.config["TRACKER_NOW"] = dt.datetime(2026, 3, 9, 9, 0)
    make_program(name="Toledo Community Hospital Program (Family Medicine)", status="ranked")
    page.goto("/today")
    expect(page.locator("#season-match_week")).to_contain_text("Match Week starts in 7 days (16 March)")
    soap = page.locator("#season-soap-list")
    expect(soap).to_contain_text("Before SOAP, have a predefined list of programs and specialties.")
    soap.get_by_role("link", name="Open the SOAP list").click()
    page.wait_for_url("**f.soap_list=yes**")


def test_an_invitation_40_hours_old_says_to_answer_now(page, app, make_program):
    app.config["TRACKER_NOW"] = dt.datetime(2026, 11, 12, 0, 0)
    pid = make_program(name="Gary County Medical Center Program (Internal Medicine)", status="interview_invited",
                       invited_at=dt.datetime(2026, 11, 10, 8, 0))
    page.goto("/today")
    item = page.locator(f"#todo-invitation-{pid}")
    expect(item).to_contain_text("Invitation 40 hours old: answer now.")
    expect(item).to_contain_text("at least 48 hours")
    expect(item).to_contain_text("Due")


def test_the_season_dates_page_refuses_an_impossible_deadline_then_confirms(page, app):
    season_2026(app)
    with app.app_context():
        season = db.session.scalar(sa.select(Season).where(Season.current.is_(True)))
        season.dates_confirmed = False
        db.session.commit()
        sid = season.id
    page.goto("/seasons")
    page.get_by_role("link", name="Dates").click()
    expect(page.locator("#dates-state")).to_contain_text("To confirm")
    page.get_by_label("Rank-list deadline", exact=True).fill("2026-03-21")
    page.get_by_role("button", name="Confirm these dates").click()
    expect(page.get_by_role("alert").filter(has_text="after Match Day")).to_be_visible()
    page.get_by_label("Rank-list deadline", exact=True).fill("2026-02-25")
    page.get_by_role("button", name="Confirm these dates").click()
    expect(page.locator("#dates-state")).to_contain_text("Confirmed")
    with app.app_context():
        assert db.session.get(Season, sid).dates_confirmed is True
