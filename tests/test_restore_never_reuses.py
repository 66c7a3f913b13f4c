"""A restore never gives out again what the database it replaced had given: row versions, the
ids of programs, change-log entries (an export's change mark), imports and undo steps. A tab
still holding something from before the restore is refused, never applied to something else."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from tracker.backups import backup_to, database_path
from tracker.db import db
from tracker.changes import change_mark
from tracker.models import Change, ImportBatch, Program

from forms import mapping_form


def version_of(app, pid: int) -> int:
    with app.app_context():
        db.session.expire_all()
        return db.session.get(Program, pid).version


def save_city(client, pid: int, city: str, version: int):
    return client.post(f"/programs/{pid}/cells/city", data={"value": city, "version": version})


def restore(app, runner, backup) -> None:
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output


def backup(app, tmp_path):
    return backup_to(database_path(app.config["SQLALCHEMY_DATABASE_URI"]), tmp_path / "backup.sqlite3")


def test_a_tab_holding_a_version_from_before_a_restore_is_refused_with_409(app, client, runner, make_program,
                                                                          tmp_path):
    pid = make_program(city="Toledo")
    saved = backup(app, tmp_path)
    v = version_of(app, pid)
    assert save_city(client, pid, "Dayton", v).status_code == 200  # tab B: v -> v + 1
    tab_b = v + 1
    restore(app, runner, saved)

    tab_a = version_of(app, pid)  # opened after the restore
    assert save_city(client, pid, "Akron", tab_a).status_code == 200
    stale = save_city(client, pid, "Erie", tab_b)
    assert stale.status_code == 409
    with app.app_context():
        assert db.session.get(Program, pid).city == "Akron"  # A's edit is kept


def test_ids_given_before_a_restore_are_not_given_again(app, client, runner, make_program, tmp_path):
    make_program(name="Kept Program")
    saved = backup(app, tmp_path)
    later = make_program(name="Added After The Backup")  # program, change ids
    with app.app_context():
        mark, batch = change_mark(), db.session.scalar(sa.select(sa.func.max(Change.id)))
    restore(app, runner, saved)

    new = make_program(name="Added After The Restore")
    assert new > later
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.min(Change.id)).where(Change.program_id == new)) > batch
        assert change_mark() >= mark


def upload(client, name: str, text: str) -> int:
    uploaded = client.post("/imports", data={"file": (io.BytesIO(text.encode()), name)},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    url = uploaded.headers["Location"]
    mapped = client.post(url, data=mapping_form(client.get(url).get_data(as_text=True)))
    assert mapped.status_code == 302
    return int(re.search(r"/imports/(\d+)/", url).group(1))


def test_a_preview_from_before_a_restore_never_applies_another_upload(app, client, runner, make_program, tmp_path):
    make_program(name="Kept Program")
    saved = backup(app, tmp_path)
    first = upload(client, "first.csv", "Program Name,City\nFirst File Program,Toledo\n")
    page = client.get(f"/imports/{first}/preview").get_data(as_text=True)
    form = {"draft": re.search(r'name="draft" value="([0-9a-f]+)"', page).group(1)}
    restore(app, runner, saved)
    second = upload(client, "second.csv", "Program Name,City\nSecond File Program,Erie\n")
    assert second != first

    stale = client.post(f"/imports/{first}/apply", data=form)  # the first tab's Apply
    assert stale.status_code in (404, 409)
    with app.app_context():
        names = set(db.session.scalars(sa.select(Program.name)))
        assert "Second File Program" not in names and "First File Program" not in names
        assert db.session.get(ImportBatch, second).status == "draft"


def test_a_preview_applies_only_the_draft_it_showed(app, client, make_program):
    first = upload(client, "first.csv", "Program Name,City\nFirst File Program,Toledo\n")
    second = upload(client, "second.csv", "Program Name,City\nSecond File Program,Erie\n")
    page = client.get(f"/imports/{first}/preview").get_data(as_text=True)
    token = re.search(r'name="draft" value="([0-9a-f]+)"', page).group(1)
    refused = client.post(f"/imports/{second}/apply", data={"draft": token})
    assert refused.status_code == 409 and "another" in refused.get_data(as_text=True)
    assert client.post(f"/imports/{first}/apply", data={"draft": token}).status_code == 302


@pytest.mark.parametrize("gone_by", ["restoring an empty backup", "demo --force"])
def test_versions_of_programs_gone_before_a_restore_are_not_given_again(app, client, runner, make_program,
                                                                        tmp_path, gone_by):
    empty = backup_to(database_path(app.config["SQLALCHEMY_DATABASE_URI"]), tmp_path / "empty.sqlite3")
    pid = make_program(city="Toledo")
    with_it = backup_to(database_path(app.config["SQLALCHEMY_DATABASE_URI"]), tmp_path / "with-it.sqlite3")
    v = version_of(app, pid)
    assert save_city(client, pid, "Dayton", v).status_code == 200
    tab_b = v + 1
    if gone_by == "demo --force":
        assert runner.invoke(args=["demo", "--force"]).exit_code == 0
    else:
        restore(app, runner, empty)  # the program and every version it had are gone from the database
    restore(app, runner, with_it)

    assert save_city(client, pid, "Akron", version_of(app, pid)).status_code == 200
    assert save_city(client, pid, "Erie", tab_b).status_code == 409
