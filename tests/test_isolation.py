"""Each applicant's lists, profile, seasons, imports, views, backups and calendar belong to that
applicant: with another applicant's ids every route answers 404 (403 where the role is refused
outright), writes nothing, and every page shows only the applicant's own rows.

The routes are read from the app's url map, not listed here, so a route added later is covered
by itself; one with an ``<int:...>`` argument this file has no ids for fails until it has."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl.comments import Comment
from werkzeug.routing import IntegerConverter

from tracker.db import db
from tracker.models import Account, ImportBatch, MentorAccess, MentorComment, Program, Season, UndoStep
from tracker.tenancy import EVERY_OWNER, Owned

from accounts_helpers import make_account, sign_in
from forms import form_values, mapping_form

MARK = "Amalfield"  # in every name, note and label of applicant A's, and in none of B's
A_EMAIL, B_EMAIL = "amal@example.org", "bilal@example.org"
SEASON_DATES = {"eras_opens": "2027-09-03", "programs_review": "2027-09-24", "nrmp_opens": "2027-09-15",
                "nrmp_early_deadline": "2027-12-31", "ranking_opens": "2028-01-15", "rank_deadline": "2028-02-25",
                "rank_deadline_time": "21:00", "match_week": "2028-03-13", "match_day": "2028-03-17"}
# What a POST sends beside the address: enough that a refusal is about whose row it is, not a bad form
POSTED = {"value": "Overwritten by B", "version": "1", "name": "Written by B", "city": "Nowhere",
          "confirmed": "1", "confirm": "yes", "year": "2030", "level": "gold", "change": "status:applied",
          "active": "no", "visa_j1": "yes", **SEASON_DATES}
# Arguments that are not ids, filled with a value the route accepts
WORDS = {"key": "city", "kind": "thank_you"}
NOT_CHECKED = {"static"}  # the package's files: nobody's rows


# -- applicant A's data, made through the web -----------------------------------------------

def _upload(client, name: str, data: bytes) -> int:
    response = client.post("/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/imports/(\d+)/", response.headers["Location"]).group(1))


def _map(client, batch_id: int) -> None:
    url = f"/imports/{batch_id}/mapping"
    mapped = client.post(url, data=mapping_form(client.get(url).get_data(as_text=True)))
    assert mapped.status_code == 302, mapped.get_data(as_text=True)
    assert client.get(mapped.headers["Location"]).status_code == 200


def _apply(client, batch_id: int) -> None:
    applied = client.post(f"/imports/{batch_id}/apply", data={})
    assert applied.status_code == 302, applied.get_data(as_text=True)


def _csv(names: list[str]) -> bytes:
    lines = ["Program Name,State,City,Program Code"] + [
        f"{name},OH,{MARK} City,140000{i:04d}" for i, name in enumerate(names)]
    return ("\n".join(lines) + "\n").encode()


def _returned_export(client, note_on: str) -> bytes:
    """A's export as a mentor sends it back, with a cell note (a MentorComment once imported)."""
    response = client.get("/export.xlsx?tier=all")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = wb["Programs"]
    headers = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == note_on:
            ws.cell(r, headers.index("City") + 1).comment = Comment(f"{MARK}: ask about the city", "Dr Mentor")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_a(app, client) -> dict:
    """A full set of A's data: programs (one deleted), profile, rules, a saved view, a layout, an
    applied import with a mentor's comment, a draft import, an undo step, a second season and its
    dates, the history of all that, and a calendar link."""
    names = [f"{MARK} Regional Medical Center Program (Internal Medicine)",
             f"{MARK} Deleted Hospital Program (Family Medicine)",
             f"{MARK} Undone Clinic Program (Pediatrics)"]
    for name in names:
        assert client.post("/programs/new", data={"name": name, "state": "OH", "city": "Columbus"}).status_code == 302
    assert client.post("/programs", data={"name": f"{MARK} Quick Program (Neurology)"}).status_code == 302
    with app.app_context():
        ids = {p.name: p.id for p in db.session.scalars(
            sa.select(Program).execution_options(**{EVERY_OWNER: True}))}
    first, gone, undone = (ids[n] for n in names)
    assert client.post(f"/programs/{first}/cells/city", data={"value": "Dayton", "version": "1"}).status_code == 200
    assert client.post(f"/programs/{undone}/cells/city", data={"value": "Akron", "version": "1"}).status_code == 200
    assert client.post("/undo").status_code in (200, 302)
    assert client.post(f"/programs/{gone}/delete").status_code == 302
    assert client.post("/profile", data={"full_name": f"Amal {MARK}", "visa_needed": "J-1", "season_year": "2027",
                                         "step2_ck": "231"}).status_code == 302
    settings = form_values(client.get("/settings").get_data(as_text=True))
    assert client.post("/settings", data=settings).status_code in (200, 302)
    assert client.post("/views", data={"name": f"{MARK} view", "query": "f.state=OH"}).status_code in (200, 302)
    assert client.post("/layout", data={"toggle": "Visa & IMG", "back": "/?tier=all"}).status_code in (200, 302)
    imported = _upload(client, f"{MARK}.csv", _csv([f"{MARK} Imported Program {i} (Surgery)" for i in range(3)]))
    _map(client, imported)
    _apply(client, imported)
    returned = _upload(client, "back.xlsx", _returned_export(client, names[0]))
    _map(client, returned)
    _apply(client, returned)
    draft = _upload(client, "draft.csv", _csv([f"{MARK} Draft Program (Urology)"]))
    _map(client, draft)
    assert client.get("/calendar").status_code == 200  # makes A's calendar link
    year = 2028
    assert client.post("/seasons", data={"year": str(year), "confirm": "yes"}).status_code == 302
    with app.app_context():
        everyone = {EVERY_OWNER: True}
        season_id = db.session.scalar(sa.select(Season.id).where(Season.year == year).execution_options(**everyone))
    assert client.post(f"/seasons/{season_id}/dates", data=SEASON_DATES).status_code in (200, 302, 303)
    with app.app_context():
        everyone = {EVERY_OWNER: True}
        copy = db.session.scalar(sa.select(Program.id).where(Program.season_id == season_id,
                                                             Program.name == f"{MARK} Quick Program (Neurology)")
                              .execution_options(**everyone))
    assert client.post(f"/programs/{copy}/delete").status_code == 302  # a deleted program in each season
    with app.app_context():
        from tracker.accounts import invite_mentor

        invite_mentor(db.session.get(Account, db.session.scalar(
            sa.select(Account.id).where(Account.email == A_EMAIL))), f"{MARK} mentor")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MentorComment)
                                 .execution_options(**everyone)) >= 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UndoStep).execution_options(**everyone)) == 1
        assert {b.status for b in db.session.scalars(sa.select(ImportBatch).execution_options(**everyone))} == \
            {"applied", "draft"}
    return ids


