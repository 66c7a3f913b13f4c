"""Where each value came from (issue 16, part 6): a program's page shows, beside each field, the file,
sheet and time of the import that set it, and the file's own data-last-updated date; an edit since
says so."""

import html
import re
from pathlib import Path

from test_imports import counts_in, import_file, programs


def csv_of(rows) -> bytes:
    return ("\n".join(",".join(row) for row in rows) + "\n").encode()


def test_the_program_page_shows_each_imported_value_s_source(app, client):
    rows = [["Program name", "City", "State", "Positions", "Data Last Updated"],
            ["Gary Program", "Gary", "IN", "12", "2026-08-15"]]
    import_file(client, Path("freida-im.csv"), data=csv_of(rows), apply={})
    (program,) = programs(app)
    page = client.get(f"/programs/{program.id}").get_data(as_text=True)
    positions = page[page.index('name="positions"'):]
    source = html.unescape(re.search(r'<p class="hint source">([^<]*)</p>', positions).group(1))
    assert source.startswith("From “freida-im.csv”, imported ")  # a CSV's one sheet is not named
    assert "the file's data last updated 2026-08-15" in source

    version = program.version
    edited = client.post(f"/programs/{program.id}/cells/positions", data={"value": "14", "version": version})
    assert edited.status_code == 200
    page = client.get(f"/programs/{program.id}").get_data(as_text=True)
    positions = page[page.index('name="positions"'):]
    assert re.search(r'<p class="hint source">([^<]*)</p>', positions).group(1).startswith("Set by you")
    city = page[page.index('name="city"'):]
    assert "From “freida-im.csv”" in re.search(r'<p class="hint source">([^<]*)</p>', city).group(1)


def test_an_older_file_does_not_silently_replace_a_newer_one_s_values(app, client):
    header = ["Program name", "City", "State", "Positions", "Data Last Updated"]
    import_file(client, Path("freida-2026.csv"), data=csv_of([header, ["Gary Program", "Gary", "IN", "12", "2026-08-15"]]),
                apply={})
    preview, _ = import_file(client, Path("freida-2019.csv"),
                             data=csv_of([header, ["Gary Program", "Gary", "IN", "20", "2019-07-01"],
                                          ["Macon Program", "Macon", "GA", "8", "2019-07-01"]]), apply={})
    assert counts_in(preview)["with conflicts"] == 1 and counts_in(preview)["new"] == 1
    assert "last updated 2019-07-01, before the data the tracker holds (2026-08-15)" in html.unescape(preview)
    by_name = {p.name: p for p in programs(app)}
    assert by_name["Gary Program"].positions == 12  # the newer value kept
    assert str(by_name["Gary Program"].data_updated_on) == "2026-08-15"
    assert by_name["Macon Program"].positions == 8  # a new program takes the file's values


def test_a_newer_file_replaces_an_older_one_s_values_and_a_blank_never_erases(app, client):
    header = ["Program name", "City", "State", "Positions", "Data Last Updated"]
    import_file(client, Path("old.csv"), data=csv_of([header, ["Gary Program", "Gary", "IN", "12", "2019-07-01"]]),
                apply={})
    preview, _ = import_file(client, Path("new.csv"), data=csv_of([header, ["Gary Program", "", "IN", "14", "2026-08-15"]]),
                             apply={})
    assert counts_in(preview)["changed"] == 1
    (program,) = programs(app)
    assert (program.positions, program.city) == (14, "Gary")
