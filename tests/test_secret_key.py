"""The secret key in instance/secret_key: written whole (a temporary file, fsync, rename) or not
at all, and a file left empty or cut short by a crash or a full disk is made again."""

from __future__ import annotations

import errno
import multiprocessing
import os

import pytest

from tracker import MIN_SECRET_KEY_CHARS, _secret_key, create_app


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    return tmp_path


@pytest.mark.parametrize("left", ["", "\n", "0123abcd"])
def test_an_empty_or_short_key_file_is_treated_as_missing(instance, left):
    (instance / "secret_key").write_text(left)
    key = create_app().config["SECRET_KEY"]
    assert len(key) >= MIN_SECRET_KEY_CHARS and key == (instance / "secret_key").read_text().strip()
    assert create_app().config["SECRET_KEY"] == key  # and kept from then on


def test_a_key_that_cannot_be_written_leaves_no_key_file(instance, monkeypatch):
    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError):
        create_app()
    monkeypatch.undo()
    assert not (instance / "secret_key").exists()
    # no temporary file either (the lock file that starting processes take turns on stays)
    assert [p.name for p in instance.iterdir() if "secret" in p.name] == [".secret_key.lock"]
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    assert len(create_app().config["SECRET_KEY"]) >= MIN_SECRET_KEY_CHARS  # the next start makes one


def _start(folder: str, go, out) -> None:
    go.wait()
    out.put(_secret_key(folder))


def test_processes_starting_at_once_on_a_fresh_instance_share_one_whole_key(tmp_path):
    ctx = multiprocessing.get_context("fork")
    for trial in range(40):
        folder = tmp_path / str(trial)
        folder.mkdir()
        go, out = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=_start, args=(str(folder), go, out)) for _ in range(3)]
        for p in procs:
            p.start()
        go.set()
        keys = [out.get(timeout=30) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        assert len(set(keys)) == 1 and len(keys[0]) >= MIN_SECRET_KEY_CHARS, (trial, keys)
        assert (folder / "secret_key").read_text().strip() == keys[0]
