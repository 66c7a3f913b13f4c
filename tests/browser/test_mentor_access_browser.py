"""Issue #21's scenario in a real browser: an applicant invites a mentor, the mentor makes an account
from the link in a second browser, reads the list without being able to change it, comments on a
cell from the grid, and the applicant sees the comment in the grid and on Today."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tracker.changes import create_program
from tracker.db import db
from tracker.models import Change, MentorComment, Program
from tracker.tenancy import EVERY_OWNER, acting_as

from accounts_helpers import PASSWORD, make_account

pytestmark = pytest.mark.browser

GARY = "Gary County Medical Center Program (Internal Medicine)"
COMMENT = "Ask them about the J-1 waiver before you apply"


@pytest.fixture
def app(accounts_app):
    """The live server serves a hosted tracker (accounts on)."""
    return accounts_app


def stored(app) -> tuple:
    with app.app_context():
        every = {EVERY_OWNER: True}
        programs = db.session.execute(sa.select(Program.__table__), execution_options=every).all()
        logged = db.session.execute(sa.select(sa.func.count()).select_from(Change), execution_options=every).scalar()
        return [tuple(p) for p in programs], logged


def test_an_applicant_invites_a_mentor_who_reads_the_list_and_comments(app, browser, live_server, page):
    amal_id = make_account(app, "amal@example.org", name="Amal")
    with app.app_context(), acting_as(amal_id):
        program = create_program({"name": GARY, "state": "IN", "status": "applied"})
        db.session.commit()
        gary = program.id

    # The applicant signs in and makes an invitation link
    page.goto("/sign-in")
    page.get_by_label("Email").fill("amal@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(f"#p-{gary}")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mentors").click()
    page.get_by_label("Whom it is for").fill("Dr. Okafor")
    page.get_by_role("button", name="Make an invitation link").click()
    link = page.locator("#invite-link").input_value()
    assert link.startswith(live_server + "/invite/")
    page.screenshot(path="/tmp/wt21-mentors-invite.png", full_page=True)

    # The mentor, in a browser of their own, makes an account from the link
    mentor_context = browser.new_context(base_url=live_server, locale="en-US", timezone_id="UTC")
    mentor_context.set_default_timeout(10_000)
    try:
        mentor = mentor_context.new_page()
        mentor.goto(link)
        expect(mentor.get_by_role("heading", name="Amal invites you to read their list")).to_be_visible()
        mentor.get_by_label("Your name").fill("Dr. Okafor")
        mentor.get_by_label("Email").fill("okafor@example.org")
        mentor.get_by_label("Password", exact=True).fill(PASSWORD)
        mentor.get_by_label("Password again").fill(PASSWORD)
        mentor.get_by_role("button", name="Make the account and read Amal’s list").click()
        expect(mentor.locator("header .who")).to_contain_text("Reading Amal’s list")
        grid = mentor.locator("#grid")
        expect(grid).to_have_attribute("data-readonly", "true")
        expect(mentor.locator("form.add")).to_have_count(0)
        expect(mentor.locator("#bulk")).to_have_count(0)

        # Typing into a cell changes nothing: no editor opens, nothing is sent, nothing stored
        before = stored(app)
        posts = []
        mentor.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        city = mentor.locator(f'#p-{gary} > [data-f="status"]')
        city.click()
        expect(city).to_have_class("active")
        mentor.keyboard.type("interview")
        mentor.keyboard.press("Delete")
        mentor.keyboard.press("Control+d")
        mentor.wait_for_timeout(300)
        expect(mentor.locator("#rows form.editor")).to_have_count(0)
        expect(city).to_contain_text("Applied")
        assert posts == [] and stored(app) == before

        # Enter on the cell comments on it
        mentor.keyboard.press("Enter")
        dialog = mentor.locator("#comment-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("On")).to_have_value("status")
        dialog.get_by_label("Comment").fill(COMMENT)
        mentor.screenshot(path="/tmp/wt21-mentor-dialog.png")
        with mentor.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/programs/{gary}/comments")):
            dialog.get_by_role("button", name="Add the comment").click()
        expect(dialog).to_be_hidden()
        expect(city.locator(".note-mark")).to_have_attribute("title", f"Dr. Okafor: {COMMENT}")
        expect(mentor.locator("#flash")).to_contain_text("Your comment on Status is added")
        mentor.screenshot(path="/tmp/wt21-mentor-grid.png")
        assert stored(app)[0] == before[0]
        with app.app_context(), acting_as(amal_id):
            assert [(c.field, c.author, c.text) for c in db.session.scalars(sa.select(MentorComment))] == [
                ("status", "Dr. Okafor", COMMENT)]

        # The row's Comment link comments on the program as a whole
        mentor.get_by_role("link", name=f"Comment on {GARY}").click()
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("On")).to_have_value("")
        mentor.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    finally:
        mentor_context.close()

    # The applicant reloads: the comment is on the cell, and on Today
    page.goto("/?tier=all")
    expect(page.locator(f'#p-{gary} > [data-f="status"] .note-mark')).to_have_attribute(
        "title", f"Dr. Okafor: {COMMENT}")
    page.goto("/today")
    section = page.locator("section.from-mentors")
    expect(section.get_by_role("heading", name="From your mentors")).to_be_visible()
    expect(section).to_contain_text(COMMENT)
    expect(section).to_contain_text("Dr. Okafor")
    expect(section.get_by_role("link", name=GARY)).to_have_attribute("href", f"/programs/{gary}#mentor-comments")
    page.screenshot(path="/tmp/wt21-today.png", full_page=True)
