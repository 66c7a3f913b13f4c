"""The mentor's workbook on paper: LibreOffice Calc prints it to PDF (as a mentor's spreadsheet
program would), and its pages are counted and read: landscape, the list one page wide when it
fits legibly, the header row and the program names on every page, the Summary and its chart on
one page, the applicant's name and the page number on each, and no hidden sheet printed."""

import re
import shutil
import subprocess

import pypdf
import pytest

from tracker.exporting import MIN_PRINT_SCALE, PAGE_CHARS, pages_wide

APPLICANT = "Amina Rahman & Co"


@pytest.fixture
def fifty_five(client, runner):
    """The demo's 40 programs and 15 more: the 55 of the list that printed on 27 pages."""
    runner.invoke(args=["demo"])
    for i in range(15):
        client.post("/programs/new", data={"name": f"Extra Community Program {i} (Internal Medicine)", "state": "OH"})
    response = client.post("/profile", data={"full_name": APPLICANT, "visa_needed": "J-1", "season_year": "2027",
                                             "target_specialties": "internal_medicine", "step2_ck": "218"})
    assert response.status_code == 302


def printed(client, tmp_path, query: str) -> list[tuple[pypdf.PageObject, str]]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice Calc is missing: `make test` installs Debian's libreoffice-calc-nogui"
    response = client.get(f"/export.xlsx{query}")
    assert response.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.data)
    result = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                             "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    reader = pypdf.PdfReader(tmp_path / "export.pdf")
    return [(page, page.extract_text()) for page in reader.pages]


def heading(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def test_a_chosen_list_prints_one_page_wide_with_its_header_on_every_page(client, fifty_five, tmp_path):
    pages = printed(client, tmp_path, "?tier=all&col=name&col=state&col=specialty&col=setting&col=visa_j1"
                                      "&col=status&col=notes")
    count = len(pages)
    assert 2 <= count <= 4  # the 55 programs on one or two pages, and the Summary (27 portrait pages before)
    for number, (page, text) in enumerate(pages, start=1):
        width, height = page.mediabox.width, page.mediabox.height
        assert width > height, f"page {number} is portrait"
        assert heading(text) == f"{APPLICANT}: residency programs, " + re.search(r"\d{4}-\d{2}-\d{2}", text)[0]
        assert f"Page {number} of {count}" in text
        assert "Tracker ID" not in text and "Residency Tracker export" not in text  # no hidden sheet
    programs, summary = pages[:-1], pages[-1][1]
    for _, text in programs:
        # the header row on every page, and every column on it: one page wide
        assert re.search(r"Program name\s*Tier\s*Specialty\s*State", text)
        assert "Mentor comments" in text and "Notes" in text
    listed = " ".join(text for _, text in programs)
    assert "Extra Community Program 14 (Internal Medicine)" in listed
    assert "Youngstown VA Medical Center Program (Psychiatry)" in listed
    # the Summary on one page: its headings whole, and the chart's title and every tier under it
    assert "Applications (the whole list): advised and now" in summary
    assert "Programs by setting" in summary and summary.count("Programs by tier") == 2
    assert re.search(r"Likely\s*Possible\s*Reach\s*Not eligible", summary)


def test_every_column_prints_across_a_few_pages_with_the_program_names_on_each(client, fifty_five, tmp_path):
    pages = printed(client, tmp_path, "?tier=all")
    count = len(pages)
    assert count <= 12  # across four pages, down one or two, and the Summary
    for number, (_, text) in enumerate(pages[:-1], start=1):
        assert f"Page {number} of {count}" in text and APPLICANT in heading(text)
        lines = text.split("\n")
        assert any(line.startswith("Program name") for line in lines), f"page {number} has no header row"
        assert "Brownsville County Medical Center Program (Pediatrics)"[:30] in text or \
            "Youngstown VA Medical Center Program" in text, f"page {number} has no program names"
    assert "Mentor comments" in " ".join(text for _, text in pages[:-1])


def test_how_many_pages_across():
    legible = PAGE_CHARS / MIN_PRINT_SCALE
    assert pages_wide([44, 13, 20, 20]) == 1
    assert pages_wide([44] + [20] * int((legible - 44) // 20)) == 1
    assert pages_wide([44] + [20] * 40) == 4  # 800 characters: 210 of them a page beside the names
