"""The grid's view lives in its query string: search, filters, unknown data, sort, columns, pages."""

import re

import pytest

from tracker import listing


def names(page: str) -> list[str]:
    return re.findall(r'<a id="n-\d+" href="/programs/\d+">([^<]+)</a>', page)


@pytest.fixture
def programs(make_program):
    return {
        "Toledo County": make_program(name="Toledo County", city="Toledo", state="OH", status="applied",
                                      img_percent=40, setting="county", visa_j1="yes"),
        "Austin Community": make_program(name="Austin Community", city="Austin", state="TX", status="researching",
                                         img_percent=10, notes="Alumni in Toledo", visa_j1="unknown"),
        "Boston University": make_program(name="Boston University", city="Boston", state="MA", status="applied",
                                          setting="university", visa_j1="no", img_percent=None),
        "Dayton Safety-net": make_program(name="Dayton Safety-net", city="Dayton", state="OH",
                                          status="interviewed", img_percent=75, setting="safety_net",
                                          visa_j1="yes"),
    }


def test_search_looks_in_name_city_and_notes(client, programs):
    assert names(client.get("/?q=toledo").get_data(as_text=True)) == ["Austin Community", "Toledo County"]
    assert names(client.get("/?q=50%25").get_data(as_text=True)) == []  # % is text, not a wildcard


def test_filters_combine_and_repeat(client, programs):
    page = client.get("/?f.state=OH&f.status=applied&f.status=interviewed").get_data(as_text=True)
    assert names(page) == ["Dayton Safety-net", "Toledo County"]
    assert "2 programs match" in page
    assert names(client.get("/?f.status=nonsense").get_data(as_text=True)) == sorted(programs)  # ignored


def test_unknown_data_only(client, programs):
    assert len(names(client.get("/?unknown=1").get_data(as_text=True))) == 4  # H-1B unknown everywhere
    client.post("/profile", data={"visa_needed": "J-1", "season_year": "2027"})
    # (Boston does not sponsor J-1: Not eligible, so only shown with every tier)
    assert names(client.get("/?unknown=1&tier=all").get_data(as_text=True)) == ["Austin Community",
                                                                                  "Boston University"]


def test_sort_by_one_key_then_another_with_empty_values_last(client, programs):
    page = client.get("/?sort=-img_percent").get_data(as_text=True)
    assert names(page) == ["Dayton Safety-net", "Toledo County", "Austin Community", "Boston University"]
    assert 'aria-sort="descending"' in page
    page = client.get("/?sort=state,-img_percent").get_data(as_text=True)
    assert names(page) == ["Boston University", "Dayton Safety-net", "Toledo County", "Austin Community"]
    # status sorts in pipeline order, not alphabetically
    assert names(client.get("/?sort=status").get_data(as_text=True))[0] == "Austin Community"


def test_header_links_keep_the_view_and_toggle_the_direction(client, programs):
    page = client.get("/?q=o&sort=state").get_data(as_text=True)
    link = re.search(r'<th scope="col" data-f="state"[^>]*>\s*<a class="sort" href="([^"]+)" data-add-sort="([^"]+)"',
                     page)
    assert link.group(1).replace("&amp;", "&") == "/?q=o&sort=-state"
    specialty = re.search(r'data-f="specialty"[^>]*>\s*<a class="sort" href="[^"]+" data-add-sort="([^"]+)"', page)
    assert specialty.group(1).replace("&amp;", "&") == "/?q=o&sort=state%2Cspecialty"


def test_chosen_columns_only(client, programs):
    page = client.get("/?col=name&col=state&col=status").get_data(as_text=True)
    heads = re.findall(r'<th scope="col" data-f="(\w+)"', page)
    assert heads == ["name", "state", "status"]
    assert 'data-f="city"' not in page.split("<tbody")[1]


def test_pages_of_a_long_list_keep_the_sort(client, programs, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 3)
    import tracker.views.grid as grid

    monkeypatch.setattr(grid, "PAGE_SIZE", 3)
    first = client.get("/?sort=city").get_data(as_text=True)
    assert names(first) == ["Austin Community", "Boston University", "Dayton Safety-net"]
    assert "3 of 4 programs" in first
    link = re.search(r'<a href="([^"]*page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert names(client.get(link).get_data(as_text=True)) == ["Toledo County"]


def test_the_export_follows_filters_sort_and_columns(client, programs):
    import io

    import openpyxl

    response = client.get("/export.xlsx?f.state=OH&sort=-img_percent&col=name&col=state")
    ws = openpyxl.load_workbook(io.BytesIO(response.data))["Programs"]
    assert [c.value for c in ws[1]] == ["Program name", "Tier", "State", "Mentor comments", "Tracker ID"]
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == ["Dayton Safety-net", "Toledo County"]


def test_built_in_views_are_offered_and_marked_when_current(client, programs):
    page = client.get("/?tier=not_eligible").get_data(as_text=True)
    for name in ("To research", "Likely or Possible, not applied", "Interviews", "Not eligible", "SOAP list"):
        assert f">{name}</a>" in page
    assert '<a href="/?tier=not_eligible" aria-current="true">Not eligible</a>' in page


def test_a_saved_view_comes_back_from_the_menu(client, programs):
    response = client.post("/views", data={"name": "  Ohio  applied ", "query": "f.state=OH&sort=-img_percent&x=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/?sort=-img_percent&f.state=OH"
    page = client.get("/").get_data(as_text=True)
    assert '<a class="saved" href="/?sort=-img_percent&amp;f.state=OH">Ohio applied</a>' in page
    assert names(client.get("/?sort=-img_percent&f.state=OH").get_data(as_text=True)) == ["Dayton Safety-net",
                                                                                         "Toledo County"]
    client.post("/views", data={"name": "Ohio applied", "query": "f.state=TX"})  # the same name replaces it
    page = client.get("/").get_data(as_text=True)
    assert page.count(">Ohio applied</a>") == 1 and '<a class="saved" href="/?f.state=TX">' in page
    assert client.post("/views", data={"name": " ", "query": ""}).status_code == 400


def test_rows_carry_tier_and_status_for_colouring(client, programs):
    page = client.get("/?colour=status").get_data(as_text=True)
    assert 'class="grid colour-status"' in page
    assert re.search(r'<tr id="p-\d+" class="t-\w+ s-interviewed"', page)
    assert 'class="grid colour-tier"' in client.get("/?colour=rainbow").get_data(as_text=True)