def ids_of(app, owner: int) -> dict[str, list[int]]:
    """Every id of ``owner``'s rows, by the name a route gives that kind of id."""
    with app.app_context():
        everyone = {EVERY_OWNER: True}

        def of(model, *where):
            return list(db.session.scalars(sa.select(model.id).where(*where).order_by(model.id)
                                           .execution_options(**everyone)))

        return {
            "program_id": of(Program, Program.owner_id == owner),
            "batch_id": of(ImportBatch, ImportBatch.owner_id == owner),
            "season_id": of(Season, Season.owner_id == owner),
            "account_id": [owner],
            "applicant_id": [owner],
            "access_id": of(MentorAccess, MentorAccess.applicant_id == owner),
            "comment_id": of(MentorComment, MentorComment.owner_id == owner),
            "step_id": of(UndoStep, UndoStep.owner_id == owner),
        }


def dump(app, owner: int) -> dict[str, list[tuple]]:
    """Every row of every table that is ``owner``'s (its own account and invitations too), as stored."""
    out = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            query = sa.select(table).order_by(*table.primary_key.columns)
            if "owner_id" in table.c:
                query = query.where(table.c.owner_id == owner)
            elif table.name == "account":
                query = query.where(table.c.id == owner)
            elif table.name == "mentor_access":
                query = query.where(table.c.applicant_id == owner)
            else:
                continue
            out[table.name] = [tuple(row) for row in db.session.execute(query.execution_options(**{EVERY_OWNER: True}))]
    return out


