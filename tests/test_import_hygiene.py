"""What real files carry besides their values: invisible characters, codes that lost a leading zero,
minus signs, decimal commas, two web addresses in a cell, UTF-16 text, workbooks laid out in
unusual ways, sheets that claim a million rows or hold a far cell; and the tracker's own export
coming back unedited (zero changes), its Tier column never read as tiers set by hand."""

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from tracker.db import db
from tracker.importing.read import UnreadableFile, read_file
from tracker.models import Change, Program

from forms import mapping_form
from test_imports import counts_in, import_file, programs, upload


def workbook(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def repack(data: bytes, rename=lambda name: name, edit=lambda name, part: part) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(rename(member.filename), edit(member.filename, source.read(member.filename)))
    return out.getvalue()


def test_the_trackers_own_exports_come_back_unedited_with_zero_changes(app, client, runner, make_program):
    runner.invoke(args=["demo"])
    make_program(name="Guarded Notes Program", state="OH", notes="- call the coordinator", program_code="9990001")
    for ext in ("csv", "xlsx"):
        exported = client.get(f"/export.{ext}?tier=all").data
        if ext == "csv":
            assert b"'- call the coordinator" in exported  # guarded against formulas in the file
        preview, _ = import_file(client, Path(f"back.{ext}"), data=exported)
        counts = counts_in(preview)
        assert counts["unchanged"] == 41 and counts["changed"] == counts["new"] == counts["with conflicts"] == 0, ext
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)
                                 .where(Program.tier_override.is_not(None))) == 0


def test_a_files_tier_column_is_a_tier_set_by_hand_only_when_mapped_so_and_says_which_file(app, client):
    csv = "Program,State,Tier\nAlpha Program,OH,Tier 1\nBeta Program,OH,Tier 3\n"
    mapping_url = upload(client, Path("own.csv"), csv.encode()).headers["Location"]
    page = client.get(mapping_url).get_data(as_text=True)
    assert re.search(r'<select id="col-2" name="col-2">.*?<option value="" selected>', page, re.S)
    form = mapping_form(page)
    client.post(mapping_url, data=form)
    batch = re.search(r"/imports/(\d+)/", mapping_url).group(1)
    client.post(f"/imports/{batch}/apply", data={})
    assert {p.tier_override for p in programs(app)} == {None}

    form["col-2"] = "tier_override"
    mapping_url = upload(client, Path("own.csv"), csv.encode()).headers["Location"]
    client.post(mapping_url, data=form)
    batch = re.search(r"/imports/(\d+)/", mapping_url).group(1)
    client.post(f"/imports/{batch}/apply", data={})
    got = {p.name: (p.tier_override, p.tier_override_reason) for p in programs(app)}
    assert got == {"Alpha Program": ("likely", "From own.csv"), "Beta Program": ("reach", "From own.csv")}


def test_invisible_characters_leave_codes_and_names(app, client, make_program):
    pid = make_program(name="Riverside Program", state="CA", program_code="1403621114",
                       specialty="internal_medicine")  # as the id's 140 says
    csv = "Program name,Program code,State\nRiver\u200bside Program\u00ad,1403\u200b621114\ufeff,CA\n"
    preview, _ = import_file(client, Path("list.csv"), data=csv.encode())
    assert counts_in(preview)["unchanged"] == 1


def test_codes_that_lost_a_leading_zero_get_it_back(app, client, make_program):
    make_program(name="Zero Program", state="OH", program_code="0123456789")
    data = workbook([["Program name", "ACGME ID", "State"], ["Zero Program", 123456789, "OH"],
                     ["Ten Program", 1403621114, "OH"], ["Other Program", 1203621115, "OH"]])
    preview, _ = import_file(client, Path("ids.xlsx"), data=data, apply={})
    assert counts_in(preview)["unchanged"] == 1 and counts_in(preview)["new"] == 2
    assert sorted(p.program_code for p in programs(app)) == ["0123456789", "1203621115", "1403621114"]


