"""Ranges of cells in a real browser: select, copy out, paste in what spreadsheets put on the
clipboard, clear, fill down, and one Ctrl+Z for each.

The pasted payloads are built as Excel, LibreOffice Calc and Google Sheets write them: a
text/html fragment holding a <table> (with their own markup around it) and the same cells as
text/plain tab-separated values, quoted where a cell holds a tab, a newline or a quote.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COLUMNS = ("name", "city", "state", "positions", "notes")

EXCEL_HTML = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=ProgId content=Excel.Sheet>
<meta name=Generator content="Microsoft Excel 15"><style><!--table {mso-displayed-decimal-separator:"\\.";}
.xl65 {mso-number-format:"\\@";} --></style></head><body link="#0563C1" vlink="#954F72">
<table border=0 cellpadding=0 cellspacing=0 width=128 style='border-collapse:collapse;width:96pt'>
<!--StartFragment-->
 <col width=64 span=2 style='width:48pt'>
 <tr height=20 style='height:15.0pt'>
  <td height=20 width=64 style='height:15.0pt;width:48pt'>Houston</td>
  <td width=64 style='width:48pt'>TX</td>
 </tr>
 <tr height=20 style='height:15.0pt'>
  <td height=20 style='height:15.0pt'>Dallas</td>
  <td>TX</td>
 </tr>
 <tr height=20 style='height:15.0pt'>
  <td height=20 style='height:15.0pt'>Saint&nbsp;Louis</td>
  <td>MO</td>
 </tr>
<!--EndFragment-->
</table></body></html>"""
EXCEL_TEXT = "Houston\tTX\r\nDallas\tTX\r\nSaint Louis\tMO\r\n"

CALC_HTML = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN">
<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"/><title></title>
<meta name="generator" content="LibreOffice 7.4.7.2 (Linux)"/><style type="text/css">
body,div,table,thead,tbody,tfoot,tr,th,td,p { font-family:"Liberation Sans"; font-size:x-small }
</style></head><body>
<table cellspacing="0" border="0">
\t<colgroup width="85"></colgroup>
\t<colgroup width="85"></colgroup>
\t<tr>
\t\t<td height="17" align="right" sdval="12" sdnum="1033;">12</td>
\t\t<td align="left">first line<br>second line</td>
\t</tr>
\t<tr>
\t\t<td height="17" align="right" sdval="8" sdnum="1033;">8</td>
\t\t<td align="left">say &quot;hi&quot;</td>
\t</tr>
</table>
</body></html>"""
CALC_TEXT = '12\t"first line\nsecond line"\n8\t"say ""hi"""\n'

SHEETS_HTML = ('<meta charset="utf-8"><google-sheets-html-origin><style type="text/css"><!--td {border: 1px solid '
               '#cccccc;}br {mso-data-placement:same-cell;}--></style><table xmlns="http://www.w3.org/1999/xhtml" '
               'cellspacing="0" cellpadding="0" dir="ltr" border="1" style="table-layout:fixed;font-size:10pt;'
               'font-family:Arial;width:0px;border-collapse:collapse;border:none" data-sheets-root="1">'
               '<colgroup><col width="100"/><col width="100"/></colgroup><tbody>'
               '<tr style="height:21px;"><td style="overflow:hidden;padding:2px 3px 2px 3px;vertical-align:bottom;" '
               'data-sheets-value="{&quot;1&quot;:2,&quot;2&quot;:&quot;Boston&quot;}">Boston</td>'
               '<td style="overflow:hidden;padding:2px 3px 2px 3px;vertical-align:bottom;" '
               'data-sheets-value="{&quot;1&quot;:2,&quot;2&quot;:&quot;MA&quot;}">MA</td></tr>'
               '<tr style="height:21px;"><td data-sheets-value="{&quot;1&quot;:2,&quot;2&quot;:&quot;Worcester&quot;}">'
               'Worcester</td><td data-sheets-value="{&quot;1&quot;:2,&quot;2&quot;:&quot;MA&quot;}">MA</td></tr>'
               '</tbody></table>')
SHEETS_TEXT = "Boston\tMA\nWorcester\tMA"


def cell(page, pid, key):
    return page.locator(f'#p-{pid} > [data-f="{key}"]')


@pytest.fixture
def rows(make_program):
    return [make_program(name=f"{letter} Program", city="Nowhere", state="OH", positions=5) for letter in "ABCD"]


@pytest.fixture
def grid(page, rows):
    page.goto("/?sort=name&" + "&".join(f"col={c}" for c in COLUMNS))
    expect(page.locator("#grid")).to_be_visible()
    return page


