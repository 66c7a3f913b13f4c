"""Writing a range of cells (paste, Delete, Ctrl+D) through POST /cells: one batch, per-cell
refusals, per-row version checks, and readable refusals of malformed requests."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.models import Change, Program

HX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/?col=all"}  # a grid showing every column


def post_cells(client, cells, versions, new_rows=(), action="paste", **extra):
    data = {"cells": json.dumps(cells), "versions": json.dumps(versions), "new_rows": json.dumps(list(new_rows)),
            "action": action, **extra}
    return client.post("/cells", data=data, headers=HX)


@pytest.fixture
def two(make_program):
    return make_program(name="A Program", city="Akron", positions=5), make_program(name="B Program", city="Boise")


def test_accepted_cells_are_one_batch_and_refused_ones_keep_their_value(app, client, two, read_program):
    a, b = two
    answer = post_cells(client, [{"id": a, "f": "city", "value": "Toledo"}, {"id": a, "f": "positions", "value": "3,5"},
                                 {"id": b, "f": "img_percent", "value": "45"}], {str(a): 1, str(b): 1})
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "Pasted 2 cells in 2 programs." in body and "1 value was not taken" in body
    assert "whole number" in body  # the refused cell's own message, in its redrawn row
    assert (read_program(a)["city"], read_program(a)["positions"], read_program(b)["img_percent"]) == ("Toledo", 5, 45)
    with app.app_context():
        batches = db.session.scalars(sa.select(Change.batch_id).where(Change.source == "edit").distinct()).all()
    assert len(batches) == 1

    undone = client.post("/undo", headers=HX)
    assert undone.status_code == 200
    assert (read_program(a)["city"], read_program(b)["img_percent"]) == ("Akron", None)


def test_a_row_changed_elsewhere_keeps_every_value_and_says_so(client, two, read_program):
    a, b = two
    answer = post_cells(client, [{"id": a, "f": "city", "value": "Toledo"}, {"id": b, "f": "city", "value": "Nampa"}],
                        {str(a): 7, str(b): 1})
    assert answer.status_code == 200
    assert "Changed elsewhere since this page loaded" in answer.get_data(as_text=True)
    assert (read_program(a)["city"], read_program(b)["city"]) == ("Akron", "Nampa")


def test_clearing_the_name_is_refused_and_clearing_others_empties_them(client, two, read_program):
    a, _ = two
    answer = post_cells(client, [{"id": a, "f": "name", "value": ""}, {"id": a, "f": "city", "value": ""}],
                        {str(a): 1}, action="clear")
    assert answer.status_code == 200
    assert "Cleared 1 cell in 1 program." in answer.get_data(as_text=True)
    assert (read_program(a)["name"], read_program(a)["city"]) == ("A Program", None)


def test_new_rows_become_programs_in_the_same_batch_and_a_row_without_a_name_is_refused(app, client, two):
    answer = post_cells(client, [], {}, new_rows=[{"name": "C Program", "city": "Canton"}, {"city": "Nowhere"}])
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "Added 1 new program." in body and "Program is required" in body
    with app.app_context():
        assert db.session.scalar(sa.select(Program.city).where(Program.name == "C Program")) == "Canton"


@pytest.mark.parametrize("data", [
    {"cells": "not json", "versions": "{}"},
    {"cells": json.dumps({"id": 1}), "versions": "{}"},
    {"cells": json.dumps([{"id": "x", "f": "city", "value": "a"}]), "versions": "{}"},
    {"cells": json.dumps([{"id": 1, "f": "city", "value": "a"}]), "versions": "[]"},
    {"cells": json.dumps([{"id": 1, "f": "city", "value": "a"}] * 20_001), "versions": "{}"},
    {"cells": "[]", "versions": "{}", "new_rows": json.dumps(["x"])},
], ids=["not-json", "not-a-list", "bad-id", "bad-versions", "too-many", "bad-new-row"])
def test_a_malformed_range_is_refused_with_a_message_and_writes_nothing(app, client, two, data, read_program):
    answer = client.post("/cells", data=data, headers=HX)
    assert answer.status_code == 400
    assert "msg-error" in answer.get_data(as_text=True)
    assert read_program(two[0])["city"] == "Akron"


def test_a_range_write_needs_the_csrf_token(client, two, read_program):
    answer = client.post("/cells", data={"cells": json.dumps([{"id": two[0], "f": "city", "value": "X"}]),
                                         "versions": json.dumps({str(two[0]): 1})}, headers=HX, csrf=False)
    assert answer.status_code == 400
    assert read_program(two[0])["city"] == "Akron"


def test_a_column_the_page_hides_is_not_written(client, two, read_program):
    a, _ = two
    headers = {**HX, "HX-Current-URL": "http://localhost/?col=name&col=city"}
    answer = client.post("/cells", data={"cells": json.dumps([{"id": a, "f": "positions", "value": "9"},
                                                              {"id": a, "f": "city", "value": "Kent"}]),
                                         "versions": json.dumps({str(a): 1})}, headers=headers)
    assert answer.status_code == 200
    assert (read_program(a)["positions"], read_program(a)["city"]) == (5, "Kent")


def test_the_read_back_of_a_date_and_a_number(client, two):
    a, _ = two
    answer = client.get(f"/programs/{a}/cells/date_applied/read?value=Oct 1")
    assert answer.get_data(as_text=True) == "Reads as Thu 1 Oct 2026 (2026-10-01)"
    assert answer.headers["X-Read-Ok"] == "1"
    bad = client.get(f"/programs/{a}/cells/date_applied/read?value=31/31")
    assert bad.headers["X-Read-Ok"] == "0" and "date" in bad.get_data(as_text=True).lower()
    percent = client.get(f"/programs/{a}/cells/img_percent/read?value=5,5")
    assert percent.get_data(as_text=True) == "Reads as 5.5%"