def owned_tables() -> set[str]:
    return {m.local_table.name for m in db.Model.registry.mappers if issubclass(m.class_, Owned)}


def files_of(app, owner: int) -> dict[str, bytes]:
    """The files kept for ``owner``'s import drafts in instance/imports."""
    folder = Path(app.instance_path) / "imports"
    with app.app_context():
        batches = set(db.session.scalars(sa.select(ImportBatch.batch_id).where(ImportBatch.owner_id == owner)
                                         .execution_options(**{EVERY_OWNER: True})))
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*")) if p.name.split(".", 1)[0] in batches}


def text_of(response) -> str:
    """A response's text, an xlsx's sheets (its zipped XML) included."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return data.decode("utf-8", "replace")


def urls(app, ids: dict[str, list[int]]):
    """(rule, method, url) for every rule and method of the app, its int arguments filled with
    ``ids`` of their kind (each id in turn: a deleted program is tried as well as a live one)."""
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if rule.endpoint in NOT_CHECKED:
                continue
            int_args = [a for a in rule.arguments if isinstance(rule._converters[a], IntegerConverter)]
            missing = [a for a in int_args if not ids.get(a)]
            assert not missing, f"{rule.rule}: no ids of A's for {missing}; add the kind to ids_of()"
            others = [a for a in rule.arguments if a not in int_args]
            fillings = [{}]
            for arg in int_args:
                fillings = [{**f, arg: i} for f in fillings for i in ids[arg]]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for filling in fillings:
                    values = {**{a: WORDS.get(a, "x") for a in others}, **filling}
                    yield rule, method, url_for(rule.endpoint, **values), bool(int_args)


@pytest.fixture
def two(accounts_app):
    app = accounts_app
    a_id = make_account(app, A_EMAIL)
    b_id = make_account(app, B_EMAIL)
    a, b = app.test_client(), app.test_client()
    sign_in(a, A_EMAIL)
    sign_in(b, B_EMAIL)
    b.post("/programs/new", data={"name": "Bilal Own Program (Internal Medicine)", "state": "TX"})
    build_a(app, a)
    return app, a, b, a_id, b_id


# -- the tests ------------------------------------------------------------------------------

NOBODYS_ID = 987_654_321  # an id no row has: what B is answered for it is what the role gets anyway


def assert_every_route_answers_404(app, b, a_id: int) -> int:
    """B, signed in, tries every rule with an id argument, filled with A's ids: every answer is 404,
    or 403 where B's role is refused that route whatever the id (B gets 403 for an id nobody has,
    too), and nothing of A's changes. Returns how many requests were made."""
    ids = ids_of(app, a_id)
    assert set(dump(app, a_id)) >= owned_tables()
    before, files_before = dump(app, a_id), files_of(app, a_id)
    assert files_before, "A's draft import keeps its file"

    def send(method: str, url: str):
        return b.get(url) if method == "GET" else b.post(url, data=POSTED)

    nobodys = {kind: [NOBODYS_ID] for kind in ids}
    refused_anyway = {(rule.rule, method) for rule, method, url, has_ids in urls(app, nobodys)
                      if has_ids and send(method, url).status_code == 403}
    checked, wrong = 0, []
    for rule, method, url, has_ids in urls(app, ids):
        if not has_ids:
            continue
        answer = send(method, url)
        allowed = (404, 403) if (rule.rule, method) in refused_anyway else (404,)
        if answer.status_code not in allowed:
            wrong.append(f"{method} {url}: {answer.status_code}")
        elif MARK in text_of(answer):
            wrong.append(f"{method} {url}: {answer.status_code} naming A's data")
        checked += 1
    assert not wrong, "B reached A's rows:\n" + "\n".join(wrong)
    assert dump(app, a_id) == before
    assert files_of(app, a_id) == files_before
    return checked


def test_every_route_with_another_applicants_ids_answers_404_and_changes_nothing(two):
    app, a, b, a_id, b_id = two
    assert assert_every_route_answers_404(app, b, a_id) > 40