def put_active(page, pid, key):
    cell(page, pid, key).click()
    expect(cell(page, pid, key).locator("form.editor")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(cell(page, pid, key)).to_be_focused()


def paste(page, payload: dict[str, str]) -> None:
    """An ordinary paste event carrying ``payload`` (MIME type -> data), as a Ctrl+V delivers it."""
    page.evaluate("""payload => {
        const data = new DataTransfer();
        for (const [type, value] of Object.entries(payload)) data.setData(type, value);
        const target = document.activeElement || document.body;
        target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""", payload)


def copied(page) -> dict[str, str]:
    return page.evaluate("""() => {
        const data = new DataTransfer();
        document.activeElement.dispatchEvent(new ClipboardEvent("copy", {clipboardData: data, bubbles: true, cancelable: true}));
        return {text: data.getData("text/plain"), html: data.getData("text/html")};
    }""")


def wait_saved(page):
    expect(page.locator("#flash .msg").last).to_be_visible()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("payload", [{"text/html": EXCEL_HTML, "text/plain": EXCEL_TEXT},
                                     {"text/plain": EXCEL_TEXT}], ids=["excel-html", "excel-text"])
def test_a_block_pasted_from_excel_fills_the_cells_from_the_active_one(grid, rows, read_program, payload):
    put_active(grid, rows[0], "city")
    paste(grid, payload)
    wait_saved(grid)
    stored = [read_program(p) for p in rows]
    assert [(s["city"], s["state"]) for s in stored] == [
        ("Houston", "TX"), ("Dallas", "TX"), ("Saint Louis", "MO"), ("Nowhere", "OH")]
    expect(cell(grid, rows[2], "city")).to_have_text("Saint Louis")
    expect(grid.locator("#rows .in-range")).to_have_count(6)  # the pasted block is the new range

    grid.keyboard.press("Control+z")  # one undo takes the whole paste back
    expect(cell(grid, rows[0], "city")).to_have_text("Nowhere")
    assert [(read_program(p)["city"], read_program(p)["state"]) for p in rows] == [("Nowhere", "OH")] * 4


def test_calc_cells_with_newlines_and_quotes_paste_as_one_value_each(grid, rows, read_program):
    put_active(grid, rows[1], "positions")
    paste(grid, {"text/html": CALC_HTML, "text/plain": CALC_TEXT})
    wait_saved(grid)
    assert (read_program(rows[1])["positions"], read_program(rows[1])["notes"]) == (12, "first line\nsecond line")
    assert (read_program(rows[2])["positions"], read_program(rows[2])["notes"]) == (8, 'say "hi"')


def test_quoted_tsv_alone_is_read_as_calc_and_excel_write_it(grid, rows, read_program):
    put_active(grid, rows[1], "positions")
    paste(grid, {"text/plain": CALC_TEXT})
    wait_saved(grid)
    assert read_program(rows[1])["notes"] == "first line\nsecond line"
    assert read_program(rows[2])["notes"] == 'say "hi"'


def test_google_sheets_block_pasted_into_an_open_editor_fills_cells_not_one_value(grid, rows, read_program):
    cell(grid, rows[2], "city").click()  # an editor is open: a block still goes into cells
    expect(cell(grid, rows[2], "city").locator("input[name=value]")).to_be_focused()
    paste(grid, {"text/html": SHEETS_HTML, "text/plain": SHEETS_TEXT})
    wait_saved(grid)
    assert [(read_program(p)["city"], read_program(p)["state"]) for p in rows[2:]] == [
        ("Boston", "MA"), ("Worcester", "MA")]


def test_refused_cells_keep_their_value_and_say_why_while_the_rest_is_saved(grid, rows, read_program):
    put_active(grid, rows[0], "positions")
    paste(grid, {"text/plain": "7\nmany\n9\n"})
    wait_saved(grid)
    assert [read_program(p)["positions"] for p in rows[:3]] == [7, 5, 9]
    expect(cell(grid, rows[1], "positions").locator(".cell-msg")).to_contain_text("whole number")
    expect(cell(grid, rows[1], "positions")).to_contain_text("5")
    expect(grid.locator("#flash .msg").last).to_contain_text("1 value was not taken")


def test_one_value_pasted_into_a_range_fills_it(grid, rows, read_program):
    put_active(grid, rows[0], "city")
    grid.keyboard.press("Shift+ArrowDown")
    grid.keyboard.press("Shift+ArrowDown")
    expect(grid.locator("#rows .in-range")).to_have_count(3)
    paste(grid, {"text/plain": "Toledo\r\n"})
    wait_saved(grid)
    assert [read_program(p)["city"] for p in rows] == ["Toledo", "Toledo", "Toledo", "Nowhere"]


def test_a_block_past_the_last_row_offers_to_add_new_programs(grid, rows, read_program, app):
    put_active(grid, rows[3], "name")
    grid.once("dialog", lambda d: d.accept())
    paste(grid, {"text/plain": "D Program\tDayton\nE Program\tErie\nF Program\tFargo\n"})
    wait_saved(grid)
    expect(grid.locator("#rows > tr")).to_have_count(6)
    expect(grid.locator("#flash .msg").last).to_contain_text("Added 2 new programs")
    assert read_program(rows[3])["city"] == "Dayton"
    from tracker.db import db
    from tracker.models import Program
    with app.app_context():
        cities = {p.name: p.city for p in db.session.scalars(db.select(Program))}
    assert cities["E Program"] == "Erie" and cities["F Program"] == "Fargo"


def test_a_range_copies_out_as_tsv_and_an_html_table(grid, rows, read_program):
    put_active(grid, rows[0], "city")
    grid.keyboard.press("Shift+ArrowRight")
    grid.keyboard.press("Shift+ArrowRight")
    grid.keyboard.press("Shift+ArrowDown")
    expect(grid.locator("#rows .in-range")).to_have_count(6)
    out = copied(grid)
    assert out["text"] == "Nowhere\tOH\t5\r\nNowhere\tOH\t5\r\n"
    assert out["html"].count("<tr>") == 2 and "<td>OH</td>" in out["html"]


def test_ctrl_c_and_ctrl_v_through_the_real_clipboard(browser, live_server, rows, read_program):
    ctx = browser.new_context(base_url=live_server, locale="en-US")
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = ctx.new_page()
    try:
        page.goto("/?sort=name&" + "&".join(f"col={c}" for c in COLUMNS))
        put_active(page, rows[0], "city")
        page.keyboard.press("Shift+ArrowRight")
        page.keyboard.press("Control+c")
        assert page.evaluate("navigator.clipboard.readText()") == "Nowhere\tOH\r\n"
        page.evaluate("navigator.clipboard.writeText('Akron\\tIN\\r\\nBoise\\tID\\r\\n')")
        put_active(page, rows[2], "city")
        page.keyboard.press("Control+v")
        expect(cell(page, rows[3], "state")).to_have_text("ID")
        assert [(read_program(p)["city"], read_program(p)["state"]) for p in rows[2:]] == [
            ("Akron", "IN"), ("Boise", "ID")]
    finally:
        ctx.close()


def test_delete_clears_a_range_and_ctrl_d_fills_down_each_one_undo(grid, rows, read_program):
    put_active(grid, rows[0], "city")
    cell(grid, rows[1], "state").click(modifiers=["Shift"])  # Shift+click extends the range
    expect(grid.locator("#rows .in-range")).to_have_count(4)
    grid.keyboard.press("Delete")
    wait_saved(grid)
    assert [(read_program(p)["city"], read_program(p)["state"]) for p in rows[:2]] == [(None, None)] * 2

    grid.keyboard.press("Control+z")
    expect(cell(grid, rows[1], "city")).to_have_text("Nowhere")

    put_active(grid, rows[0], "positions")
    grid.locator("#flash").evaluate("el => el.innerHTML = ''")
    for _ in range(3):
        grid.keyboard.press("Shift+ArrowDown")
    paste(grid, {"text/plain": "30"})  # one value fills all four
    wait_saved(grid)
    grid.locator("#flash").evaluate("el => el.innerHTML = ''")
    cell(grid, rows[0], "positions").click()
    editor = cell(grid, rows[0], "positions").locator("input[name=value]")
    editor.fill("12")
    editor.press("Enter")
    expect(cell(grid, rows[0], "positions")).to_have_text("12")
    put_active(grid, rows[0], "positions")
    for _ in range(3):
        grid.keyboard.press("Shift+ArrowDown")
    grid.keyboard.press("Control+d")
    wait_saved(grid)
    assert [read_program(p)["positions"] for p in rows] == [12, 12, 12, 12]


def test_a_drag_selects_a_range(grid, rows):
    first = cell(grid, rows[0], "city").bounding_box()
    last = cell(grid, rows[2], "state").bounding_box()
    grid.mouse.move(first["x"] + 5, first["y"] + 5)
    grid.mouse.down()
    grid.mouse.move(last["x"] + 5, last["y"] + 5, steps=6)
    grid.mouse.up()
    expect(grid.locator("#rows .in-range")).to_have_count(6)
    expect(grid.locator("form.editor")).to_have_count(0)
    expect(grid.locator("#range-status")).to_have_text("3 × 2 cells selected")
