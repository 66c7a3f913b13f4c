"""Small faults of issue 19: the trusted IPv6 loopback names, where the plain bulk edit sends the
browser back to, and Today's actions without a row version."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("host", ["[::1]", "[::1]:5000", "127.0.0.1:5000", "localhost", "LOCALHOST:8080"])
def test_the_configured_hosts_ipv6_loopback_included_are_served(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "[::2]", "[::1].evil.example", "127.0.0.2", "[::1]x"])
def test_other_hosts_are_refused(client, host):
    answer = client.get("/", headers={"Host": host})
    assert answer.status_code == 400 and answer.mimetype == "text/plain"


def test_a_host_added_in_the_setting_is_served_ipv6_without_brackets_too(app, client):
    app.config["TRUSTED_HOSTS"] = ["fd00::5", "tracker.example"]
    assert client.get("/", headers={"Host": "[fd00::5]:5000"}).status_code == 200
    assert client.get("/", headers={"Host": "tracker.example"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400


@pytest.mark.parametrize("referrer", [
    "javascript:alert(1)", "https://evil.example/", "//evil.example/x", "http://evil.example/?tier=all",
    "data:text/html,hi", "/\\evil.example", "http://localhost@evil.example/"])
def test_the_plain_bulk_edit_goes_back_only_to_the_trackers_own_pages(client, make_program, referrer):
    pid = make_program()
    answer = client.post("/programs/bulk", data={"change": "status:applied", "ids": [str(pid)]},
                         headers={"Referer": referrer})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_the_plain_bulk_edit_goes_back_to_the_grid_view_it_came_from(client, make_program):
    pid = make_program()
    answer = client.post("/programs/bulk", data={"change": "status:applied", "ids": [str(pid)]},
                         headers={"Referer": "http://localhost/?tier=all&sort=-state"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/?tier=all&sort=-state"


@pytest.mark.parametrize("kind", ["thank_you", "invitation", "follow_up", "apply"])
def test_todays_actions_without_a_version_are_refused(client, make_program, read_program, kind):
    pid = make_program(status="interview_invited")
    before = read_program(pid)
    answer = client.post(f"/today/{kind}/{pid}", data={}, headers={"HX-Request": "true"})
    assert answer.status_code == 400 and "version" in answer.get_data(as_text=True)
    assert read_program(pid) == before


def test_todays_research_without_a_version_is_refused(client, make_program, read_program):
    pid = make_program(visa_j1="unknown")
    before = read_program(pid)
    answer = client.post(f"/today/research/{pid}", data={"visa_j1": "yes"}, headers={"HX-Request": "true"})
    assert answer.status_code == 400 and read_program(pid) == before
