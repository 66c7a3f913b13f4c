"""Every upload within the limits, read within 300 MB and 15 s (issue 16): the largest files a
person may send (10 MB, 20,000 rows, 200 columns, 40 million characters of text) and the
hostile ones that once took the server down, each sent to a `tracker serve` of its own the way
a browser sends it (the Import page, upload, mapping page, confirm, preview); the server's peak
memory (VmHWM) is read from /proc. Also measured: what the draft keeps on disk beside
the file, against a bound of a few times the file's size.

Run with `make bench`, or alone: `python benchmarks/bench_uploads.py`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGET_PEAK_MB = 300
TARGET_S = 15.0
from tracker.importing.drafts import COPIES_FLOOR, COPIES_PER_FILE  # noqa: E402  the bound the drafts keep to

TARGET_COPIES = COPIES_PER_FILE  # what the draft keeps beside the file, in times the file's size (or the floor)

CONTENT_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
                 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="'
                 '/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                 'sharedStrings+xml"/></Types>')
RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Programs" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                 '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="'
                 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="'
                 'sharedStrings.xml"/></Relationships>')
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADERS = ["Program Name", "Specialty", "Program ID", "City", "State", "Program Type", "Visa Sponsorship", "% IMG",
           "USMLE Step 2 CK Minimum", "Website"]


def column(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def workbook(rows_xml: str, strings: list[str], dimension: str | None = None) -> bytes:
    """A workbook of one sheet: its rows' XML, its shared strings."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        items = "".join(f"<si><t>{s}</t></si>" for s in strings)
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{MAIN}" uniqueCount="{len(strings)}">'
                                           f"{items}</sst>")
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">{dim}<sheetData>'
                                               f"{rows_xml}</sheetData></worksheet>")
    return out.getvalue()


