"""The programs as cards (a phone's view of the grid): each program's next step as Today computes
it, and the /cards answers (the list for the grid page, a page of its own without JavaScript)."""

import datetime as dt

import pytest

from tracker.reminders import next_steps, todays_list

NOW = dt.datetime(2026, 11, 25, 12, 0)
H = dt.timedelta(hours=1)


def program(pid, **values):
    known = {"visa_j1": "yes", "visa_h1b": "yes", "img_percent": 30}  # nothing to research unless a test says
    return {"id": pid, "name": f"Program {pid}", "version": 1, "status": "researching", **known, **values}


def test_a_programs_next_step_is_its_most_pressing_item_of_today():
    rows = [
        # an overdue thank-you before the follow-up planned for today
        program(1, status="interviewed", interview_date=NOW - 80 * H, follow_up_on=NOW.date()),
        program(2, status="interview_invited", follow_up_on=NOW.date()),  # the invitation first
        program(3, tier="likely", img_percent=None),  # applying comes before researching the IMG share
        program(4, tier="reach", visa_j1="unknown"),  # only research
        program(5, status="applied", tier="likely"),  # nothing due
        program(6, follow_up_on=NOW.date() + dt.timedelta(days=30)),  # too far ahead to be due
    ]
    steps = next_steps(todays_list(rows, NOW, profile={"visa_needed": "J-1"}))
    assert {pid: (item.kind, item.state) for pid, item in steps.items()} == {
        1: ("thank_you", "overdue"), 2: ("invitation", "due"), 3: ("apply", "likely"), 4: ("research", "")}
    assert steps[4].detail == "Unknown: J-1 sponsorship."


@pytest.fixture
def frozen(app):
    app.config["TRACKER_NOW"] = NOW
    return NOW


HTMX = {"HX-Request": "true"}


def test_the_cards_show_name_tier_status_and_next_step_and_open_the_form(client, frozen, make_program):
    gary = make_program(name="Gary County <b>Program</b>", status="interviewed", tier_override="likely",
                        interview_date=NOW - 30 * H)
    toledo = make_program(name="Toledo Community Program", status="applied", tier_override="reach")
    response = client.get("/cards", headers=HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.count("<article") == 2
    assert f'<h2 id="card-{gary}"><a href="/programs/{gary}">Gary County &lt;b&gt;Program&lt;/b&gt;</a></h2>' in body
    gary_card = body[body.index(f'id="card-{gary}"'):body.index(f'id="card-{toledo}"')]
    assert ">Likely</span>" in gary_card and ">Interviewed</span>" in gary_card
    assert "Send a thank-you (due):</strong> Interviewed Tue Nov 24, 06:00; send by Fri Nov 27, 06:00" in gary_card
    toledo_card = body[body.index(f'id="card-{toledo}"'):]
    assert ">Reach</span>" in toledo_card and ">Applied</span>" in toledo_card and "Nothing due" in toledo_card


def test_the_cards_follow_the_grids_view(client, frozen, make_program):
    make_program(name="Gary County Program", status="applied")
    make_program(name="Toledo Community Program", status="researching")
    body = client.get("/cards?f.status=applied", headers=HTMX).get_data(as_text=True)
    assert "Gary County Program" in body and "Toledo" not in body
    body = client.get("/cards?q=toledo", headers=HTMX).get_data(as_text=True)
    assert "Toledo Community Program" in body and "Gary" not in body


def test_the_grid_page_leaves_the_cards_to_a_narrow_screen(client, frozen, make_program):
    make_program(name="Gary County Program", status="applied")
    page = client.get("/?f.status=applied").get_data(as_text=True)
    assert '<div id="cards" class="cards" data-src="/cards?f.status=applied">' in page
    assert "card-list" not in page  # not rendered for a wide screen, which never shows them
    assert '<a href="/cards?f.status=applied">Open them as a list</a>' in page  # without JavaScript


def test_without_javascript_the_cards_are_a_page_of_their_own(client, frozen, make_program):
    pid = make_program(name="Gary County Program")
    response = client.get("/cards")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in body and 'aria-label="Main"' in body
    assert f'<a href="/programs/{pid}">Gary County Program</a>' in body and "1 program." in body


def test_a_page_that_is_not_a_number_is_refused(client, frozen):
    response = client.get("/cards?page=abc", headers=HTMX)
    assert response.status_code == 400 and "There is no page “abc”" in response.get_data(as_text=True)
