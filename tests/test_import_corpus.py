"""Every file of other spreadsheet readers' test suites (shared/fixtures/corpus: Excel, LibreOffice,
gnumeric, Google-Sheets-style writers) gives a preview or a clear refusal, never a 500; and all of
them are read in a child process within bounded memory and time."""

import io
import re
import subprocess
import sys

import pytest

from forms import mapping_form
from samples import FIXTURES

CORPUS = sorted(p for p in (FIXTURES / "corpus").iterdir() if p.name != "README.md") if (
    FIXTURES / "corpus").is_dir() else []


def test_the_corpus_is_there():
    assert len(CORPUS) > 150


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_each_corpus_file_gives_a_preview_or_a_clear_refusal(client, path):
    uploaded = client.post("/imports", data={"file": (io.BytesIO(path.read_bytes()), path.name)},
                           content_type="multipart/form-data")
    body = uploaded.get_data(as_text=True)
    if uploaded.status_code != 302:
        assert 400 <= uploaded.status_code < 500, body
        assert "Nothing was imported." in body and 'role="alert"' in body
        return
    mapping_url = uploaded.headers["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200
    mapped = client.post(mapping_url, data=mapping_form(page.get_data(as_text=True)))
    if mapped.status_code != 302:  # nothing in it looks like a program name: the page says so
        assert mapped.status_code == 422
        assert "Choose the column that holds the program name." in mapped.get_data(as_text=True)
        return
    preview = client.get(mapped.headers["Location"])
    assert preview.status_code == 200 and "What importing" in preview.get_data(as_text=True)


READ_ALL_IN_A_CHILD = """
import sys, time
from pathlib import Path
from tracker.importing.read import UnreadableFile, read_file
slowest = 0.0
for path in sorted(Path(sys.argv[1]).iterdir()):
    start = time.perf_counter()
    try:
        read_file(path.read_bytes(), path.name)
    except UnreadableFile:
        pass
    slowest = max(slowest, time.perf_counter() - start)
print(int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024, round(slowest, 2))
"""


@pytest.mark.slow
def test_the_whole_corpus_is_read_within_bounded_memory_and_time():
    done = subprocess.run([sys.executable, "-c", READ_ALL_IN_A_CHILD, str(FIXTURES / "corpus")],
                          capture_output=True, text=True, timeout=120, check=True)
    peak_mb, slowest = done.stdout.split()
    assert int(peak_mb) < 300, f"reading the corpus peaked at {peak_mb} MB"
    assert float(slowest) < 15, f"one file took {slowest} s"
