"""The tracker command: init-db, demo, serve and import."""

import sqlalchemy as sa

from tracker import fields
from tracker.db import db
from tracker.demo import DEMO_SPECIALTIES
from tracker.models import Change, Program


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_init_db_is_idempotent_and_keeps_rows(app, runner, make_program):
    pid = make_program(name="Kept")
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "Database ready" in result.output
    with app.app_context():
        assert db.session.get(Program, pid).name == "Kept"


def test_init_db_creates_a_new_database(tmp_path, monkeypatch):
    from tracker import create_app

    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    app = create_app()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert sa.inspect(db.engine).has_table("program")
        db.engine.dispose()


def test_demo_loads_forty_programs_covering_the_domain(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded 40 demo programs." in result.output
    with app.app_context():
        programs = db.session.scalars(sa.select(Program)).all()
        assert len(programs) == 40
        for key in ("setting", "status", "email_status", "track", "usce_required"):
            seen = {getattr(p, key) for p in programs}
            assert seen == {c.value for c in fields.get(key).choices}, key
        assert {p.specialty for p in programs} == set(DEMO_SPECIALTIES)  # an IMG's, not all of the Match's
        tags = {t for p in programs for t in p.mission_tags}
        assert tags == {c.value for c in fields.get("mission_tags").choices}
        visa_cases = {(p.visa_j1, p.visa_h1b) for p in programs}
        assert {("yes", "no"), ("yes", "yes"), ("no", "yes"), ("no", "no"), ("unknown", "unknown")} <= visa_cases
        assert any(p.img_percent is None for p in programs) and any(p.program_code is None for p in programs)
        # every value went through the write path: each program has its create log
        assert all(p.changes.filter_by(source="demo").count() > 5 for p in programs)


def test_demo_refuses_when_programs_exist(app, runner, make_program):
    make_program(name="My own program")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "already holds 1 programs; nothing loaded" in result.output
    assert count(app, Program) == 1

    quiet = runner.invoke(args=["demo", "--if-empty"])
    assert quiet.exit_code == 0 and "demo not loaded" in quiet.output
    assert count(app, Program) == 1


def test_demo_force_replaces_everything(app, runner, make_program):
    make_program(name="My own program")
    result = runner.invoke(args=["demo", "--force"])
    assert result.exit_code == 0, result.output
    assert count(app, Program) == 40
    with app.app_context():
        assert db.session.scalar(sa.select(Program).where(Program.name == "My own program")) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Change).where(Change.source != "demo")) == 0


def test_the_grid_shows_the_demo(app, runner, client):
    runner.invoke(args=["demo"])
    page = client.get("/").get_data(as_text=True)
    assert page.count("<tr id=\"p-") == 40
    assert "Brownsville County Medical Center Program (Pediatrics)" in page


def test_the_tracker_console_script_is_a_flask_command_group(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from tracker.console import cli

    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "shell", "routes", "init-db", "demo"):
        assert command in result.output
    routes = CliRunner().invoke(cli, ["routes"])
    assert routes.exit_code == 0
    assert "grid.save_cell" in routes.output and "/programs/<int:program_id>/cells/<key>" in routes.output


def test_tracker_serve_answers_on_the_port_it_was_given(tmp_path):
    """What `make run` starts: init-db, then waitress serving the grid."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "TRACKER_INSTANCE_PATH": str(tmp_path)}
    env.pop("TRACKER_DATABASE_URL", None)
    script = Path(sys.executable).parent / "tracker"
    subprocess.run([script, "init-db"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([script, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status == 200 and "Residency Tracker" in body
        assert response.headers["Server"] == "tracker"
    finally:
        server.terminate()
        server.wait(timeout=10)


from samples import FIXTURES as SAMPLES  # noqa: E402


def test_tracker_import_dry_run_changes_nothing(app, runner):
    result = runner.invoke(args=["import", str(SAMPLES / "freida_export_sample.xlsx"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "120 new, 0 changed, 0 with conflicts, 0 unchanged, 0 can't be imported." in result.output
    assert "Program Name → Program" in result.output and "Dry run: nothing was changed." in result.output
    assert count(app, Program) == 0


def test_tracker_import_applies_only_with_yes(app, runner):
    shown = runner.invoke(args=["import", str(SAMPLES / "my_program_list.xlsx")], input="y\n")
    assert shown.exit_code == 0, shown.output
    assert "40 new, 0 changed" in shown.output
    assert "Nothing was changed. Run it again with --yes to apply these changes." in shown.output
    assert "Apply these changes?" not in shown.output  # it asks nothing: a "y" typed ahead applies nothing
    assert count(app, Program) == 0
    result = runner.invoke(args=["import", str(SAMPLES / "my_program_list.xlsx"), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Imported 40 new programs" in result.output
    assert count(app, Program) == 40
    again = runner.invoke(args=["import", str(SAMPLES / "my_program_list.xlsx"), "--dry-run"])
    assert "0 new, 0 changed, 0 with conflicts, 40 unchanged" in again.output


def test_tracker_import_refuses_a_bad_file_with_a_clear_message(app, runner):
    result = runner.invoke(args=["import", str(SAMPLES / "bad" / "truncated.xlsx"), "--yes"])
    assert result.exit_code == 1
    assert "is damaged or incomplete" in result.output and "Nothing was imported." in result.output
    missing_sheet = runner.invoke(args=["import", str(SAMPLES / "freida_export_sample.xlsx"), "--sheet", "Nope"])
    assert missing_sheet.exit_code == 1 and "the sheets are: Programs" in missing_sheet.output
    assert count(app, Program) == 0


def test_tracker_import_refuses_a_file_larger_than_the_upload_limit(app, runner, tmp_path):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    big = tmp_path / "big.csv"
    big.write_text("Program name,City\n" + "Riverside County Program,Riverside\n" * 40_000, encoding="utf-8")
    assert big.stat().st_size > 1024 * 1024
    result = runner.invoke(args=["import", str(big), "--yes"])
    assert result.exit_code == 1
    assert "big.csv is larger than 1 MB, the most this tracker accepts. Nothing was imported" in result.output
    assert count(app, Program) == 0


def test_tracker_import_of_an_export_with_sheet_programs_matches_rows_by_their_tracker_id(app, runner, tmp_path):
    runner.invoke(args=["demo"])
    exported = tmp_path / "exported.xlsx"
    assert runner.invoke(args=["export", str(exported), "--tier", "all"]).exit_code == 0
    for extra in ([], ["--sheet", "Programs"]):
        result = runner.invoke(args=["import", str(exported), *extra, "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "A workbook exported from this tracker" in result.output, extra
        assert "0 new, 0 changed, 0 with conflicts, 40 unchanged" in result.output, extra
        assert "Tier → " not in result.output  # the computed tier is not read back as one set by hand
    other = runner.invoke(args=["import", str(exported), "--sheet", "Summary", "--dry-run"])
    assert "A workbook exported from this tracker" not in other.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)
                                 .where(Program.tier_override.is_not(None))) == 0
