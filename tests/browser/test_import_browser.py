"""Importing in a real browser: upload -> mapping -> preview -> apply, then the grid."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from samples import sample

pytestmark = pytest.mark.browser


def test_upload_map_preview_apply_then_the_programs_are_in_the_grid(page, read_program):
    page.goto("/imports")
    page.set_input_files("#file", str(sample("my_program_list.xlsx")))
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.get_by_role("heading", name="Map the columns of my_program_list.xlsx")).to_be_visible()
    expect(page.locator("#header_row")).to_have_value("3")  # below the title row
    expect(page.get_by_label("Field for Visa")).to_have_value("visa")
    # keep the mentor's comments in the notes instead of dropping them
    page.get_by_label("Field for Mentor comments").select_option("keep")
    page.get_by_role("button", name="Preview the changes").click()

    expect(page.get_by_text("40 new")).to_be_visible()
    expect(page.get_by_text("0 can't be imported")).to_be_visible()
    page.get_by_label("Leave out row 4", exact=True).check()  # the first program stays out
    page.get_by_role("button", name="Apply the import").click()

    expect(page.get_by_role("status")).to_contain_text("Imported my_program_list.xlsx: 39 new programs")
    page.goto("/?tier=all")
    expect(page.locator("#rows > tr")).to_have_count(39)
    expect(page.get_by_role("link", name="El Paso Medical Center Program (Internal Medicine-Pediatrics)",
                            exact=True)).to_be_visible()
    expect(page.get_by_text("Lakeview Regional Medical Center Program (Pathology-Anatomic and Clinical)")).to_have_count(0)
    notes = page.locator("#rows td[data-f=notes]").filter(has_text="Mentor comments:")
    expect(notes.first).to_be_visible()
