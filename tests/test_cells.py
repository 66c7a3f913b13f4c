"""Saving a grid cell: POST /programs/<id>/cells/<field> with the value and the row version."""

import json
import re

import pytest
import sqlalchemy as sa

from tracker import fields
from tracker.db import db
from tracker.models import Change


def change_rows(app, program_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(Change).where(Change.program_id == program_id).order_by(Change.id)
        ).all()


def save(client, program_id, key, value, version):
    data = {"value": value, "version": version}
    # from a grid showing every column (a newcomer's shows fewer: tests/test_layout.py)
    return client.post(f"/programs/{program_id}/cells/{key}", data=data,
                       headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/?col=all"})


def test_a_valid_save_stores_the_value_logs_one_change_and_bumps_the_version(app, client, make_program, read_program):
    pid = make_program(positions=10)
    before = len(change_rows(app, pid))

    response = save(client, pid, "positions", "12", 1)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith('<td data-f="positions"') and ">12<" in body
    assert json.loads(response.headers["HX-Trigger"]) == {"tracker:saved": {"id": pid, "version": 2}}
    stored = read_program(pid)
    assert stored["positions"] == 12 and stored["version"] == 2
    changes = change_rows(app, pid)[before:]
    assert [(c.field, c.old_value, c.new_value, c.source) for c in changes] == [("positions", "10", "12", "edit")]


def test_saving_the_same_value_writes_nothing(app, client, make_program, read_program):
    pid = make_program(status="applied")
    before = len(change_rows(app, pid))
    response = save(client, pid, "status", "Applied", 1)
    assert response.status_code == 200
    assert read_program(pid)["version"] == 1
    assert len(change_rows(app, pid)) == before


def test_an_invalid_value_answers_422_with_the_message_in_the_cell_and_changes_nothing(app, client, make_program, read_program):
    pid = make_program(positions=10)
    before = len(change_rows(app, pid))

    response = save(client, pid, "positions", "twelve", 1)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'class="cell-msg"' in body and "enter a whole number from 0 to 500" in body
    assert 'value="twelve"' in body  # what was typed stays in the editor, to be corrected
    assert read_program(pid)["positions"] == 10 and read_program(pid)["version"] == 1
    assert len(change_rows(app, pid)) == before


def test_a_stale_version_answers_409_with_the_stored_value_and_changes_nothing(app, client, make_program, read_program):
    pid = make_program(city="Toledo")
    assert save(client, pid, "city", "Dayton", 1).status_code == 200  # another tab saved first

    response = save(client, pid, "city", "Akron", 1)  # this tab still has version 1

    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert body.startswith(f'<tr id="p-{pid}"') and 'data-version="2"' in body
    assert "it is now “Dayton”" in body and "Your “Akron” was not saved" in body
    assert response.headers["HX-Retarget"] == f"#p-{pid}"
    assert read_program(pid)["city"] == "Dayton"
    assert [c.new_value for c in change_rows(app, pid) if c.field == "city"] == ["Toledo", "Dayton"]


def test_a_save_without_the_row_version_is_refused(client, make_program, read_program):
    pid = make_program(city="Toledo")
    response = client.post(f"/programs/{pid}/cells/city", data={"value": "Akron"})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert read_program(pid)["city"] == "Toledo"


def test_unknown_fields_and_programs_answer_404(client, make_program):
    pid = make_program()
    assert save(client, pid, "favourite_colour", "red", 1).status_code == 404
    assert save(client, 9999, "city", "Akron", 1).status_code == 404
    assert client.get(f"/programs/{pid}/cells/favourite_colour/edit").status_code == 404


def test_a_deleted_program_cannot_be_edited(client, make_program, read_program):
    pid = make_program(city="Toledo")
    client.post(f"/programs/{pid}/delete")
    response = save(client, pid, "city", "Akron", 2)
    assert response.status_code == 404
    assert read_program(pid)["city"] == "Toledo"


def test_htmx_errors_are_retargeted_to_the_message_area(client, make_program):
    pid = make_program()
    response = save(client, pid, "nope", "x", 1)
    assert response.headers["HX-Retarget"] == "#flash"
    assert "is not a program field" in response.get_data(as_text=True)


# One valid and one refused input per field: every kind of the catalogue renders an
# editor, saves, shows the value, and refuses bad input with a 422.
SAMPLES = {
    "name": ("Mercy Program", ""),
    "tier_override": ("Reach", "Tier 9"),
    "tier_override_reason": ("Alumni there", "x" * 201),
    "specialty_text": ("Sleep Medicine", "x" * 201),
    "specialty": ("Psychiatry", "Cardiology"),
    "track": ("Preliminary", "Fast"),
    "program_code": ("1403621114", "#1"),
    "city": ("El Paso", "x" * 101),
    "state": ("TX", "Texasville"),
    "setting": ("County", "Spaceship"),
    "mission_tags": (["rural", "spanish"], ["surfing"]),
    "positions": ("8", "eight"),
    "website": ("https://gme.example.org", "javascript:alert(1)"),
    "contact_email": ("gme@example.org", "gme at example"),
    "visa_j1": ("yes", "perhaps"),
    "visa_h1b": ("no", "perhaps"),
    "img_percent": ("45%", "145"),
    "non_us_img_count": ("6", "-6"),
    "non_us_img_percent": ("12%", "120"),
    "step2_min_kind": ("Preferred", "Sometimes"),
    "max_attempts_kind": ("Strict cutoff", "Sometimes"),
    "yog_limit_kind": ("None stated", "Sometimes"),
    "ecfmg_by": ("By the rank-list deadline", "Whenever"),
    "img_origins": ("South Asia", "x" * 301),
    "step1_requirement": ("pass", "good"),
    "step2_min": ("225", "99"),
    "max_attempts": ("2", "0"),
    "yog_limit_years": ("5", "five"),
    "usce_required": ("Required", "Sometimes"),
    "mission_notes": ("Border clinic", "x" * 10_001),
    "notes": ("Alumni here", "x" * 10_001),
    "status": ("Applied", "Pending"),
    "email_status": ("Intro sent", "Ghosted"),
    "date_applied": ("2026-09-24", "next week"),
    "signal_sent": ("Silver", "kinda"),
    "ties": (["rotated", "alumni"], ["neighbours"]),
    "interview_date": ("2026-12-01T10:00", "at ten"),
    "invited_at": ("2026-11-10 08:00", "last week"),
    "thank_you_sent": ("2026-12-02", "12/40/2026"),
    "loi_sent": ("2027-01-15", "soon"),
    "rank": ("3", "first"),
    "mentor_comments": ("Apply early", "x" * 10_001),
    "interview_format": ("Virtual", "Carrier pigeon"),
    "interview_notes": ("PD was kind", "x" * 10_001),
    "follow_up_on": ("2026-12-01", "after lunch"),
    "top_choice": ("yes", "very"),
    "soap_list": ("yes", "maybe so"),
    "outcome": ("Matched", "Won"),
    "accepting_applications": ("yes", "sometimes"),
    "eras_participation": ("no", "paper only"),
    "interviews_last_year": ("540", "-3"),
    "data_updated_on": ("2026-08-15", "last spring"),
    "us_md_percent": ("40%", "140"),
    "do_percent": ("15", "-1"),
}


def test_samples_cover_the_whole_catalogue():
    assert set(SAMPLES) == set(fields.BY_KEY)


@pytest.mark.parametrize("key", list(SAMPLES))
def test_every_field_edits_saves_and_refuses_bad_input(client, make_program, read_program, key):
    f = fields.get(key)
    good, bad = SAMPLES[key]
    pid = make_program(name="Original Program")

    editor = client.get(f"/programs/{pid}/cells/{key}/edit")
    assert editor.status_code == 200
    html = editor.get_data(as_text=True)
    assert f'<label class="sr" for="e-{pid}-{key}">{f.label}' in html
    assert 'name="value"' in html

    refused = save(client, pid, key, bad, 1)
    assert refused.status_code == 422, key
    assert 'class="cell-msg"' in refused.get_data(as_text=True)
    assert read_program(pid)["version"] == 1

    saved = save(client, pid, key, good, 1)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    stored = read_program(pid)[key]
    assert stored == f.parse(good)
    body = saved.get_data(as_text=True)
    shown = f.display(stored)
    for part in shown.split(", ") if f.kind is fields.Kind.TAGS else [shown]:
        assert part in body.replace("&#39;", "'"), (key, part)
    # the display cell is what the grid shows for that program after a reload
    cell = re.match(r"<(td|th)\b.*?</\1>", body, re.S).group(0)
    assert cell in client.get("/?tier=all&col=all").get_data(as_text=True)


def test_a_second_top_choice_is_saved_with_a_warning(client, make_program, read_program):
    first = make_program(name="First Choice Program", top_choice="yes")
    second = make_program(name="Second Program")
    response = save(client, second, "top_choice", "yes", 1)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and read_program(second)["top_choice"] == "yes"
    assert 'id="flash"' in body and 'hx-swap-oob="true"' in body
    assert "First Choice Program is also marked top choice" in body
    assert "also marked top choice" not in save(client, first, "top_choice", "no", 1).get_data(as_text=True)


def test_signalling_more_programs_than_the_profile_allows_warns(client, make_program, read_program):
    client.post("/profile", data={"visa_needed": "", "season_year": "2027", "signals_psychiatry": "1"})
    make_program(name="Signalled Psych", specialty="psychiatry", signal_sent="yes")
    second = make_program(name="Another Psych", specialty="psychiatry")
    family = make_program(name="Family Program", specialty="family_medicine")
    body = save(client, second, "signal_sent", "yes", 1).get_data(as_text=True)
    assert read_program(second)["signal_sent"] == "gold"  # a yes is a gold signal
    assert "2 Psychiatry institutions are signalled; your profile says you may send 1." in body
    assert "signalled" not in save(client, family, "signal_sent", "yes", 1).get_data(as_text=True)
