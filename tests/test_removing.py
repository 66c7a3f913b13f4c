"""Removing things: demo programs marked as demo and removed in one action, Delete among the grid's
bulk actions, Restore of a selection on the Deleted page; each one batch that one Undo takes back."""

import html
import re

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tracker.db import db
from tracker.demo import demo_programs
from tracker.models import Change, Program
from tracker.store import current_season_id

HX = {"HX-Request": "true"}
DEMO = len(list(demo_programs()))
MINE = "Riverside County Medical Center Program (Internal Medicine)"


def load_demo(runner) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output


def programs(app) -> list[dict]:
    with app.app_context():
        db.session.expire_all()
        rows = db.session.scalars(sa.select(Program).order_by(Program.id)).all()
        return [{"id": p.id, "name": p.name, "demo": p.demo, "deleted": p.deleted_at is not None} for p in rows]


def live(app, demo: bool | None = None) -> list[int]:
    return [p["id"] for p in programs(app) if not p["deleted"] and (demo is None or p["demo"] is demo)]


def deletion_changes(app, source: str) -> list[Change]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Change).where(Change.field == "deleted_at", Change.source == source)
                                  .order_by(Change.id)).all()
        db.session.expunge_all()
        return rows


def message(response) -> str:
    flash = re.search(r'<div id="flash"[^>]*hx-swap-oob="true"><p class="msg msg-\w+">(.*?)</p>',
                      response.get_data(as_text=True), re.DOTALL)
    assert flash, response.get_data(as_text=True)
    return html.unescape(flash.group(1))


def undo(client, back: str | None = None):
    if back:
        return client.post("/undo", data={"back": back})
    response = client.post("/undo", headers=HX)
    assert response.status_code == 200
    return response


def redo(client):
    response = client.post("/redo", headers=HX)
    assert response.status_code == 200
    return response


def on_the_list(client) -> int:
    page = client.get("/dashboard").get_data(as_text=True)
    return int(re.search(r"<dt>On the list</dt><dd>(\d+)</dd>", page).group(1))


def matched(client, app) -> int:
    with app.app_context():
        season = current_season_id()
    page = client.get(f"/seasons/{season}/analysis").get_data(as_text=True)
    return int(re.search(r"(\d+) matched", page).group(1))


# -- demo programs are marked -----------------------------------------------------------------------


def test_the_demo_loader_marks_its_programs_and_the_grid_badges_only_those(app, client, runner, make_program):
    load_demo(runner)
    mine = make_program(name=MINE)
    assert len(live(app, demo=True)) == DEMO and live(app, demo=False) == [mine]

    page = client.get("/").get_data(as_text=True)
    assert page.count('<span class="demo-mark" title="A fictional program from the demo list">demo</span>') == DEMO
    my_row = re.search(rf'<tr id="p-{mine}".*?</tr>', page, re.DOTALL).group(0)
    assert "demo-mark" not in my_row
    assert f"The list holds {DEMO} demo programs" in page and "Remove the demo programs</button>" in page


def test_an_upgrade_marks_the_programs_the_demo_loader_made_and_nothing_else(app, runner, make_program):
    load_demo(runner)
    mine = make_program(name=MINE)
    with app.app_context():
        downgrade(revision="0013")
        assert "demo" not in {c["name"] for c in sa.inspect(db.engine).get_columns("program")}
        upgrade()
    assert len(live(app, demo=True)) == DEMO and live(app, demo=False) == [mine]
    with app.app_context():  # ids are still never given twice after the rebuild of the table
        assert "AUTOINCREMENT" in db.session.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'program'"))


def test_a_new_season_copies_the_demo_mark(app, client, runner, make_program):
    load_demo(runner)
    make_program(name=MINE)
    response = client.post("/seasons", data={"year": "2028", "confirm": "yes"})
    assert response.status_code == 302
    with app.app_context():
        season = current_season_id()
        copies = db.session.execute(sa.select(Program.name, Program.demo).where(Program.season_id == season)).all()
    assert len(copies) == DEMO + 1
    assert {name for name, demo in copies if not demo} == {MINE}


