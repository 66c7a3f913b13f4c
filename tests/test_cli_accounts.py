"""The list commands (demo, tier, import, export) of a hosted tracker: --user EMAIL says whose list
they read and change, and without it they refuse; nothing of another applicant's is touched."""

import sqlalchemy as sa

from tracker.db import db
from tracker.models import Program
from tracker.tenancy import EVERY_OWNER

from accounts_helpers import make_account

A, B = "amal@example.org", "bilal@example.org"


def programs_of(app, owner: int) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Program.name).where(Program.owner_id == owner)
                                         .execution_options(**{EVERY_OWNER: True})))


def every_program(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Program)
                                 .execution_options(**{EVERY_OWNER: True}))


def test_without_user_the_list_commands_refuse_and_change_nothing(accounts_app, tmp_path):
    make_account(accounts_app, A)
    runner = accounts_app.test_cli_runner()
    source = tmp_path / "list.csv"
    source.write_text("Program Name,State\nRefused Program (Surgery),OH\n")
    for args in (["demo"], ["tier"], ["import", str(source), "--yes"], ["export", str(tmp_path / "out.csv")]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
        assert "This tracker has accounts: say whose list with --user EMAIL" in result.output, args
    assert every_program(accounts_app) == 0
    assert not (tmp_path / "out.csv").exists()


def test_user_names_an_active_applicant(accounts_app):
    make_account(accounts_app, "mentor@example.org", role="mentor")
    make_account(accounts_app, "root@example.org", role="admin")
    runner = accounts_app.test_cli_runner()
    for email in ("mentor@example.org", "root@example.org", "nobody@example.org"):
        result = runner.invoke(args=["demo", "--user", email])
        assert result.exit_code != 0 and "no active applicant's account" in result.output, email
    assert every_program(accounts_app) == 0


def test_each_command_reads_and_writes_the_named_applicants_list_only(accounts_app, tmp_path):
    a_id, b_id = make_account(accounts_app, A), make_account(accounts_app, B)
    runner = accounts_app.test_cli_runner()
    assert runner.invoke(args=["demo", "--user", A]).exit_code == 0
    demo = programs_of(accounts_app, a_id)
    assert len(demo) == 40 and programs_of(accounts_app, b_id) == []

    source = tmp_path / "bilal.csv"
    source.write_text("Program Name,State\nBilal Imported Program (Surgery),TX\n")
    imported = runner.invoke(args=["import", str(source), "--yes", "--user", B])
    assert imported.exit_code == 0, imported.output
    assert "1 new" in imported.output  # A's forty are not B's to match against
    assert programs_of(accounts_app, b_id) == ["Bilal Imported Program (Surgery)"]

    tiered = runner.invoke(args=["tier", "--user", B])
    assert tiered.exit_code == 0 and "Tiered 1 programs" in tiered.output

    out = tmp_path / "b.csv"
    assert runner.invoke(args=["export", str(out), "--tier", "all", "--user", B]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "Bilal Imported Program" in text and not any(name in text for name in demo)

    forced = runner.invoke(args=["demo", "--force", "--user", B])
    assert forced.exit_code == 0, forced.output
    assert programs_of(accounts_app, a_id) == demo  # B's --force deletes B's list only
    assert len(programs_of(accounts_app, b_id)) == 40


def test_the_one_person_tracker_needs_no_user_and_refuses_one(app, runner):
    refused = runner.invoke(args=["demo", "--user", A])
    assert refused.exit_code != 0 and "Accounts are off on this tracker" in refused.output
    assert every_program(app) == 0
    loaded = runner.invoke(args=["demo"])
    assert loaded.exit_code == 0 and every_program(app) == 40
