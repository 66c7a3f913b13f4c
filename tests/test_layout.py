"""The grid's layout: a newcomer's first screen, and the columns a person shows, hides, folds,
moves and widens, kept for the next visit (in the database) without saving a view."""

import re

import pytest

from tracker import fields
from tracker.db import db
from tracker.layout import DEFAULT_ORDER, Layout, LayoutError
from tracker.models import GridLayout

FIRST_SCREEN = ["name", "tier_override", "specialty", "state", "setting", "visa_j1", "visa_h1b", "img_percent",
                "step2_min", "status", "email_status", "notes"]


def heads(page: str) -> list[str]:
    return re.findall(r'<th scope="col" data-f="(\w+)"', page)


def grid(client, query="") -> str:
    response = client.get("/" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def change(client, **data):
    return client.post("/layout", data={"back": "/?tier=all", **data})


@pytest.fixture
def programs(make_program):
    return [make_program(name="Alpha Program", city="Akron", state="OH"),
            make_program(name="Beta Program", city="Boise", state="ID")]


def test_a_newcomers_grid_shows_the_columns_that_decide_the_list(client, programs):
    page = grid(client)
    assert heads(page) == FIRST_SCREEN
    assert 'data-f="city"' not in page  # one click away, in the Columns menu
    assert re.search(r'<input type="checkbox" name="col" value="city">\s*City', page)
    # the row cells line up with the header
    row = re.search(r'<tr id="p-\d+".*?</tr>', page, re.S).group(0)
    assert re.findall(r'<t[dh][^>]* data-f="(\w+)"', row) == FIRST_SCREEN


def test_the_columns_chosen_are_kept_for_the_next_visit_and_another_browser(app, client, programs):
    answer = change(client, col=["name", "city", "status"])
    assert answer.status_code == 302 and answer.headers["Location"] == "/?tier=all"
    assert heads(grid(client)) == ["name", "city", "status"]
    other = app.test_client()  # another browser: no cookie, same list
    assert heads(other.get("/").get_data(as_text=True)) == ["name", "city", "status"]
    with app.app_context():
        assert db.session.get(GridLayout, 1).state["shown"] == ["name", "city", "status"]


def test_all_columns_and_the_first_screen_are_one_click_each(client, programs):
    assert change(client, preset="all").status_code == 302
    assert heads(grid(client)) == list(DEFAULT_ORDER)
    assert len(heads(grid(client))) == len(fields.FIELDS)
    assert change(client, preset="first").status_code == 302
    assert heads(grid(client)) == FIRST_SCREEN


def test_a_group_unfolds_from_its_header_and_folds_back(client, programs):
    page = grid(client)
    hidden = sum(1 for f in fields.FIELDS if f.group == "Screening") - 1  # Step 2 CK min shows
    assert f'title="Show all Screening columns ({hidden} hidden)">+{hidden} Screening</button>' in page
    change(client, toggle="Screening")
    unfolded = heads(grid(client))
    assert all(f.key in unfolded for f in fields.FIELDS if f.group == "Screening")
    assert 'title="Hide the Screening columns">Screening ⊟</button>' in grid(client)
    change(client, toggle="Screening")
    folded = grid(client)
    assert not any(f'data-f="{f.key}"' in folded for f in fields.FIELDS if f.group == "Screening")
    assert 'title="Show the Screening columns">⊞ Screening</button>' in folded  # the way back, above the grid
    assert heads(folded) == [k for k in FIRST_SCREEN if k != "step2_min"]


def test_folding_a_group_in_a_view_that_names_its_columns_starts_from_what_it_shows(client, programs):
    page = grid(client, "?col=name&col=city&col=visa_j1&col=step2_min")
    assert '<input type="hidden" name="from" value="city">' in page
    answer = client.post("/layout", data={"toggle": "Visa & IMG", "from": ["name", "city", "visa_j1", "step2_min"],
                                          "back": "/?col=name&col=city&col=visa_j1&col=step2_min&q=a"})
    assert answer.headers["Location"] == "/?q=a"  # the layout's columns from now on
    visa = [f.key for f in fields.FIELDS if f.group == "Visa & IMG"]
    assert heads(grid(client)) == ["name", "city", *visa, "step2_min"]  # the group unfolded, the rest as shown
    client.post("/layout", data={"toggle": "Visa & IMG", "back": "/"})
    assert heads(grid(client)) == ["name", "city", "step2_min"]


def test_a_column_moves_before_or_after_another_and_stays_there(client, programs):
    assert change(client, move="status", before="tier_override").status_code == 302
    assert heads(grid(client))[:3] == ["name", "status", "tier_override"]
    change(client, move="name", after="notes")  # refused: Program stays first
    assert heads(grid(client))[0] == "name"
    change(client, move="notes", after="name")
    assert heads(grid(client))[:3] == ["name", "notes", "status"]
    # a column shown later appears where the order puts it: City just before State, as in the catalogue
    change(client, col=FIRST_SCREEN + ["city"])
    shown = heads(grid(client))
    assert shown[:3] == ["name", "notes", "status"] and shown.index("city") == shown.index("state") - 1


def test_a_move_that_makes_no_sense_is_refused_with_a_message_and_changes_nothing(app, client, programs):
    change(client, move="status", before="tier_override")
    for data in ({"move": "name", "after": "notes"}, {"move": "status", "before": "nonsense"},
                 {"move": "status", "before": "name"}, {"toggle": "Hobbies"}, {"width": "notes:wide"},
                 {"width": "shoe_size:100"}, {}):
        answer = change(client, **data)
        assert answer.status_code == 422, data
        assert re.search(r"Program column stays first|Move a column|no column group|width|Choose",
                         answer.get_data(as_text=True)), data
    assert heads(grid(client))[:3] == ["name", "status", "tier_override"]
    htmx = client.post("/layout", data={"toggle": "Hobbies"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and "There is no column group “Hobbies”" in htmx.get_data(as_text=True)


def test_a_width_is_kept_and_drawn_by_the_grids_stylesheet(client, programs):
    answer = client.post("/layout", data={"width": "notes:312"}, headers={"HX-Request": "true"})
    assert answer.status_code == 204
    page = grid(client)
    css_url = re.search(r'<link rel="stylesheet" href="(/fields.css[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "w=" in css_url  # the address changes with the widths, so no browser keeps the old ones
    css = client.get(css_url).get_data(as_text=True)
    assert ".grid .f-notes{width:312px}" in css and ".grid .f-city{width:16ch}" in css
    client.post("/layout", data={"width": "notes:99999"}, headers={"HX-Request": "true"})
    assert ".grid .f-notes{width:2000px}" in client.get("/fields.css").get_data(as_text=True)


def test_the_layout_form_only_sends_back_to_this_sites_grid(client, programs):
    for back in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example"):
        answer = client.post("/layout", data={"preset": "all", "back": back})
        assert answer.headers["Location"] == "/", back


def test_a_layout_change_needs_the_csrf_token(client, programs):
    assert client.post("/layout", data={"preset": "all"}, csrf=False).status_code == 400
    assert heads(grid(client)) == FIRST_SCREEN


def test_a_row_sent_back_has_the_columns_the_page_draws_whatever_the_layout_became(client, programs):
    change(client, preset="all")  # another tab shows every column now
    pid = programs[0]
    answer = client.post(f"/programs/{pid}/cells/city", data={"value": "Dayton", "version": 0},
                         headers={"HX-Request": "true", "X-Grid-Columns": "name,city,status"})
    assert answer.status_code == 409
    row = answer.get_data(as_text=True)
    assert re.findall(r'<t[dh][^>]* data-f="(\w+)"', row) == ["name", "city", "status"]
    assert "Your “Dayton” was not saved" in row


# -- the layout itself, without a request ---------------------------------------------------------

def test_a_stored_layout_drops_what_the_catalogue_lost_and_places_what_it_gained():
    order = [k for k in DEFAULT_ORDER if k != "city"]
    stored = {"shown": ["name", "gone_field", "state"], "order": ["state", "gone_field", *order],
              "widths": {"state": 90, "gone_field": 50, "notes": True, "city": 10}}
    layout = Layout.from_stored(stored)
    assert layout.order[0] == "name" and layout.order[1] == "state"  # Program first, the rest as kept
    assert layout.order.index("city") == layout.order.index(DEFAULT_ORDER[DEFAULT_ORDER.index("city") - 1]) + 1
    assert "gone_field" not in layout.order and set(layout.order) == set(DEFAULT_ORDER)
    assert [f.key for f in layout.columns()] == ["name", "state"]
    assert layout.widths == {"state": 90}  # a width below the minimum, of no column or not a number is dropped
    assert Layout.from_stored(None) == Layout() and Layout.from_stored("junk") == Layout()


def test_a_view_that_names_its_columns_shows_them_in_the_layouts_order():
    layout = Layout().moved("status", before="specialty")
    assert [f.key for f in layout.columns(["state", "status", "specialty"])] == ["name", "status", "specialty", "state"]
    with pytest.raises(LayoutError):
        Layout().showing(["nothing_real"])
    assert Layout().moved("state", after="state") == Layout()