def test_the_ids_are_real_ones_that_their_owner_reaches(two):
    """The same addresses that answer B 404 answer A (each route reaches a row for some id)."""
    app, a, b, a_id, b_id = two
    ids = ids_of(app, a_id)
    reached: dict[str, bool] = {}
    for rule, method, url, has_ids in urls(app, ids):
        if not has_ids or method != "GET" or rule.endpoint.startswith("accounts."):
            continue
        reached[rule.rule] = reached.get(rule.rule, False) or a.get(url).status_code != 404
    assert reached and all(reached.values()), [r for r, ok in reached.items() if not ok]


def test_routes_without_ids_show_b_only_bs_data_and_change_nothing_of_as(two):
    app, a, b, a_id, b_id = two
    ids = ids_of(app, a_id)
    before, files_before = dump(app, a_id), files_of(app, a_id)
    # what the id-less writes take from their form: A's ids, every one
    a_programs = [str(i) for i in ids["program_id"]]
    cells = '[' + ",".join(f'{{"id": {i}, "f": "city", "value": "Overwritten by B"}}' for i in a_programs) + ']'
    posted = {**POSTED, "ids": a_programs, "cells": cells, "versions": "{" + ",".join(
        f'"{i}": 2' for i in a_programs) + "}", "all": "0"}
    shown = []
    for rule, method, url, has_ids in urls(app, ids):
        if has_ids or rule.endpoint in ("auth.sign_out", "auth.sign_in", "calendar.feed"):
            continue
        answer = b.get(url) if method == "GET" else b.post(url, data=posted)
        assert answer.status_code < 500, f"{method} {url}: {answer.status_code}"
        if MARK in text_of(answer):
            shown.append(f"{method} {url}")
    assert not shown, "B was shown A's data:\n" + "\n".join(shown)
    assert dump(app, a_id) == before
    assert files_of(app, a_id) == files_before


PAGES = ["/?tier=all", "/today", "/dashboard", "/export.xlsx?tier=all", "/export.csv?tier=all", "/calendar.ics",
         "/changes", "/seasons", "/imports", "/programs/deleted", "/cards", "/calendar", "/profile", "/settings"]
A_SHOWS_HIS = {"/?tier=all", "/export.xlsx?tier=all", "/export.csv?tier=all", "/changes", "/imports",
               "/programs/deleted", "/profile"}  # pages where A's own answer names A's data (the test's check)


def test_bs_pages_name_none_of_as_programs(two):
    app, a, b, a_id, b_id = two
    shown = []
    for page in PAGES:
        answer = b.get(page)
        assert answer.status_code == 200, page
        body = text_of(answer)
        if MARK in body or "2028 Match" in body:  # A's names, or A's second season
            shown.append(page)
        if page in A_SHOWS_HIS:
            assert MARK in text_of(a.get(page)), f"A's own {page} shows A's data"
    assert not shown, "B was shown A's data on " + ", ".join(shown)
    assert "Bilal Own Program" in b.get("/export.csv?tier=all").get_data(as_text=True)


def test_bs_saved_views_are_not_as(two):
    app, a, b, a_id, b_id = two
    assert f"{MARK} view" in a.get("/?tier=all").get_data(as_text=True)
    assert f"{MARK} view" not in b.get("/?tier=all").get_data(as_text=True)


def test_an_applicant_can_not_download_the_whole_database(two):
    app, a, b, a_id, b_id = two
    for address in ("/backup.sqlite3", "/backups/tracker-2026-07-01.sqlite3"):
        answer = b.get(address)
        assert answer.status_code == 403, address
        assert "a copy of the whole database is not handed to any one applicant" in answer.get_data(as_text=True)
    page = b.get("/backups").get_data(as_text=True)
    assert "a copy of the whole database is not handed to any one applicant" in page and 'href="/backup.sqlite3"' not in page
    assert not list(Path(app.instance_path).glob(".download-*"))


