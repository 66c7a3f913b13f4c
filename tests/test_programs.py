"""Adding, editing on the program page, deleting and restoring programs."""

import json

import sqlalchemy as sa

from forms import form_values

from tracker.db import db
from tracker.models import Change, Program


def live_names(app):
    with app.app_context():
        return db.session.scalars(sa.select(Program.name).where(Program.deleted_at.is_(None))).all()


def test_quick_add_from_the_grid_returns_the_new_row(app, client):
    response = client.post("/programs", data={"name": "Mercy Hospital Program"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith('<tr id="p-') and "Mercy Hospital Program" in body
    assert live_names(app) == ["Mercy Hospital Program"]
    with app.app_context():
        assert db.session.scalar(sa.select(Change.source).where(Change.field == "name")) == "create"


def test_quick_add_without_a_name_is_refused(app, client):
    response = client.post("/programs", data={"name": "  "}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Program is required." in response.get_data(as_text=True)
    assert live_names(app) == []


def test_quick_add_works_without_javascript(app, client):
    response = client.post("/programs", data={"name": "Mercy Hospital Program"})
    assert response.status_code == 302
    assert "Mercy Hospital Program" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_full_form_adds_a_program_with_every_field_validated(app, client):
    page = client.get("/programs/new").get_data(as_text=True)
    for label in ("Program", "J-1", "Step 2 CK min", "Mission tags", "Interview"):
        assert label in page
    refused = client.post("/programs/new", data={"name": "Mercy", "positions": "lots", "status": "researching",
                                                  "email_status": "not_contacted", "visa_j1": "unknown"})
    assert refused.status_code == 422
    assert "Positions: enter a whole number" in refused.get_data(as_text=True)
    assert live_names(app) == []

    added = client.post("/programs/new", data={
        "name": "Mercy", "positions": "8", "visa_j1": "yes", "visa_h1b": "unknown", "status": "researching",
        "email_status": "not_contacted", "mission_tags": ["rural", "border"], "usce_required": "unknown",
        "signal_sent": "no",
    })
    assert added.status_code == 302
    with app.app_context():
        program = db.session.scalar(sa.select(Program))
        assert (program.positions, program.visa_j1, program.mission_tags) == (8, "yes", ["border", "rural"])


def form_of(client, pid):
    return form_values(client.get(f"/programs/{pid}").get_data(as_text=True))


def test_the_program_page_saves_the_form_and_shows_the_history(app, client, make_program, read_program):
    pid = make_program(city="Toledo", state="OH", status="applied")
    data = form_of(client, pid)
    assert data["city"] == "Toledo" and data["version"] == "1"
    data.pop("csrf_token", None)
    data.update(city="Dayton", positions="9")

    response = client.post(f"/programs/{pid}", data=data, follow_redirects=True)

    assert response.status_code == 200
    assert "Saved 2 changes." in response.get_data(as_text=True)
    stored = read_program(pid)
    assert (stored["city"], stored["positions"], stored["state"], stored["status"]) == ("Dayton", 9, "OH", "applied")
    history = response.get_data(as_text=True).split('id="history"')[1]
    assert "Toledo" in history and "Dayton" in history and "edit" in history


def test_the_program_page_refuses_a_stale_form(app, client, make_program, read_program):
    pid = make_program(city="Toledo")
    data = form_of(client, pid)
    data.pop("csrf_token", None)
    client.post(f"/programs/{pid}/cells/city", data={"value": "Dayton", "version": 1})

    data["city"] = "Akron"
    response = client.post(f"/programs/{pid}", data=data)

    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "changed elsewhere" in body and "Your unsaved value: “Akron”" in body
    assert read_program(pid)["city"] == "Dayton"


def test_delete_from_the_grid_removes_the_row_and_offers_restore(app, client, make_program, read_program):
    pid = make_program(name="Mercy Hospital Program")
    response = client.post(f"/programs/{pid}/delete", headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'hx-swap-oob="true"' in body and f"/programs/{pid}/restore" in body
    assert f'id="p-{pid}"' not in client.get("/").get_data(as_text=True)
    assert read_program(pid)["deleted_at"] is not None
    assert "Mercy Hospital Program" in client.get("/programs/deleted").get_data(as_text=True)

    restored = client.post(f"/programs/{pid}/restore")
    assert restored.status_code == 302
    assert read_program(pid)["deleted_at"] is None
    assert f'id="p-{pid}"' in client.get("/").get_data(as_text=True)
    with app.app_context():
        sources = db.session.scalars(sa.select(Change.source).where(Change.field == "deleted_at")).all()
    assert sources == ["delete", "restore"]  # a restore of its own, which Ctrl+Z takes back


def test_delete_without_javascript_asks_for_confirmation_first(client, make_program, read_program):
    pid = make_program(name="Mercy Hospital Program")
    page = client.get(f"/programs/{pid}/delete")
    assert page.status_code == 200 and "Delete Mercy Hospital Program?" in page.get_data(as_text=True)
    assert read_program(pid)["deleted_at"] is None
    assert client.post(f"/programs/{pid}/delete").status_code == 302
    assert read_program(pid)["deleted_at"] is not None


def test_a_program_code_belongs_to_one_program(app, client, make_program, read_program):
    make_program(name="First", program_code="1403621114")
    other = make_program(name="Second")
    response = client.post(f"/programs/{other}/cells/program_code", data={"value": "1403621114.0", "version": 1})
    assert response.status_code == 422
    assert "already belongs to First" in response.get_data(as_text=True)
    assert read_program(other)["program_code"] is None


HX = {"HX-Request": "true"}


def undo_buttons(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])["tracker:undo"]


def test_adding_and_deleting_from_the_grid_set_the_undo_buttons(client, make_program):
    pid = make_program(name="Mercy Hospital Program", city="Toledo")
    client.post(f"/programs/{pid}/cells/city", data={"value": "Dayton", "version": 1}, headers=HX)
    assert undo_buttons(client.post("/undo", headers=HX))["can_redo"] is True

    added = client.post("/programs", data={"name": "Gary County Program"}, headers=HX)
    assert added.status_code == 200
    assert undo_buttons(added) == {"can_undo": True, "can_redo": False}  # a new action ends redo

    assert undo_buttons(client.post("/undo", headers=HX))["can_redo"] is True
    deleted = client.post(f"/programs/{pid}/delete", headers=HX)
    assert deleted.status_code == 200
    assert undo_buttons(deleted) == {"can_undo": True, "can_redo": False}


def test_a_second_top_choice_saved_on_the_program_page_warns(client, make_program, read_program):
    make_program(name="First Choice Program", top_choice="yes")
    second = make_program(name="Second Program")
    data = form_of(client, second)
    data["top_choice"] = "yes"

    body = client.post(f"/programs/{second}", data=data, follow_redirects=True).get_data(as_text=True)

    assert "Saved 1 change." in body
    assert '<p class="msg msg-warn">First Choice Program is also marked top choice.' in body
    assert read_program(second)["top_choice"] == "yes"  # saved all the same
    data = form_of(client, second)
    data["city"] = "Gary"  # a save that does not mark it again says nothing more
    assert "also marked top choice" not in client.post(f"/programs/{second}", data=data,
                                                        follow_redirects=True).get_data(as_text=True)


def test_signalling_more_than_the_profile_allows_on_the_program_page_warns(client, make_program, read_program):
    client.post("/profile", data={"visa_needed": "", "season_year": "2027", "signals_psychiatry": "1"})
    make_program(name="Signalled Psych", specialty="psychiatry", signal_sent="yes")
    second = make_program(name="Second Psych", specialty="psychiatry")
    data = form_of(client, second)
    data["signal_sent"] = "yes"

    body = client.post(f"/programs/{second}", data=data, follow_redirects=True).get_data(as_text=True)

    assert "Saved 1 change." in body
    assert "2 Psychiatry institutions are signalled; your profile says you may send 1." in body
    assert read_program(second)["signal_sent"] == "gold"
