"""Gold and silver signals in a real browser (issue 18): choosing Gold in a program's Signal cell
saves it, and one past the season's gold count shows the warning while the signal is kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("every_column")]  # Signal is beyond the first screen


def signal_cell(page: Page, program_id: int):
    return page.locator(f'#p-{program_id} > [data-f="signal_sent"]')


def choose_gold(page: Page, program_id: int) -> None:
    cell = signal_cell(page, program_id)
    cell.click()
    select = cell.locator("select[name=value]")
    expect(select).to_be_focused()
    expect(select).to_have_value("none")
    select.select_option("gold")
    path = f"/programs/{program_id}/cells/signal_sent"
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path)) as saved:
        select.press("Enter")
    assert saved.value.status == 200
    expect(cell).to_have_text("Gold")


def test_a_gold_signal_past_the_count_is_saved_with_the_warning(page, make_program, read_program):
    # Internal Medicine allows 3 gold signals in the 2026 season: two are marked already
    for name in ("Alpha Hospital", "Beta Hospital"):
        make_program(name=name, specialty="internal_medicine", signal_sent="gold")
    third = make_program(name="Gamma Hospital", specialty="internal_medicine")
    fourth = make_program(name="Delta Hospital", specialty="internal_medicine")
    page.goto("/")
    expect(page.locator("#grid")).to_be_visible()

    choose_gold(page, third)  # the third of three: no warning
    expect(page.locator("#flash")).not_to_contain_text("gold signal")
    assert read_program(third)["signal_sent"] == "gold"

    choose_gold(page, fourth)
    expect(page.locator("#flash")).to_contain_text(
        "4 Internal Medicine institutions have a gold signal; ERAS allows 3 gold this season.")
    assert read_program(fourth)["signal_sent"] == "gold"  # kept: the warning says what to change