def test_no_one_signed_in_sees_no_season_and_none_is_made(accounts_app):
    def seasons():
        with accounts_app.app_context():
            return list(db.session.execute(sa.select(Season.id, Season.owner_id)
                                           .execution_options(**{EVERY_OWNER: True})))

    made_by_migrations = seasons()  # 0006's season of the one-person tracker's list, owned by no account
    make_account(accounts_app, A_EMAIL)
    make_account(accounts_app, "root@example.org", role="admin")
    visitor = accounts_app.test_client()
    assert "season-label" not in visitor.get("/sign-in").get_data(as_text=True)
    assert visitor.get("/calendar/not-a-token.ics").status_code == 404
    admin = accounts_app.test_client()
    sign_in(admin, "root@example.org")
    assert "season-label" not in admin.get("/accounts").get_data(as_text=True)
    assert seasons() == made_by_migrations
    with accounts_app.app_context():
        from tracker.store import current_season
        from tracker.tenancy import NoOwner

        db.session.execute(sa.delete(Season).execution_options(**{EVERY_OWNER: True}))
        db.session.commit()
        with pytest.raises(NoOwner):
            current_season()
    # with no season anywhere, the pages that are no applicant's still answer, and make none
    assert visitor.get("/sign-in").status_code == 200
    assert admin.get("/accounts").status_code == 200
    assert seasons() == []


def test_each_applicant_has_a_calendar_link_of_their_own(two):
    app, a, b, a_id, b_id = two
    link = re.compile(r"/calendar/([A-Za-z0-9_-]+)\.ics")
    a_token = link.search(a.get("/calendar").get_data(as_text=True)).group(1)
    b_token = link.search(b.get("/calendar").get_data(as_text=True)).group(1)
    assert a_token != b_token
    visitor = app.test_client()  # a calendar app: no session
    a_feed = visitor.get(f"/calendar/{a_token}.ics")
    b_feed = visitor.get(f"/calendar/{b_token}.ics")
    assert a_feed.status_code == b_feed.status_code == 200
    assert MARK not in b_feed.get_data(as_text=True)
    assert b.get(f"/calendar/{a_token}.ics").get_data() == a_feed.get_data()  # B's session changes nothing
    assert b.post("/calendar/token").status_code == 302  # B's new link ends B's old one only
    assert visitor.get(f"/calendar/{b_token}.ics").status_code == 404
    assert visitor.get(f"/calendar/{a_token}.ics").status_code == 200
    with app.app_context():
        tokens = dict(db.session.execute(sa.select(Account.id, Account.calendar_token)).all())
    assert tokens[a_id] == a_token and tokens[b_id] not in (None, b_token)
    assert not (Path(app.instance_path) / "calendar_token").exists()


def test_another_applicants_upload_leaves_the_files_of_a_draft_alone(two):
    """instance/imports is one folder for every applicant: tidying it after B's upload keeps the
    files of every applicant's drafts, however old, not only B's."""
    app, a, b, a_id, b_id = two
    files = files_of(app, a_id)
    long_ago = 1_000_000_000  # 2001: far past the grace given to a leftover file
    for name in files:
        os.utime(Path(app.instance_path) / "imports" / name, (long_ago, long_ago))
    _upload(b, "bilal.csv", b"Program Name,State\nBilal Second Program (Surgery),TX\n")
    assert files_of(app, a_id) == files


# -- statement by statement: what the routes' writes go through ----------------------------

@pytest.fixture
def two_lists(accounts_app):
    """A and B with a season and a program each, made acting as each (as a request would)."""
    from tracker.changes import create_program
    from tracker.store import current_season
    from tracker.tenancy import acting_as

    app = accounts_app
    owners = {name: make_account(app, f"{name}@example.org") for name in ("amal", "bilal")}
    programs = {}
    with app.app_context():
        for name, owner in owners.items():
            with acting_as(owner):
                current_season()
                program = create_program({"name": f"{name.title()} Program (Internal Medicine)", "city": "Toledo"})
                db.session.commit()
                programs[name] = program.id
    return app, owners, programs


def test_the_owners_criterion_reaches_orm_updates_and_deletes(two_lists):
    from tracker.seasons import switch_to
    from tracker.tenancy import acting_as

    app, owners, programs = two_lists
    with app.app_context():
        with acting_as(owners["amal"]):
            season = Season(year=2031)
            db.session.add(season)
            db.session.flush()
            switch_to(season)  # sa.update(Season).values(current=False): A's seasons only
            db.session.execute(sa.update(Program).values(city="Akron"))
            db.session.execute(sa.delete(MentorComment))
            db.session.commit()
        everyone = {EVERY_OWNER: True}
        current = dict(db.session.execute(sa.select(Season.owner_id, Season.year).where(Season.current.is_(True))
                                          .execution_options(**everyone)).all())
        cities = dict(db.session.execute(sa.select(Program.owner_id, Program.city).execution_options(**everyone)).all())
    assert current[owners["amal"]] == 2031 and current[owners["bilal"]] != 2031
    assert cities == {owners["amal"]: "Akron", owners["bilal"]: "Toledo"}


