"""Where each value came from (issue 16, part 6): a program's page shows, beside each field, the file,
sheet and time of the import that set it, and the file's own data-last-updated date; an edit since
says so."""

import html
import re
from pathlib import Path

from test_imports import import_file, programs


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
