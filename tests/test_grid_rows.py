"""A cell save that changes a row's tier or status gives the row its new class (its tier stripe
and status colour); the edited cell stays the answer, so the keyboard focus stays on it."""

import json
import re

HX = {"HX-Request": "true"}


def save(client, program_id, key, value, version):
    return client.post(f"/programs/{program_id}/cells/{key}", data={"value": value, "version": version},
                       headers=HX)


def saved(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])["tracker:saved"]


def row_class_in_grid(client, program_id) -> str:
    page = client.get("/?tier=all").get_data(as_text=True)
    return re.search(rf'<tr id="p-{program_id}" class="([^"]*)"', page).group(1)


def test_a_save_that_excludes_the_program_sends_the_rows_new_tier_class(client, make_program):
    client.post("/profile", data={"visa_needed": "J-1", "season_year": "2027"})
    pid = make_program(name="Gary County Program", visa_j1="yes", setting="county", img_percent=60)
    before = row_class_in_grid(client, pid)
    assert not before.startswith("t-not_eligible")

    response = save(client, pid, "visa_j1", "no", 1)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith('<td data-f="visa_j1"')  # the edited cell is the answer, not its row
    assert f'<tr id="p-{pid}"' not in body
    assert 'id="tier-chips"' in body and f'id="tier-{pid}"' in body  # tier cell and counts out of band
    assert saved(response)["row_class"] == "t-not_eligible s-researching" == row_class_in_grid(client, pid)


def test_setting_a_tier_or_a_status_by_hand_sends_the_new_class(client, make_program):
    pid = make_program(name="Gary County Program")  # nothing known: computed as Reach
    assert saved(save(client, pid, "tier_override", "possible", 1))["row_class"] == "t-possible s-researching"
    assert saved(save(client, pid, "status", "applied", 2))["row_class"] == "t-possible s-applied"
    assert row_class_in_grid(client, pid) == "t-possible s-applied"


def test_a_save_that_keeps_the_class_sends_none(client, make_program):
    pid = make_program(name="Gary County Program")
    assert saved(save(client, pid, "city", "Gary", 1)) == {"id": pid, "version": 2}