# -- "Remove the demo programs" -------------------------------------------------------------------


def test_removing_the_demo_programs_asks_first_then_deletes_them_all_in_one_batch(app, client, runner, make_program):
    load_demo(runner)
    mine = make_program(name=MINE, status="matched")
    listed_before, matched_before = on_the_list(client), matched(client, app)
    assert listed_before > 1 and matched_before > 1

    asked = client.post("/programs/demo/delete")  # without JavaScript: a page asks first
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and f"Remove the {DEMO} demo programs?" in body
    assert 'name="confirmed" value="1"' in body
    assert len(live(app, demo=True)) == DEMO

    done = client.post("/programs/demo/delete", data={"confirmed": "1"}, follow_redirects=True)
    assert done.status_code == 200
    assert f"Removed the {DEMO} demo programs. Undo" in html.unescape(done.get_data(as_text=True))
    assert live(app) == [mine]
    deleted = deletion_changes(app, "delete")
    assert len(deleted) == DEMO and len({c.batch_id for c in deleted}) == 1

    page = client.get("/").get_data(as_text=True)
    assert "demo-mark" not in page and "Remove the demo programs" not in page
    assert on_the_list(client) == 1 and on_the_list(client) < listed_before
    assert matched(client, app) == 1

    again = client.post("/programs/demo/delete", data={"confirmed": "1"}, follow_redirects=True)
    assert "There are no demo programs on the list." in again.get_data(as_text=True)


def test_one_undo_brings_every_demo_program_back_and_redo_removes_them_again(app, client, runner, make_program):
    load_demo(runner)
    mine = make_program(name=MINE)
    client.post("/programs/demo/delete", data={"confirmed": "1"})

    response = undo(client)
    assert message(response) == f"Undid deleting {DEMO} programs."
    assert len(live(app, demo=True)) == DEMO and mine in live(app)
    body = response.get_data(as_text=True)
    assert body.count('hx-swap-oob="afterbegin:#rows"') == DEMO
    assert '<div id="demo-notice" class="demo-notice" hx-swap-oob="true">' in body
    assert f"The list holds {DEMO} demo programs" in body

    assert message(redo(client)) == f"Redid deleting {DEMO} programs."
    assert live(app) == [mine]


def test_remove_the_demo_programs_keeps_a_demo_program_deleted_before_and_my_edits_to_them(
        app, client, runner):
    load_demo(runner)
    first, second = live(app, demo=True)[:2]
    client.post(f"/programs/{first}/delete", headers=HX)
    client.post("/programs/demo/delete", data={"confirmed": "1"})
    assert live(app) == []
    undo(client)  # the removal comes back; the earlier single delete stays
    back = live(app)
    assert first not in back and second in back and len(back) == DEMO - 1


def test_the_dashboard_offers_the_removal_while_demo_programs_are_listed(client, runner):
    assert "Remove the demo programs" not in client.get("/dashboard").get_data(as_text=True)
    load_demo(runner)
    assert "Remove the demo programs" in client.get("/dashboard").get_data(as_text=True)


# -- Delete among the bulk actions ----------------------------------------------------------------