def dense(rows: int = 20_000, columns: int = 140) -> bytes:
    """The largest legitimate workbook: 20,000 programs of 140 columns, every cell different."""
    headers = HEADERS + [f"Extra {i}" for i in range(columns - len(HEADERS))]
    parts = ['<row r="1">' + "".join(f'<c r="{column(c)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                                     for c, h in enumerate(headers)) + "</row>"]
    names = [column(c) for c in range(columns)]
    for r in range(2, rows + 2):
        cells = [f'<c r="A{r}" t="inlineStr"><is><t>Program {r} Internal Medicine</t></is></c>',
                 f'<c r="B{r}" t="inlineStr"><is><t>Internal Medicine</t></is></c>',
                 f'<c r="C{r}" t="inlineStr"><is><t>{1400000000 + r}</t></is></c>',
                 f'<c r="D{r}" t="inlineStr"><is><t>City {r % 900}</t></is></c>',
                 f'<c r="E{r}" t="inlineStr"><is><t>{["NY", "TX", "CA", "OH", "MI"][r % 5]}</t></is></c>']
        cells += [f'<c r="{names[c]}{r}"><v>{(r * 7 + c * 3) % 10}</v></c>' for c in range(5, columns)]
        parts.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    return workbook("".join(parts), [])


def many_long_strings(strings: int = 3, length: int = 30_000, cells: int = 1_300) -> bytes:
    """A few 30,000-character shared strings repeated until all the cells decode to 39 million
    characters, just under what the tracker reads."""
    per_row = 10
    rows = "".join(f'<row r="{r + 1}">' + "".join(f'<c r="{column(c)}{r + 1}" t="s"><v>{(r + c) % strings}</v></c>'
                                                   for c in range(per_row)) + "</row>" for r in range(cells // per_row))
    return workbook(rows, [chr(65 + i) * length for i in range(strings)])


def far_cell(ref: str) -> bytes:
    """One real cell, far out (a reader that built the sheet's range densely once asked for 512 GB)."""
    return workbook(f'<row r="1"><c r="A1" t="inlineStr"><is><t>Program Name</t></is></c></row>'
                    f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}"><v>1</v></c></row>', [])


def claimed_million_rows() -> bytes:
    """Six rows under a dimension that claims a million (as LibreOffice writes some sheets)."""
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"Program Name" if r == 1 else f"P{r}"}</t></is>'
                   f"</c></row>" for r in range(1, 7))
    return workbook(rows, [], dimension="A1:AMJ1048576")


def text_file(encoding: str, delimiter: str, size: int = 9_800_000) -> bytes:
    """A delimited text file of about ``size`` bytes: 20,000 rows of long notes."""
    header = delimiter.join(HEADERS + ["Notes"])
    width = max(1, (size // (2 if encoding.startswith("utf-16") else 1)) // 20_000 - 120)
    lines = [header] + [delimiter.join([f"Program {r}", "Family Medicine", f"{1200000000 + r}", "Dayton", "OH",
                                        "Community-based", "J-1", "40%", "220", "https://example.org",
                                        "n" * width]) for r in range(19_999)]
    return ("\n".join(lines) + "\n").encode(encoding)


CASES = {
    "20,000 x 140 workbook": ("dense.xlsx", dense),
    "39M characters of shared strings": ("strings.xlsx", many_long_strings),
    "a cell at XFD1048576": ("far.xlsx", lambda: far_cell("XFD1048576")),
    "a cell at GR1048576": ("gr.xlsx", lambda: far_cell("GR1048576")),
    "a dimension of a million rows": ("million.xlsx", claimed_million_rows),
    "10 MB CSV": ("list.csv", lambda: text_file("utf-8", ",")),
    "10 MB Unicode Text (UTF-16)": ("list.txt", lambda: text_file("utf-16", "\t")),
}


def peak_mb(pid: int, reset: bool = False) -> float:
    """The process's high-water mark of resident memory (VmHWM), in MB; ``reset`` starts a new one."""
    peak = int(Path(f"/proc/{pid}/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
    if reset:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    return peak


def through_the_server(data: bytes, filename: str, tmp: Path) -> dict:
    """``tracker serve`` on a fresh instance, and the file taken through it as a browser does:
    the Import page, the upload, the mapping page, confirm the suggestions, the preview. The
    server's own peak memory before and after; the draft's copies left on disk."""
    import re
    import urllib.parse

    from bench_http import BIN, Client, free_port, start, stop, wait_for
    from bench_import import mapping_form

    instance = tmp / "instance"
    env = {"TRACKER_INSTANCE_PATH": str(instance)}
    subprocess.run([str(BIN / "tracker"), "init-db"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    port = free_port()
    server = start([str(BIN / "tracker"), "serve", "--port", str(port)], env)
    try:
        wait_for(port, "/imports", timeout=60)
        client = Client(port)
        client.conn.timeout = 120
        page = client.request("GET", "/imports")[1].decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        before = peak_mb(server.pid, reset=True)
        steps = {}
        boundary = "----bench-uploads"
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        started = time.perf_counter()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": client.cookie}
        client.conn.request("POST", "/imports", body=body, headers=headers)
        answer = client.conn.getresponse()
        text = answer.read().decode("utf-8", "replace")
        outcome = str(answer.status)
        steps["upload"] = peak_mb(server.pid, reset=True)
        if answer.status in (302, 303):
            mapping_url = urllib.parse.urlsplit(answer.getheader("Location")).path
            page = client.request("GET", mapping_url)[1].decode()
            steps["mapping page"] = peak_mb(server.pid, reset=True)
            form = {**mapping_form(page), "csrf_token": token}
            mapped, text = client.request("POST", mapping_url, urllib.parse.urlencode(form))
            steps["confirm"] = peak_mb(server.pid, reset=True)
            outcome = f"mapping {mapped.status}"
            if mapped.status in (302, 303):
                preview, text = client.request("GET", urllib.parse.urlsplit(mapped.getheader("Location")).path)
                steps["preview"] = peak_mb(server.pid, reset=True)
                found = re.search(r'<span class="pill p-new">(\d+) new</span>', text.decode())
                outcome = f"preview {preview.status}" + (f", {found.group(1)} new" if found else "")
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        message = re.search(r'<p class="msg msg-error"[^>]*>(.*?)</p>', text, re.S)
        if message:
            outcome += f": {message.group(1).strip()[:80]}"
        seconds = time.perf_counter() - started
        peak = max(steps.values())
        alive = server.poll() is None
    finally:
        stop(server)
    folder = instance / "imports"
    copies = sum(p.stat().st_size for p in folder.iterdir() if ".json" in p.name) if folder.is_dir() else 0
    if not alive:
        outcome = f"the server died ({outcome})"
    return {"outcome": outcome, "seconds": round(seconds, 2), "peak_mb": round(peak, 1),
            "idle_mb": round(before, 1),
            "step_peaks_mb": {k: round(v) for k, v in steps.items()}, "file_bytes": len(data), "copies_bytes": copies, "alive": alive}


def main() -> dict:
    results = {}
    for name, (filename, make) in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            result = through_the_server(make(), filename, Path(tmp))
        bound = max(COPIES_FLOOR, TARGET_COPIES * result["file_bytes"])
        result["met"] = (result["alive"] and result["peak_mb"] <= TARGET_PEAK_MB and result["seconds"] <= TARGET_S
                         and result["copies_bytes"] <= bound)
        results[name] = result
    return {"uploads": results, "target_peak_mb": TARGET_PEAK_MB, "target_s": TARGET_S,
            "target_copies": TARGET_COPIES, "copies_floor_bytes": COPIES_FLOOR}


def table(result: dict) -> str:
    lines = [f"{'upload':36} {'size':>8} {'time':>7} {'idle':>7} {'peak':>8} {'copies':>9}  outcome"]
    for name, r in result["uploads"].items():
        size = f"{r['file_bytes'] / 1e6:.2f} MB"
        seconds = "-" if r["seconds"] is None else f"{r['seconds']} s"
        peak = "-" if r["peak_mb"] is None else f"{r['peak_mb']:.0f} MB"
        copies = "-" if r["copies_bytes"] is None else f"{r['copies_bytes'] / 1e6:.2f} MB"
        verdict = "ok" if r["met"] else "MISSED"
        idle = f"{r['idle_mb']:.0f} MB"
        lines.append(f"{name:36} {size:>8} {seconds:>7} {idle:>7} {peak:>8} {copies:>9}  {r['outcome']} [{verdict}]")
    lines.append(f"targets: <= {result['target_peak_mb']} MB, <= {result['target_s']} s, copies <= "
                 f"{result['target_copies']}x the file (or {result['copies_floor_bytes'] / 1e6:g} MB)")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(main()))
