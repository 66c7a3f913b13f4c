"""The app on PostgreSQL: the same models and Alembic migrations, the grid, cell saves with the
version check, an import from preview to undo, an export, re-tiering, and the backup commands
naming pg_dump and pg_restore (the tracker copies only SQLite files)."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tracker.backups import head_revision
from tracker.db import db
from tracker.models import Change, ImportBatch, Program

from conftest import make_pg_app  # tests/pg/conftest.py

PROFILE = {
    "visa_needed": "J-1", "step1": "Pass", "step1_attempts": "1", "step2_ck": "230", "step2_attempts": "1",
    "step3": "", "graduation_year": "2023", "season_year": "2027", "usce_months": "3",
    "observership_months": "2", "us_letters": "2", "languages": "Spanish", "region_ties": "TX",
    "target_specialties": ["internal_medicine", "family_medicine"],
}
LIKELY = {"visa_j1": "yes", "img_percent": 40, "non_us_img_count": 6, "setting": "county"}


def save(client, pid, key, value, version):
    return client.post(f"/programs/{pid}/cells/{key}", data={"value": value, "version": version},
                       headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/?col=all"})


def logged(app, pid, key) -> list[str | None]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Change.new_value).where(
            Change.program_id == pid, Change.field == key).order_by(Change.id)))


def test_the_migrations_run_to_head_on_postgresql_and_match_the_models(postgres, tmp_path):
    app = make_pg_app(postgres.create_database("migrations"), str(tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert conn.dialect.name == "postgresql"
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == head_revision()
            assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
        downgrade(revision="base")  # and back down, every step
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == head_revision()
        db.engine.dispose()


def test_the_grid_shows_the_demo_list(app, client, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    page = client.get("/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    with app.app_context():
        names = list(db.session.scalars(sa.select(Program.name)))
    assert len(names) == 40
    assert all(f">{name}<" in body.replace("&amp;", "&") or name in body for name in names[:5])
    assert body.count('<tr id="p-') == 40


def test_a_cell_saves_refuses_bad_input_and_refuses_a_stale_version(app, client, make_program, read_program):
    pid = make_program(city="Toledo", positions=10)

    saved = save(client, pid, "city", "Dayton", 1)
    assert saved.status_code == 200
    assert json.loads(saved.headers["HX-Trigger"]) == {"tracker:saved": {"id": pid, "version": 2}}

    refused = save(client, pid, "positions", "twelve", 2)
    assert refused.status_code == 422 and "enter a whole number from 0 to 500" in refused.get_data(as_text=True)

    stale = save(client, pid, "city", "Akron", 1)  # another tab, still at version 1
    assert stale.status_code == 409
    assert "it is now “Dayton”" in stale.get_data(as_text=True)

    stored = read_program(pid)
    assert (stored["city"], stored["positions"], stored["version"]) == ("Dayton", 10, 2)
    assert logged(app, pid, "city") == ["Toledo", "Dayton"]
    assert logged(app, pid, "positions") == ["10"]


def _upload_and_preview(client, data: bytes) -> tuple[str, int]:
    from forms import mapping_form

    uploaded = client.post("/imports", data={"file": (io.BytesIO(data), "list.csv")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    url = uploaded.headers["Location"]
    batch_id = int(re.search(r"/imports/(\d+)/", url).group(1))
    mapped = client.post(url, data=mapping_form(client.get(url).get_data(as_text=True)))
    assert mapped.status_code == 302
    preview = client.get(mapped.headers["Location"])
    assert preview.status_code == 200
    return preview.get_data(as_text=True), batch_id


def test_an_import_previews_applies_and_undoes(app, client, make_program, read_program):
    kept = make_program(name="Program 1", state="OH", city="Toledo")
    data = b"Program Name,State,City\nProgram 1,OH,Dayton\nProgram 2,OH,Akron\nProgram 3,OH,Canton\n"

    preview, batch_id = _upload_and_preview(client, data)
    assert '<span class="pill p-new">2 new</span>' in preview
    assert "Toledo" in preview and "Dayton" in preview  # the changed cell, old → new
    take = re.search(r'name="take" value="([^"]+:city)"', preview).group(1)  # a value typed here: a conflict

    applied = client.post(f"/imports/{batch_id}/apply", data={"take": take})
    assert applied.status_code == 302
    with app.app_context():
        cities = dict(db.session.execute(sa.select(Program.name, Program.city).where(Program.deleted_at.is_(None))).all())
    assert cities == {"Program 1": "Dayton", "Program 2": "Akron", "Program 3": "Canton"}

    assert client.post(f"/imports/{batch_id}/undo").status_code == 302
    with app.app_context():
        live = list(db.session.scalars(sa.select(Program.name).where(Program.deleted_at.is_(None))))
        assert db.session.get(ImportBatch, batch_id).status == "undone"
    assert live == ["Program 1"] and read_program(kept)["city"] == "Toledo"


def test_the_export_writes_the_programs(app, client, make_program):
    make_program(name="Akron General Program", city="Akron", positions=7)
    make_program(name="Dayton County Program", city="Dayton")
    response = client.get("/export.xlsx?col=all")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Programs"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]
    assert sorted(r["Program name"] for r in rows) == ["Akron General Program", "Dayton County Program"]
    akron = next(r for r in rows if r["Program name"] == "Akron General Program")
    assert akron["City"] == "Akron" and akron["Positions"] == 7


def test_saving_the_profile_re_tiers_every_program(app, client, make_program, read_program):
    no_j1 = make_program(name="No J-1", **{**LIKELY, "visa_j1": "no"})
    county = make_program(name="County", **LIKELY)
    response = client.post("/profile", data=PROFILE, follow_redirects=True)
    assert response.status_code == 200
    assert "Likely 1, Possible 0, Reach 0, Not eligible 1" in response.get_data(as_text=True)
    assert read_program(no_j1)["tier"] == "not_eligible"
    assert read_program(county)["tier"] == "likely"


def test_undo_takes_back_the_last_save(app, client, make_program, read_program):
    pid = make_program(city="Toledo")
    assert save(client, pid, "city", "Dayton", 1).status_code == 200
    assert client.post("/undo", headers={"HX-Request": "true"}).status_code in (200, 204)
    assert read_program(pid)["city"] == "Toledo"


def test_backup_and_restore_name_pg_dump_and_pg_restore(app, client, runner, tmp_path):
    assert app.config["TRACKER_DAILY_BACKUP"] is False  # the daily copy is of a SQLite file
    dump = tmp_path / "copy.sqlite3"
    backup = runner.invoke(args=["backup", str(dump)])
    assert backup.exit_code != 0 and not dump.exists()
    assert "pg_dump --format=custom" in backup.output and "No backup was written." in backup.output
    restore = runner.invoke(args=["restore", str(dump), "--yes"])
    assert restore.exit_code != 0 and "pg_restore" in restore.output and "Nothing was changed." in restore.output
    page = client.get("/backups").get_data(as_text=True)
    assert "pg_dump" in page and "pg_restore" in page
    assert not (tmp_path / "instance" / "backups").exists() or not any((tmp_path / "instance" / "backups").iterdir())
    assert client.get("/backup.sqlite3").status_code == 501


def test_a_save_that_waits_past_the_lock_timeout_answers_503_and_saves_nothing(app, client, make_program,
                                                                               read_program, pg_url, monkeypatch):
    """Another connection (a `tracker import` beside the server) holds the write lock past the busy
    timeout: the save's lock statement gives up, and the cell says so instead of a 500."""
    import psycopg

    import tracker.db

    pid = make_program(city="Toledo")
    monkeypatch.setattr(tracker.db, "BUSY_TIMEOUT_MS", 300)
    with psycopg.connect(pg_url.replace("+psycopg", "")) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s, 0)", (tracker.db.PG_WRITE_LOCK_KEY,))
        refused = save(client, pid, "city", "Dayton", 1)
        other.rollback()
    assert refused.status_code == 503
    assert "could not be written just now" in refused.get_data(as_text=True)
    assert read_program(pid)["city"] == "Toledo" and read_program(pid)["version"] == 1

    saved = save(client, pid, "city", "Dayton", 1)  # the lock is free again; its timeout was this save's alone
    assert saved.status_code == 200
    assert read_program(pid)["city"] == "Dayton"
    assert logged(app, pid, "city") == ["Toledo", "Dayton"]
