"""Reading uploads (pure): sample files, and hostile ones generated here. Each bad file is
refused with a message, quickly, without inflating or expanding anything."""

import io
import zipfile

import openpyxl
import pytest

from samples import sample
from tracker.importing.read import MAX_COLUMNS, UnreadableFile, read_file


def workbook_bytes(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Programs"
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, content if item.filename == name else src.read(item.filename))
    return out.getvalue()


def refused(data: bytes, name: str = "list.xlsx") -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        read_file(data, name)
    return caught.value


def test_the_sample_files_read_with_their_sheets_and_rows():
    freida = read_file(sample("freida_export_sample.xlsx").read_bytes(), "freida_export_sample.xlsx")
    assert [(s.name, len(s.rows), s.width) for s in freida] == [("Programs", 121, 15)]
    mine = read_file(sample("my_program_list.xlsx").read_bytes(), "my_program_list.xlsx")[0]
    assert mine.rows[0][0] == "Residency list 2026-2027 season" and mine.rows[2][0] == "Program"


def test_csv_in_cp1252_with_semicolons_keeps_its_accents():
    sheet = read_file(sample("bad/cp1252_semicolon.csv").read_bytes(), "list.csv")[0]
    assert sheet.rows[1] == ["Hospital Université de Montréal affiliate", "NY", "J-1"]
    assert sheet.rows[2] == ["San José Community", "CA", "J-1, H-1B"]


def test_csv_with_a_bom_and_tabs():
    data = "\ufeffProgram Name\tState\nMercy\tTX\n".encode("utf-8")
    assert read_file(data, "list.csv")[0].rows == [["Program Name", "State"], ["Mercy", "TX"]]


def test_a_zip_bomb_is_refused_from_its_declared_size():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros, about 300 KB compressed
                member.write(chunk)
    data = out.getvalue()
    assert len(data) < 2 * 1024 * 1024
    error = refused(data)
    assert error.status == 413 and "far more data than a spreadsheet holds" in error.message


def test_an_xml_entity_attack_is_refused_before_anything_is_expanded():
    doctype = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                          for i in range(1, 10))
               + b"]>")
    data = workbook_bytes([["Program Name"], ["Mercy"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    data = replace_member(data, "xl/worksheets/sheet1.xml", doctype + sheet.replace(b"<t>Mercy</t>", b"<t>&lol9;</t>"))
    error = refused(data, "laughs.xlsx")
    assert error.status == 422 and "document type declaration" in error.message


def test_a_doctype_in_any_part_is_refused_even_without_entities():
    data = workbook_bytes([["Program Name"], ["Mercy"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("xl/styles.xml")
    data = replace_member(data, "xl/styles.xml", b'<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "file:///etc/passwd">'
                          + styles)
    assert "xl/styles.xml" in refused(data).message


def test_too_many_rows_columns_or_characters_are_refused():
    many_rows = ("Program Name\n" + "Mercy\n" * 20_100).encode()
    assert "more than 20,000 rows" in refused(many_rows, "rows.csv").message
    wide = (",".join(f"c{i}" for i in range(5_000)) + "\n").encode()
    assert f"at most {MAX_COLUMNS}" in refused(wide, "wide.csv").message
    big_cell = ("Program Name\n" + "x" * 200_000 + "\n").encode()
    error = refused(big_cell, "cell.csv")
    assert error.status == 413 and "more than a spreadsheet cell holds" in error.message


def test_a_wide_workbook_is_refused():
    data = workbook_bytes([[f"c{i}" for i in range(MAX_COLUMNS + 50)]])
    assert refused(data).status == 413


def test_other_file_types_are_refused_by_name():
    assert "save it as .xlsx" in refused(b"anything", "old.xls").message
    assert "not a spreadsheet this tracker reads" in refused(b"%PDF-1.7", "list.pdf").message
    assert "not a text (CSV) file" in refused(b"\x00\x01\x02", "binary.csv").message


def test_the_row_limit_counts_the_programs_below_the_header():
    title = [["My residency list"], [None], ["Program Name"]]
    at_limit = [*title, *[[f"P{i}"] for i in range(5)], [None], [None]]
    assert len(read_file(workbook_bytes(at_limit), "list.xlsx", max_rows=5)[0].rows) == 8
    over = workbook_bytes([*title, *[[f"P{i}"] for i in range(6)]])
    with pytest.raises(UnreadableFile) as caught:
        read_file(over, "list.xlsx", max_rows=5)
    assert caught.value.status == 413
    assert caught.value.message == ("Sheet “Programs” has 6 rows of programs; this tracker imports at most 5 at "
                                    "once. Split the file and import it in parts.")
    csv_over = ("Program Name\n" + "Mercy\n" * 6).encode()
    with pytest.raises(UnreadableFile, match="has 6 rows of programs"):
        read_file(csv_over, "rows.csv", max_rows=5)
    read_file(("Program Name\n" + "Mercy\n" * 5).encode(), "rows.csv", max_rows=5)
