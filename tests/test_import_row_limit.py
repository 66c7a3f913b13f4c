"""The import row limit (IMPORT_MAX_ROWS) from the command line: at the limit it reads, one
more is refused with a message and nothing changes."""

from tracker.db import db
from tracker.models import ImportBatch


def test_tracker_import_refuses_one_row_over_the_configured_limit(app, runner, tmp_path):
    app.config["IMPORT_MAX_ROWS"] = 5
    at_limit, over = tmp_path / "rows5.csv", tmp_path / "rows6.csv"
    at_limit.write_text("Program Name,State\n" + "".join(f"P{i},OH\n" for i in range(5)))
    over.write_text("Program Name,State\n" + "".join(f"P{i},OH\n" for i in range(6)))
    result = runner.invoke(args=["import", str(at_limit), "--dry-run"])
    assert result.exit_code == 0 and "5 new" in result.output
    result = runner.invoke(args=["import", str(over), "--dry-run"])
    assert result.exit_code != 0
    assert "has 6 rows of programs; this tracker imports at most 5 at once" in result.output
    with app.app_context():
        assert db.session.query(ImportBatch).count() == 0