def test_the_core_statements_on_bare_tables_keep_to_the_owner(two_lists):
    """The grid's one-statement cell save, re-tiering and the import's read of the stored programs
    are Core statements, which the ORM's criterion does not reach: each adds the owner itself."""
    from tracker.changes import read_row, save_cell
    from tracker.importing.apply import existing_programs
    from tracker.tenancy import acting_as
    from tracker.tiers import retier_all

    app, owners, programs = two_lists
    with app.app_context():
        with acting_as(owners["amal"]):
            assert read_row(programs["bilal"]) is None
            assert [e.id for e in existing_programs()] == [programs["amal"]]
            before = read_row(programs["amal"])
            save_cell(before, "status", "interview_invited", expected_version=before.version)
            assert sum(retier_all().values()) == 1
            db.session.commit()
        with acting_as(owners["bilal"]):
            assert [e.id for e in existing_programs()] == [programs["bilal"]]
            row = read_row(programs["bilal"])
            assert row.status != "interview_invited" and row.invited_at is None


def test_importing_another_applicants_returned_export_touches_none_of_their_programs(two):
    """A's workbook carries A's program ids (hidden): imported by B, they name nothing of B's, and
    nothing of A's is changed, deleted or commented on."""
    app, a, b, a_id, b_id = two
    workbook = _returned_export(a, f"{MARK} Regional Medical Center Program (Internal Medicine)")
    before = dump(app, a_id)
    response = b.post("/imports", data={"file": (io.BytesIO(workbook), "from-a.xlsx")},
                      content_type="multipart/form-data")
    if response.status_code == 302:  # read as B's own file: whatever it adds is B's
        batch_id = int(re.search(r"/imports/(\d+)/", response.headers["Location"]).group(1))
        _map(b, batch_id)
        a_programs = [str(i) for i in ids_of(app, a_id)["program_id"]]  # "delete these": A's, every one
        b.post(f"/imports/{batch_id}/apply", data={"delete": a_programs})
    else:
        assert response.status_code in (400, 409, 422), response.status_code
    assert dump(app, a_id) == before


def test_a_list_page_with_no_applicant_to_read_as_is_refused_with_a_message(accounts_app, monkeypatch):
    """Were a page of a list reached with no owner (a route left public by mistake), it answers 403
    and writes no ownerless season."""
    import tracker.auth
    from tracker.store import current_season

    accounts_app.add_url_rule("/probe", "probe", lambda: str(current_season().year))
    monkeypatch.setattr(tracker.auth, "PUBLIC_ENDPOINTS", tracker.auth.PUBLIC_ENDPOINTS | {"probe"})
    with accounts_app.app_context():
        db.session.execute(sa.delete(Season).execution_options(**{EVERY_OWNER: True}))
        db.session.commit()
    answer = accounts_app.test_client().get("/probe")
    assert answer.status_code == 403 and "sign in with an applicant" in answer.get_data(as_text=True)
    with accounts_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Season)
                                 .execution_options(**{EVERY_OWNER: True})) == 0


HTML_PAGES = ["/?tier=all", "/today", "/dashboard", "/changes", "/seasons", "/imports", "/programs/deleted", "/cards",
              "/calendar", "/profile", "/settings", "/backups", "/export.csv?tier=all", "/calendar.ics",
              # the grid's search, filters and sorts are SQL of their own (tracker.listing)
              f"/?tier=all&q={MARK}", "/?tier=all&f.state=OH", "/?tier=all&unknown=1&sort=-img_percent,state",
              "/export.csv?tier=all&f.state=OH&q=Program"]


