"""The tracker on a phone (390 × 844, touch) and the grid on a desktop (1440 wide), in a real browser.

On a phone the page never scrolls sideways, the top menu sits behind a Menu button, each program
is a card (name, tier, status, next step) that opens its form, and a field is edited there by
tapping. At 1440 px the grid is as it was: no card is shown, or even asked for.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 25, 12, 0)
GARY = "Gary County Medical Center Program (Internal Medicine)"
TOLEDO = "Toledo Community Hospital Program (Family Medicine)"


@pytest.fixture
def phone(browser, live_server, app):
    app.config["TRACKER_NOW"] = NOW
    ctx = browser.new_context(base_url=live_server, locale="en-US", timezone_id="UTC",
                              viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    ctx.set_default_timeout(10_000)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def fits_the_screen(page: Page) -> None:
    """Nothing sticks out sideways. On a phone the layout viewport grows to what overflows it, so
    innerWidth is checked too: still the phone's 390 px."""
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert inner_width == 390
    assert scroll_width <= inner_width


def open_programs(page: Page) -> None:
    page.goto("/today")  # the first page of a browser session in season is Today
    page.goto("/")


def test_on_a_phone_a_card_opens_the_form_and_a_tap_edits_a_field(phone, make_program, read_program):
    page = phone
    gary = make_program(name=GARY, status="interviewed", tier_override="likely", interview_date=NOW - dt.timedelta(hours=30))
    toledo = make_program(name=TOLEDO, tier_override="possible")
    open_programs(page)

    card = page.get_by_role("article", name=GARY)
    expect(card).to_be_visible()
    expect(page.locator("#grid")).to_be_hidden()
    fits_the_screen(page)
    expect(card.get_by_role("heading", name=GARY)).to_be_visible()
    expect(card).to_contain_text("Likely")
    expect(card).to_contain_text("Interviewed")
    expect(card).to_contain_text("Send a thank-you (due): Interviewed Tue Nov 24, 06:00; send by Fri Nov 27, 06:00")
    other = page.get_by_role("article", name=TOLEDO)
    expect(other).to_contain_text("Possible")
    expect(other).to_contain_text("Researching")
    expect(other).to_contain_text("Apply: Tier 2, not applied yet")

    # the menu: behind its button, opened and closed by a tap
    dashboard = page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")
    expect(dashboard).to_be_hidden()
    menu = page.locator(".menu > summary")
    menu.tap()
    expect(dashboard).to_be_visible()
    fits_the_screen(page)
    menu.tap()
    expect(dashboard).to_be_hidden()

    # searching narrows the cards (the filters replace the grid's area; its cards load again)
    page.get_by_role("searchbox", name="Search name, city and notes").fill("toledo")
    expect(page.get_by_role("article", name=GARY)).to_have_count(0)
    expect(page.get_by_role("article", name=TOLEDO)).to_be_visible()
    page.get_by_role("searchbox", name="Search name, city and notes").fill("")
    expect(page.get_by_role("article", name=GARY)).to_be_visible()

    # a tap anywhere on the card (not only on its name) opens the program's form
    box = page.get_by_role("article", name=GARY).bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] - 20, box["y"] + box["height"] - 10)
    page.wait_for_url(f"**/programs/{gary}")
    expect(page.get_by_role("heading", level=1, name=GARY)).to_be_visible()
    fits_the_screen(page)

    status = page.get_by_label("Status", exact=True)
    status.tap()
    status.select_option("interview_scheduled")
    page.get_by_label("Rural").tap()
    save = page.get_by_role("button", name="Save")
    expect(save).to_be_in_viewport()  # within reach wherever the form is scrolled to
    save.tap()
    expect(page.get_by_role("status")).to_contain_text("Saved 2 changes")
    stored = read_program(gary)
    assert stored["status"] == "interview_scheduled" and stored["mission_tags"] == ["rural"]
    assert read_program(toledo)["status"] == "researching"


def test_the_cards_are_reached_from_the_keyboard(phone, make_program):
    page = phone
    gary = make_program(name=GARY)
    open_programs(page)
    link = page.get_by_role("article", name=GARY).get_by_role("link", name=GARY)
    expect(link).to_be_visible()
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("a => document.activeElement === a"):
            break
    else:
        pytest.fail("Tab never reached the card")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/programs/{gary}")


def test_at_1440_px_the_grid_is_as_it_was(page, app, make_program, read_program, every_column):
    app.config["TRACKER_NOW"] = NOW
    page.set_viewport_size({"width": 1440, "height": 900})
    gary = make_program(name=GARY, city="Gary")
    asked = []
    page.on("request", lambda r: asked.append(r.url) if urlsplit(r.url).path == "/cards" else None)
    open_programs(page)

    expect(page.locator("#grid")).to_be_visible()
    expect(page.locator(f"#p-{gary}")).to_be_visible()
    expect(page.locator("#cards")).to_be_hidden()
    expect(page.locator(".card-list")).to_have_count(0)
    # the menu shows every link in one row, without a button
    expect(page.locator(".menu > summary")).to_be_hidden()
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(links).to_have_count(11)
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(11)}
    assert len(tops) == 1
    page.keyboard.press("Tab")  # the skip link, the brand, the season's name, then the menu's first link
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    # a click on a cell still edits it in place
    page.locator(f'#p-{gary} > [data-f="city"]').click()
    editor = page.locator(f'#p-{gary} > [data-f="city"] input')
    expect(editor).to_be_focused()
    editor.fill("Merrillville")
    editor.press("Enter")
    expect(page.locator(f'#p-{gary} > [data-f="city"]')).to_have_text("Merrillville")
    assert read_program(gary)["city"] == "Merrillville"
    assert asked == []
