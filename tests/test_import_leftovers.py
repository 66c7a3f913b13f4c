"""instance/imports keeps only the files of drafts the database has: an upload that crashed
before its draft was committed, or drafts a restore or `tracker demo --force` took away, leave
nothing behind for good."""

from __future__ import annotations

import io
import os
import time
import uuid
from pathlib import Path

from tracker.backups import backup_to, database_path
from tracker.importing.drafts import LEFTOVER_GRACE_SECONDS


def folder(app) -> Path:
    return Path(app.instance_path) / "imports"


def upload(client, name="mine.csv", text="Program Name,City\nLakeview Program,Toledo\n"):
    answer = client.post("/imports", data={"file": (io.BytesIO(text.encode()), name)},
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    return answer


def leftovers(app, age: float) -> list[Path]:
    """Files a crashed upload leaves (its file, a kept copy, a half-written one), ``age`` seconds old."""
    folder(app).mkdir(parents=True, exist_ok=True)
    owner = uuid.uuid4().hex
    paths = [folder(app) / f"{owner}.xlsx", folder(app) / f"{owner}.head.json",
             folder(app) / f"{owner}.sheet0.json.k2j3h4.partial"]
    then = time.time() - age
    for p in paths:
        p.write_bytes(b"x" * 100)
        os.utime(p, (then, then))
    return paths


def test_a_crashed_uploads_files_go_at_a_later_upload_and_one_under_way_stays(app, client):
    crashed = leftovers(app, LEFTOVER_GRACE_SECONDS + 60)
    under_way = leftovers(app, 5)
    upload(client)
    assert not any(p.exists() for p in crashed)
    assert all(p.exists() for p in under_way)
    kept = {p.name.split(".", 1)[0] for p in folder(app).iterdir()} - {under_way[0].name.split(".", 1)[0]}
    assert len(kept) == 1  # the new draft's own files


def test_a_restore_leaves_no_files_of_drafts_the_backup_does_not_have(app, client, runner, tmp_path):
    saved = backup_to(database_path(app.config["SQLALCHEMY_DATABASE_URI"]), tmp_path / "backup.sqlite3")
    upload(client)
    assert list(folder(app).iterdir())
    result = runner.invoke(args=["restore", str(saved), "--yes"])
    assert result.exit_code == 0, result.output
    assert list(folder(app).iterdir()) == []


def test_demo_force_leaves_no_files_of_the_drafts_it_deleted(app, client, runner, make_program):
    make_program()
    upload(client)
    assert runner.invoke(args=["demo", "--force"]).exit_code == 0
    assert list(folder(app).iterdir()) == []