def test_minus_signs_decimal_commas_and_two_web_addresses_are_read_as_meant(app, client):
    csv = ("Program name;State;Positions;% IMG;Website\n"
           "Alpha Program;OH;\u22123;5,5;https://alpha.example.org https://alpha.example.org/img\n"
           "Beta Program;OH;-2;12,5;www.beta.example.org, www.beta.example.org/visa\n")
    preview, _ = import_file(client, Path("list.csv"), data=csv.encode(), apply={})
    assert "Positions: “−3” left out" in preview and "Positions: “-2” left out" in preview
    got = {p.name: (p.positions, p.img_percent, p.website, p.notes) for p in programs(app)}
    assert got == {
        "Alpha Program": (None, 5.5, "https://alpha.example.org", "Website: https://alpha.example.org/img"),
        "Beta Program": (None, 12.5, "https://www.beta.example.org", "Website: www.beta.example.org/visa"),
    }


def test_utf16_text_is_read_with_or_without_its_byte_order_mark():
    text = "Program name\tState\nSan José Program\tCA\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-16-be")):
        [sheet] = read_file(data, "Unicode Text.txt")
        assert sheet.rows == [["Program name", "State"], ["San José Program", "CA"]]


def test_workbooks_laid_out_unusually_are_read_when_the_reader_opens_them():
    data = workbook([["Program name", "State"], ["Alpha Program", "OH"]])
    backslashes = repack(data, rename=lambda name: name.replace("/", "\\"))
    at_the_root = repack(
        data,
        rename=lambda name: {"xl/workbook.xml": "workbook.xml",
                             "xl/_rels/workbook.xml.rels": "_rels/workbook.xml.rels"}.get(name, name),
        edit=lambda name, part: (part.replace(b"xl/workbook.xml", b"workbook.xml")
                                 if name in ("[Content_Types].xml", "_rels/.rels") else
                                 re.sub(rb'Target="(?!/)', b'Target="xl/', part)
                                 if name == "xl/_rels/workbook.xml.rels" else part))
    for variant in (backslashes, at_the_root):
        [sheet] = read_file(variant, "list.xlsx")
        assert sheet.rows == [["Program name", "State"], ["Alpha Program", "OH"]]


def test_a_sheet_claiming_a_million_empty_rows_below_six_is_read():
    data = workbook([["Program name", "State"], *[[f"Program {i}", "OH"] for i in range(5)]])
    empty = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t></t></is></c></row>' % (r, r)
                     for r in range(7, 99_000))
    claimed = repack(data, edit=lambda name, part: re.sub(
        rb'<dimension ref="[^"]+"', b'<dimension ref="A1:Z1048576"', part).replace(b"</sheetData>", empty + b"</sheetData>")
        if name == "xl/worksheets/sheet1.xml" else part)
    [sheet] = read_file(claimed, "libre.xlsx")
    assert len(sheet.rows) == 6


FAR = """
import sys
from tracker.importing.read import UnreadableFile, read_file
try:
    read_file(open(sys.argv[1], "rb").read(), "far.xlsx")
    print("read", 0)
except UnreadableFile as exc:
    print(exc.status, int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024)
"""


def test_one_far_cell_is_refused_without_building_the_sheet_up_to_it(tmp_path):
    data = workbook([["Program name", "State"], ["Alpha Program", "OH"]])
    for ref in ("XFD1048576", "GR1048576", "A500000"):
        far = repack(data, edit=lambda name, part: part.replace(
            b"</sheetData>", b'<row r="%s"><c r="%s" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
            % (re.sub(rb"[A-Z]", b"", ref.encode()), ref.encode())) if name == "xl/worksheets/sheet1.xml" else part)
        assert len(far) < 10_000
        path = tmp_path / "far.xlsx"
        path.write_bytes(far)
        done = subprocess.run([sys.executable, "-c", FAR, str(path)], capture_output=True, text=True, timeout=60)
        status, peak = done.stdout.split()
        assert status == "413", done.stderr[-500:]
        assert int(peak) < 300
    try:
        read_file(far, "far.xlsx")
    except UnreadableFile as exc:
        assert "has a cell at A500000, far outside any program list" in exc.message


def test_a_styled_empty_cell_far_below_the_data_is_no_reason_to_refuse():
    data = workbook([["Program name", "State"], ["Alpha Program", "OH"]])
    styled = repack(data, edit=lambda name, part: part.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>')
        if name == "xl/worksheets/sheet1.xml" else part)
    [sheet] = read_file(styled, "styled.xlsx")
    assert sheet.rows == [["Program name", "State"], ["Alpha Program", "OH"]]