def _as_shown(client, page: str) -> str:
    """The page as B sees it, less what differs between two loads anyway (the CSRF token, the
    calendar's stamp of when it was made)."""
    text = client.get(page).get_data(as_text=True)
    text = re.sub(r"X-CSRFToken&#34;: &#34;[^&]+&#34;", "X-CSRFToken: TOKEN", text)
    text = re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', 'name="csrf_token" value="TOKEN"', text)
    return re.sub(r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP:", text)


def test_bs_pages_are_the_same_before_and_after_a_fills_a_list(accounts_app):
    """Counts too (the tier chips, the dashboard's funnel, the grid's total), not only names: every
    page of B's reads the same whatever A has."""
    app = accounts_app
    make_account(app, A_EMAIL)
    make_account(app, B_EMAIL)
    a, b = app.test_client(), app.test_client()
    sign_in(a, A_EMAIL)
    sign_in(b, B_EMAIL)
    b.post("/programs/new", data={"name": "Bilal Own Program (Internal Medicine)", "state": "TX"})
    b.get("/calendar")  # B's calendar link, made before the first look
    before = {page: _as_shown(b, page) for page in HTML_PAGES}
    build_a(app, a)
    changed = [page for page in HTML_PAGES if _as_shown(b, page) != before[page]]
    assert not changed, "B's pages changed with A's list: " + ", ".join(changed)


def test_a_switched_off_applicants_calendar_feed_ends(two):
    app, a, b, a_id, b_id = two
    token = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", a.get("/calendar").get_data(as_text=True)).group(1)
    visitor = app.test_client()
    assert visitor.get(f"/calendar/{token}.ics").status_code == 200
    with app.app_context():
        db.session.get(Account, a_id).active = False
        db.session.commit()
    assert visitor.get(f"/calendar/{token}.ics").status_code == 404


def test_the_grids_stylesheet_has_the_signed_in_applicants_widths_only(two):
    """/fields.css is public (the sign-in page uses it): it carries the widths of the applicant who
    asks, and of no one for a visitor."""
    app, a, b, a_id, b_id = two
    assert a.post("/layout", data={"width": "notes:312"}, headers={"HX-Request": "true"}).status_code in (200, 204)
    assert "f-notes{width:312px}" in a.get("/fields.css").get_data(as_text=True)
    assert "312px" not in b.get("/fields.css").get_data(as_text=True)
    assert "312px" not in app.test_client().get("/fields.css").get_data(as_text=True)


def test_a_new_route_with_an_id_of_a_kind_never_seen_fails_until_it_has_ids(accounts_app):
    """The route test reads the url map: a route added later is tried by itself, and one whose id
    this file can't fill in is a failure, not a route left out."""
    accounts_app.add_url_rule("/widgets/<int:widget_id>", "widget", lambda widget_id: "")
    with pytest.raises(AssertionError, match=r"/widgets/<int:widget_id>: no ids of A's for \['widget_id'\]"):
        list(urls(accounts_app, {a: [1] for r in accounts_app.url_map.iter_rules() for a in r.arguments
                                 if a != "widget_id"}))


def test_a_mentor_reads_the_inviting_applicants_list_and_reaches_no_other(two):
    """A mentor B invited reads B's list: A's ids answer 404 (403 where a mentor may not go at all),
    and none of A's rows changes."""
    from tracker.accounts import accept_invitation, invite_mentor

    app, a, b, a_id, b_id = two
    mentor_id = make_account(app, "mentor@example.org", role="mentor")
    with app.app_context():
        access, _ = invite_mentor(db.session.get(Account, b_id))
        accept_invitation(access, db.session.get(Account, mentor_id))
        db.session.commit()
    mentor = app.test_client()
    sign_in(mentor, "mentor@example.org")
    with mentor.session_transaction() as session:
        session["mentoring"] = b_id  # as the mentors' page sets it when B's list is chosen
    page = mentor.get("/?tier=all").get_data(as_text=True)
    assert "Bilal Own Program" in page and MARK not in page
    calendar = mentor.get("/calendar").get_data(as_text=True)
    assert not re.search(r"/calendar/[A-Za-z0-9_-]+\.ics", calendar)  # B's feed's secret is B's own
    assert assert_every_route_answers_404(app, mentor, a_id) > 40