def test_deleting_the_selected_programs_is_one_batch_and_one_undo_restores_them(app, client, make_program):
    a, b, c = (make_program(name=n) for n in ("Alpha", "Beta", "Gamma"))
    response = client.post("/programs/bulk/delete", data={"ids": [a, c], "confirmed": "1"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message(response) == "Deleted 2 programs. Undo brings them back; deleted programs also stay on the Deleted page."
    assert f'<tr id="p-{a}" hx-swap-oob="delete"></tr>' in body and f'<tr id="p-{c}" hx-swap-oob="delete"></tr>' in body
    assert f'id="p-{b}"' not in body
    assert json_trigger(response) == {"can_undo": True, "can_redo": False}
    assert live(app) == [b]
    deleted = deletion_changes(app, "delete")
    assert len(deleted) == 2 and len({x.batch_id for x in deleted}) == 1

    assert message(undo(client)) == "Undid deleting 2 programs."
    assert live(app) == [a, b, c]
    assert message(redo(client)) == "Redid deleting 2 programs."
    assert live(app) == [b]


def test_a_bulk_delete_from_the_grid_updates_its_program_count_and_tier_chips(app, client, make_program):
    a, b, c = (make_program(name=n, state="OH") for n in ("Alpha", "Beta", "Gamma"))
    make_program(name="Delta", state="TX")
    page = {**HX, "HX-Current-URL": "http://localhost/?f.state=OH"}
    assert '3 programs match' in client.get("/?f.state=OH").get_data(as_text=True)

    response = client.post("/programs/bulk/delete", data={"ids": [a, c], "confirmed": "1"}, headers=page)
    body = response.get_data(as_text=True)
    shown = re.search(r'<p id="shown-count"[^>]*hx-swap-oob="true">([^<]*)</p>', body)
    assert shown and shown.group(1) == "1 program matches"
    chips = re.search(r'<nav id="tier-chips"[^>]*hx-swap-oob="true">(.*?)</nav>', body, re.S)
    assert chips and sum(int(n) for n in re.findall(r"<b>(\d+)</b>", chips.group(1))) == 2  # Beta and Delta


def json_trigger(response) -> dict:
    import json

    return json.loads(response.headers["HX-Trigger"])["tracker:undo"]


def test_bulk_delete_of_all_matching_deletes_the_view(app, client, make_program):
    ohio = [make_program(name=f"Ohio {i}", state="OH") for i in range(3)]
    texas = make_program(name="Texas", state="TX")
    response = client.post("/programs/bulk/delete", data={"all": "1", "f.state": "OH", "confirmed": "1"},
                           follow_redirects=True)
    assert "Deleted 3 programs." in response.get_data(as_text=True)
    assert live(app) == [texas]
    assert all(p["deleted"] for p in programs(app) if p["id"] in ohio)


def test_bulk_delete_without_the_confirmation_asks_how_many_and_changes_nothing(app, client, make_program):
    a, b = make_program(name="Alpha"), make_program(name="Beta")
    asked = client.post("/programs/bulk/delete", data={"ids": [a, b], "change": "status:applied"})
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<h1>Delete 2 programs?</h1>" in body
    assert "<li>Alpha</li><li>Beta</li>" in body
    assert body.count('name="ids"') == 2 and 'name="confirmed" value="1"' in body
    assert live(app) == [a, b]
    # the page's form, sent as it stands, deletes them
    form = dict(re.findall(r'<input type="hidden" name="(ids|confirmed)" value="([^"]*)"', body))
    assert form["confirmed"] == "1"
    client.post("/programs/bulk/delete", data={"ids": [a, b], "confirmed": "1"})
    assert live(app) == []


def test_bulk_delete_with_nothing_selected_or_no_csrf_token_changes_nothing(app, client, make_program):
    a = make_program(name="Alpha")
    nothing = client.post("/programs/bulk/delete", data={"confirmed": "1"}, headers=HX)
    assert nothing.status_code == 400 and "Select the programs to delete first" in nothing.get_data(as_text=True)
    assert nothing.headers["HX-Retarget"] == "#flash"
    forged = client.post("/programs/bulk/delete", data={"ids": [a], "confirmed": "1"}, csrf=False)
    assert forged.status_code == 400
    for url in ("/programs/demo/delete", "/programs/restore"):
        assert client.post(url, data={"ids": [a], "confirmed": "1"}, csrf=False).status_code == 400
    assert live(app) == [a]


def test_the_grid_has_the_delete_button_in_its_bulk_bar(client, make_program):
    make_program(name="Alpha")
    page = client.get("/").get_data(as_text=True)
    bar = re.search(r'<form id="bulk".*?</form>', page, re.DOTALL).group(0)
    assert 'formaction="/programs/bulk/delete"' in bar and 'hx-post="/programs/bulk/delete"' in bar
    assert "data-confirm-selection" in bar and ">Delete selected</button>" in bar


# -- Restore a selection on the Deleted page ------------------------------------------------------


def test_restoring_the_selected_programs_is_one_batch_that_one_undo_takes_back(app, client, make_program):
    a, b, c = (make_program(name=n) for n in ("Alpha", "Beta", "Gamma"))
    client.post("/programs/bulk/delete", data={"ids": [a, b, c], "confirmed": "1"})
    page = client.get("/programs/deleted").get_data(as_text=True)
    assert page.count('name="ids" value="') == 6  # a box and a Restore per row
    assert 'data-select-all="restore-selected"' in page

    done = client.post("/programs/restore", data={"ids": [a, c]}, follow_redirects=True)
    assert done.status_code == 200
    assert "Restored 2 programs (Alpha, Gamma). Undo takes the restore back." in done.get_data(as_text=True)
    assert live(app) == [a, c]
    restored = deletion_changes(app, "restore")
    assert len(restored) == 2 and len({x.batch_id for x in restored}) == 1

    assert message(undo(client)) == "Undid restoring 2 programs."
    assert live(app) == []
    assert message(redo(client)) == "Redid restoring 2 programs."
    assert live(app) == [a, c]
    # the undo before it: the bulk delete of all three
    undo(client)
    undo(client)
    assert live(app) == [a, b, c]


def test_the_deleted_pages_undo_comes_back_to_it(app, client, make_program):
    a = make_program(name="Alpha")
    client.post("/programs/bulk/delete", data={"ids": [a], "confirmed": "1"})
    client.post("/programs/restore", data={"ids": [a]})
    page = client.get("/programs/deleted").get_data(as_text=True)
    assert '<input type="hidden" name="back" value="deleted"><button type="submit">↶ Undo</button>' in page
    response = undo(client, back="deleted")
    assert response.status_code == 302 and response.headers["Location"].endswith("/programs/deleted")
    assert live(app) == []
    assert "Undid: restoring Alpha." in client.get("/programs/deleted").get_data(as_text=True)


def test_a_restore_that_conflicts_restores_nothing_and_names_the_program(app, client, make_program):
    a, b = make_program(name="Alpha"), make_program(name="Beta")
    client.post("/programs/bulk/delete", data={"ids": [a, b], "confirmed": "1"})
    client.post(f"/programs/{b}/restore")  # restored since, in another tab
    restores_before = len(deletion_changes(app, "restore"))

    response = client.post("/programs/restore", data={"ids": [a, b]})
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "Nothing was restored." in body
    assert "Beta is not deleted any more (restored since, in another tab or by an undo)." in body
    assert re.search(rf'<input type="checkbox" name="ids" value="{a}"[^>]*checked>', body)  # the tick is kept
    assert live(app) == [b]
    assert len(deletion_changes(app, "restore")) == restores_before


def test_a_restore_of_a_program_gone_for_good_or_of_nothing_changes_nothing(app, client, runner, make_program):
    load_demo(runner)
    one = live(app)[0]
    client.post("/programs/demo/delete", data={"confirmed": "1"})
    assert runner.invoke(args=["demo", "--force"]).exit_code == 0  # every program replaced
    before = live(app)
    response = client.post("/programs/restore", data={"ids": [one]})
    assert response.status_code == 409
    assert "1 program ticked no longer exists" in response.get_data(as_text=True)
    nothing = client.post("/programs/restore", data={"ids": ["x"]})
    assert nothing.status_code == 400 and "Tick the programs to restore first." in nothing.get_data(as_text=True)
    assert live(app) == before
