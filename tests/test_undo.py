"""Undo and redo of the last edits (POST /undo, POST /redo) and the recent-changes page (GET /changes)."""

import io
import json
import re

import sqlalchemy as sa

from tracker.changes import new_batch_id, update_program
from tracker.db import db
from tracker.models import Change, ImportBatch, Program, UndoStep

HX = {"HX-Request": "true"}


def save(client, read_program, program_id, key, value):
    version = read_program(program_id)["version"]
    response = client.post(f"/programs/{program_id}/cells/{key}", data={"value": value, "version": version},
                           headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def undo(client):
    response = client.post("/undo", headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def redo(client):
    response = client.post("/redo", headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def buttons(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])["tracker:undo"]


def row_out_of_band(body: str, program_id: int, version: int | None = None) -> bool:
    """Whether ``body`` has the program's row to swap out of band (at ``version`` when given)."""
    tag = re.search(rf'<tr id="p-{program_id}"[^>]*>', body)
    return bool(tag) and 'hx-swap-oob="true"' in tag.group(0) and (
        version is None or f'data-version="{version}"' in tag.group(0))


def message(response) -> str:
    flash = re.search(r'<div id="flash"[^>]*hx-swap-oob="true"><p class="msg msg-(\w+)">(.*?)</p>',
                      response.get_data(as_text=True), re.DOTALL)
    assert flash, response.get_data(as_text=True)
    return flash.group(2)


def changes(app, **where) -> list[Change]:
    with app.app_context():
        query = sa.select(Change).order_by(Change.id)
        for key, value in where.items():
            query = query.where(getattr(Change, key) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def in_batch(app, *writes, source="bulk") -> None:
    """Several writes as one batch, as a bulk edit makes: [(program id, {field: value})]."""
    with app.app_context():
        batch = new_batch_id()
        for program_id, values in writes:
            update_program(db.session.get(Program, program_id), values, source=source, batch_id=batch)
        db.session.commit()


def test_undo_restores_the_old_value_with_undo_changes_and_the_row_out_of_band(app, client, make_program,
                                                                               read_program):
    pid = make_program(name="Gary County Program", status="applied")
    save(client, read_program, pid, "status", "Interview scheduled")

    response = undo(client)

    assert read_program(pid)["status"] == "applied"
    assert read_program(pid)["version"] == 3  # the undo is a write like any other
    logged = changes(app, source="undo")
    assert [(c.program_id, c.field, c.old_value, c.new_value) for c in logged] == [
        (pid, "status", "interview_scheduled", "applied")]
    body = response.get_data(as_text=True)
    assert row_out_of_band(body, pid, version=3)
    assert message(response) == "Undid: Status of Gary County Program back to Applied."
    assert buttons(response) == {"can_undo": True, "can_redo": True}  # the add is still on the stack
    with app.app_context():
        step = db.session.scalars(sa.select(UndoStep)).one()
        assert step.undo_batch_id == logged[0].batch_id and step.redone_at is None


def test_redo_reapplies_the_undone_edit(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", status="applied")
    save(client, read_program, pid, "status", "Interview scheduled")
    undo(client)

    response = redo(client)

    assert read_program(pid)["status"] == "interview_scheduled"
    assert [(c.field, c.old_value, c.new_value) for c in changes(app, source="redo")] == [
        ("status", "applied", "interview_scheduled")]
    assert row_out_of_band(response.get_data(as_text=True), pid, version=4)
    assert message(response) == "Redid: Status of Gary County Program to Interview scheduled."
    assert buttons(response) == {"can_undo": True, "can_redo": False}
    with app.app_context():
        assert db.session.scalars(sa.select(UndoStep)).one().redone_at is not None
    # The redone edit is back on the stack: undo takes it back again.
    undo(client)
    assert read_program(pid)["status"] == "applied"


def test_two_undos_take_back_two_edits_newest_first_and_two_redos_replay_them(app, client, make_program,
                                                                              read_program):
    pid = make_program(name="Gary County Program", city="Gary", positions=10)
    save(client, read_program, pid, "city", "Hammond")
    save(client, read_program, pid, "positions", "12")

    first = undo(client)
    assert message(first) == "Undid: Positions of Gary County Program back to 10."
    assert (read_program(pid)["city"], read_program(pid)["positions"]) == ("Hammond", 10)
    second = undo(client)
    assert message(second) == "Undid: City of Gary County Program back to Gary."
    assert (read_program(pid)["city"], read_program(pid)["positions"]) == ("Gary", 10)

    assert message(redo(client)) == "Redid: City of Gary County Program to Hammond."
    last = redo(client)
    assert message(last) == "Redid: Positions of Gary County Program to 12."
    assert (read_program(pid)["city"], read_program(pid)["positions"]) == ("Hammond", 12)
    assert buttons(last)["can_redo"] is False
    assert message(redo(client)) == "Nothing to redo."


def test_a_bulk_edit_of_several_fields_and_programs_is_undone_in_one_step(app, client, make_program, read_program):
    a = make_program(name="Alpha", status="researching", email_status="not_contacted")
    b = make_program(name="Beta", status="researching")
    c = make_program(name="Gamma", status="researching")
    in_batch(app, (a, {"status": "applied", "email_status": "intro_sent"}), (b, {"status": "applied"}))

    response = undo(client)

    assert message(response) == "Undid 3 changes to 2 programs."
    assert [read_program(i)["status"] for i in (a, b, c)] == ["researching"] * 3
    assert read_program(a)["email_status"] == "not_contacted"
    undone = changes(app, source="undo")
    assert len(undone) == 3 and len({u.batch_id for u in undone}) == 1
    body = response.get_data(as_text=True)
    assert row_out_of_band(body, a) and row_out_of_band(body, b)
    assert f'<tr id="p-{c}"' not in body

    assert message(redo(client)) == "Redid 3 changes to 2 programs."
    assert [read_program(i)["status"] for i in (a, b, c)] == ["applied", "applied", "researching"]


def test_undo_keeps_a_field_changed_since_and_says_so(app, client, make_program, read_program):
    x = make_program(name="City of X Program", city="Gary", status="researching")
    y = make_program(name="Other Program", status="researching")
    in_batch(app, (x, {"city": "Hammond", "status": "applied"}), (y, {"status": "applied"}),
             (y, {"email_status": "intro_sent"}))
    in_batch(app, (x, {"city": "Merrillville"}), source="import")  # an import since: not on the stack

    response = undo(client)

    assert message(response) == "Undid 3 of 4 changes; City of City of X Program had changed since and was kept."
    assert response.get_data(as_text=True).count('class="msg msg-warn"') == 1
    assert read_program(x)["city"] == "Merrillville"
    assert [read_program(i)["status"] for i in (x, y)] == ["researching", "researching"]
    assert read_program(y)["email_status"] != "intro_sent"

    # Redo re-applies what the undo took back, and leaves the import's value alone.
    assert message(redo(client)) == "Redid 3 changes to 2 programs."
    assert read_program(x)["city"] == "Merrillville"
    assert [read_program(i)["status"] for i in (x, y)] == ["applied", "applied"]


def test_when_everything_changed_since_nothing_is_overwritten_and_the_next_undo_goes_further(
        app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", city="Gary", positions=10)
    save(client, read_program, pid, "positions", "12")
    save(client, read_program, pid, "city", "Hammond")
    in_batch(app, (pid, {"city": "Merrillville"}), source="import")

    assert message(undo(client)) == "Could not undo: City of Gary County Program had changed since and was kept."
    assert read_program(pid)["city"] == "Merrillville"
    assert message(undo(client)) == "Undid: Positions of Gary County Program back to 10."


def test_undoing_an_add_deletes_the_program_and_redo_brings_it_back(app, client, read_program):
    added = client.post("/programs", data={"name": "Gary County Program"}, headers=HX)
    pid = int(re.search(r'<tr id="p-(\d+)"', added.get_data(as_text=True)).group(1))

    response = undo(client)

    assert read_program(pid)["deleted_at"] is not None
    assert f'<tr id="p-{pid}" hx-swap-oob="delete"></tr>' in response.get_data(as_text=True)
    assert message(response) == "Undid: adding Gary County Program."
    assert [(c.field, c.source) for c in changes(app, program_id=pid)][-1] == ("deleted_at", "undo")
    assert buttons(response) == {"can_undo": False, "can_redo": True}

    again = redo(client)
    assert read_program(pid)["deleted_at"] is None
    body = again.get_data(as_text=True)
    # Not in the page any more: it comes back at the top of the grid's rows.
    assert re.search(rf'<tbody hx-swap-oob="afterbegin:#rows"><tr id="p-{pid}"', body)
    assert message(again) == "Redid: adding Gary County Program."


def test_an_add_edited_since_by_an_import_is_kept(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program")
    in_batch(app, (pid, {"city": "Gary"}), source="import")
    response = undo(client)
    assert message(response) == "Could not undo: Gary County Program had changed since and was kept."
    assert read_program(pid)["deleted_at"] is None


def test_undoing_a_delete_restores_the_program(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", city="Gary")
    assert client.post(f"/programs/{pid}/delete", headers=HX).status_code == 200
    assert read_program(pid)["deleted_at"] is not None

    response = undo(client)

    assert read_program(pid)["deleted_at"] is None and read_program(pid)["city"] == "Gary"
    assert re.search(rf'<tbody hx-swap-oob="afterbegin:#rows"><tr id="p-{pid}"', response.get_data(as_text=True))
    assert message(response) == "Undid: deleting Gary County Program."

    again = redo(client)
    assert read_program(pid)["deleted_at"] is not None
    assert f'<tr id="p-{pid}" hx-swap-oob="delete"></tr>' in again.get_data(as_text=True)
    assert [c.source for c in changes(app, program_id=pid, field="deleted_at")] == ["delete", "undo", "redo"]


def test_a_new_edit_after_an_undo_leaves_nothing_to_redo(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", city="Gary", positions=10)
    save(client, read_program, pid, "city", "Hammond")
    undo(client)
    save(client, read_program, pid, "positions", "12")

    response = redo(client)

    assert message(response).startswith("Nothing to redo")
    assert buttons(response) == {"can_undo": True, "can_redo": False}
    assert (read_program(pid)["city"], read_program(pid)["positions"]) == ("Gary", 12)
    assert changes(app, source="redo") == []


def test_with_nothing_done_there_is_nothing_to_undo_or_redo(client):
    response = undo(client)
    assert message(response) == "Nothing to undo."
    assert buttons(response) == {"can_undo": False, "can_redo": False}
    assert message(redo(client)) == "Nothing to redo."


def import_csv(client, text: str) -> int:
    """Upload, accept the suggested mapping and apply a small CSV; the import batch's id."""
    uploaded = client.post("/imports", data={"file": (io.BytesIO(text.encode()), "list.csv")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    mapping_url = uploaded.headers["Location"]
    batch_id = int(re.search(r"/imports/(\d+)/", mapping_url).group(1))
    page = client.get(mapping_url).get_data(as_text=True)
    form = {}
    for name, block in re.findall(r'<select id="col-\d+" name="(col-\d+)">(.*?)</select>', page, re.DOTALL):
        chosen = re.search(r'<option value="([^"]*)" selected>', block)
        form[name] = chosen.group(1) if chosen else ""
    form["sheet"] = re.search(r'name="sheet" value="([^"]*)"', page).group(1)
    form["header_row"] = re.search(r'name="header_row" value="(\d+)"', page).group(1)
    assert client.post(mapping_url, data=form).status_code == 302
    assert client.post(f"/imports/{batch_id}/apply", data={}).status_code == 302
    return batch_id


def test_imports_are_not_on_the_stack(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", city="Gary")
    save(client, read_program, pid, "positions", "12")
    batch_id = import_csv(client, "Program,City,State\nNorthwest Indiana Program,Hammond,IN\n")
    with app.app_context():
        imported = db.session.scalar(sa.select(Program.id).where(Program.name == "Northwest Indiana Program"))
        assert db.session.get(ImportBatch, batch_id).status == "applied"

    response = undo(client)  # the edit before the import, not the import

    assert message(response) == "Undid: Positions of Gary County Program back to empty."
    assert read_program(imported)["deleted_at"] is None

    # Undoing the import from its page removes what it created; the grid's undo doesn't bring it back.
    assert client.post(f"/imports/{batch_id}/undo").status_code == 302
    assert read_program(imported)["deleted_at"] is not None
    response = undo(client)
    assert message(response) == "Undid: adding Gary County Program."
    assert read_program(imported)["deleted_at"] is not None
    assert message(undo(client)) == "Nothing to undo."


def test_undo_without_the_csrf_token_is_refused(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", city="Gary")
    save(client, read_program, pid, "city", "Hammond")
    for path in ("/undo", "/redo"):
        response = client.post(path, csrf=False, headers=HX)
        assert response.status_code == 400
    assert read_program(pid)["city"] == "Hammond"
    assert changes(app, source="undo") == []


def test_without_htmx_undo_and_redo_redirect_with_the_message(client, make_program, read_program):
    pid = make_program(name="Gary County Program", city="Gary")
    save(client, read_program, pid, "city", "Hammond")

    response = client.post("/undo")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert read_program(pid)["city"] == "Gary"
    back = client.post("/redo", data={"back": "changes"}, follow_redirects=True)
    assert back.request.path == "/changes"
    assert "Redid: City of Gary County Program to Hammond." in back.get_data(as_text=True)
    assert read_program(pid)["city"] == "Hammond"


def test_the_recent_changes_page_lists_changes_newest_first_by_batch_with_names_escaped(
        app, client, make_program, read_program):
    pid = make_program(name="<script>x</script>", status="applied")
    save(client, read_program, pid, "status", "Interview invited")
    save(client, read_program, pid, "city", "Gary")
    undo(client)

    page = client.get("/changes")

    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<script>x</script>" not in body and "&lt;script&gt;x&lt;/script&gt;" in body
    assert f'href="/programs/{pid}"' in body
    rows = re.findall(r"<td>(Status|City|Program)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", body)
    assert rows[:3] == [("City", "Gary", ""), ("City", "", "Gary"), ("Status", "Applied", "Interview invited")]
    sources = re.findall(r'<td rowspan="\d+">(\w+)(?: <span class="badge">(undone)</span>)?</td>', body)
    assert sources[:4] == [("undo", ""), ("edit", "undone"), ("edit", ""), ("create", "")]
    # Plain forms for Undo and Redo, with the CSRF token; no inline script or style.
    assert body.count('name="csrf_token"') >= 2 and 'action="/undo"' in body and 'action="/redo"' in body
    assert "<script>" not in body.replace('<script src=', '') and "style=" not in body


def test_a_restore_from_the_grid_is_undone_like_any_other_step(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", city="Gary")
    save(client, read_program, pid, "city", "Hammond")
    client.post(f"/programs/{pid}/delete", headers=HX)
    client.post(f"/programs/{pid}/restore")  # the grid's Restore after a delete: a step of its own

    assert message(undo(client)) == "Undid: restoring Gary County Program."
    assert read_program(pid)["deleted_at"] is not None
    assert message(undo(client)).startswith("Undid: deleting Gary County Program")
    assert read_program(pid)["deleted_at"] is None
    assert message(undo(client)) == "Undid: City of Gary County Program back to Gary."
    assert read_program(pid)["city"] == "Gary"


def test_loading_the_demo_or_starting_a_season_is_not_undone_by_ctrl_z(app, client, runner):
    runner.invoke(args=["demo"])
    response = client.post("/undo", headers={"HX-Request": "true"})
    assert "Nothing to undo" in response.get_data(as_text=True)
