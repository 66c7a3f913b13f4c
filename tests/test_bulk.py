"""Bulk edits: one value on many programs, one batch in the change log."""

import json
import re

import sqlalchemy as sa

from tracker.db import db
from tracker.models import Change


def test_setting_a_status_on_selected_programs_is_one_batch(app, client, make_program, read_program):
    a, b, c = (make_program(name=n) for n in ("Alpha", "Beta", "Gamma"))
    response = client.post("/programs/bulk", data={"change": "status:applied", "ids": [a, b]},
                           headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Set status to Applied for 2 programs." in body
    assert re.search(rf'<tr id="p-{a}" class="[^"]*s-applied" data-version="2" hx-swap-oob="true">', body)
    assert [read_program(i)["status"] for i in (a, b, c)] == ["applied", "applied", "researching"]
    with app.app_context():
        rows = db.session.execute(sa.select(Change.batch_id, Change.source).where(Change.field == "status")).all()
    assert len(rows) == 2 and len({r.batch_id for r in rows}) == 1 and {r.source for r in rows} == {"bulk"}


def test_a_mission_tag_is_added_to_what_each_program_has(client, make_program, read_program):
    a = make_program(name="Alpha", mission_tags=["rural"])
    b = make_program(name="Beta")
    client.post("/programs/bulk", data={"change": "mission_tags:spanish", "ids": [a, b]})
    assert read_program(a)["mission_tags"] == ["rural", "spanish"]
    assert read_program(b)["mission_tags"] == ["spanish"]


def test_all_programs_matching_the_filter(client, make_program, read_program):
    ohio = [make_program(name=f"Ohio {i}", state="OH") for i in range(3)]
    texas = make_program(name="Texas", state="TX")
    response = client.post("/programs/bulk", data={"change": "tier_override:reach", "all": "1", "f.state": "OH"},
                           follow_redirects=True)
    assert "Set tier to Reach for 3 programs." in response.get_data(as_text=True)
    assert [read_program(i)["tier_override"] for i in ohio] == ["reach"] * 3
    assert read_program(texas)["tier_override"] is None
    client.post("/programs/bulk", data={"change": "tier_override:", "all": "1", "f.state": "OH", "tier": "all"})
    assert [read_program(i)["tier_override"] for i in ohio] == [None] * 3


def test_nothing_selected_or_a_bad_change_is_refused(client, make_program, read_program):
    a = make_program(name="Alpha")
    nothing = client.post("/programs/bulk", data={"change": "status:applied"})
    assert nothing.status_code == 400 and "Select the programs" in nothing.get_data(as_text=True)
    bad = client.post("/programs/bulk", data={"change": "status:flying", "ids": [a]})
    assert bad.status_code == 400 and "Status: choose one of" in bad.get_data(as_text=True)
    other = client.post("/programs/bulk", data={"change": "name:Evil", "ids": [a]})
    assert other.status_code == 400
    assert read_program(a)["status"] == "researching" and read_program(a)["name"] == "Alpha"


def test_a_bulk_edit_sets_the_undo_buttons(client, make_program):
    a, b = make_program(name="Alpha"), make_program(name="Beta")
    hx = {"HX-Request": "true"}
    client.post(f"/programs/{a}/cells/city", data={"value": "Gary", "version": 1}, headers=hx)
    assert json.loads(client.post("/undo", headers=hx).headers["HX-Trigger"])["tracker:undo"]["can_redo"] is True

    response = client.post("/programs/bulk", data={"change": "status:applied", "ids": [a, b]}, headers=hx)

    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"]) == {"tracker:undo": {"can_undo": True, "can_redo": False}}
