import re
import pytest
from playwright.sync_api import expect

def cell(page, pid, key):
    return page.locator(f'#p-{pid} > [data-f="{key}"]')

def log(page):
    out = []
    page.on("console", lambda m: out.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: out.append(f"pageerror {e}"))
    page.on("request", lambda r: out.append(f"req {r.method} {r.url}") if "/cells/" in r.url or r.method=="POST" else None)
    page.on("response", lambda r: out.append(f"resp {r.status} {r.url}") if "/cells/" in r.url else None)
    return out

def test_click_away_saves(page, make_program, read_program):
    pid = make_program(name="A prog", city="X", positions=3)
    out = log(page)
    page.goto("/")
    c = cell(page, pid, "city"); c.click()
    expect(c.locator("input")).to_be_focused()
    page.keyboard.type("Y")
    cell(page, pid, "positions").click()
    expect(c).to_have_text("Y")
    expect(cell(page, pid, "positions").locator("input")).to_be_focused()
    page.keyboard.type("5"); page.keyboard.press("Tab")
    expect(cell(page, pid, "positions")).to_have_text("5")
    page.wait_for_timeout(300)
    print("\n".join(out)); print(read_program(pid)["city"], read_program(pid)["positions"], read_program(pid)["version"])
    print("focused:", page.evaluate("document.activeElement.outerHTML.slice(0,120)"))

def test_enter_count_posts(page, make_program, read_program):
    pid = make_program(name="A prog", city="X")
    out = log(page)
    page.goto("/")
    c = cell(page, pid, "city"); c.click()
    expect(c.locator("input")).to_be_focused()
    page.keyboard.type("Y"); page.keyboard.press("Enter")
    expect(c).to_have_text("Y")
    page.wait_for_timeout(300)
    # now arrow away and edit again by keyboard
    page.keyboard.press("ArrowRight"); page.keyboard.press("Enter")
    expect(cell(page, pid, "state").locator("select")).to_be_focused()
    page.keyboard.press("Escape")
    expect(cell(page, pid, "state").locator("select")).to_have_count(0)
    print("focused:", page.evaluate("document.activeElement.outerHTML.slice(0,120)"))
    page.keyboard.press("ArrowLeft")
    print("focused:", page.evaluate("document.activeElement.outerHTML.slice(0,120)"))
    print("\n".join(out)); print(read_program(pid))

def test_conflict_then_retry(page, make_program, read_program):
    pid = make_program(name="A prog", city="X")
    a = page; b = page.context.new_page()
    out = log(b)
    a.goto("/"); b.goto("/")
    cell(a, pid, "city").click(); expect(cell(a,pid,"city").locator("input")).to_be_focused(); a.keyboard.type("AA"); a.keyboard.press("Enter")
    expect(cell(a, pid, "city")).to_have_text("AA")
    cell(b, pid, "city").click(); expect(cell(b,pid,"city").locator("input")).to_be_focused(); b.keyboard.type("BB"); b.keyboard.press("Enter")
    expect(cell(b, pid, "city").locator(".cell-msg")).to_be_visible()
    print("focused after conflict:", b.evaluate("document.activeElement.outerHTML.slice(0,120)"))
    cell(b, pid, "city").click(); expect(cell(b,pid,"city").locator("input")).to_be_focused(); b.keyboard.type("CC"); b.keyboard.press("Enter")
    expect(cell(b, pid, "city")).to_have_text("CC")
    print("\n".join(out)); print(read_program(pid)["city"])

def test_tags_and_date(page, make_program, read_program):
    pid = make_program(name="A prog")
    out = log(page)
    page.goto("/")
    t = cell(page, pid, "mission_tags"); t.click()
    expect(t.locator("input[type=checkbox]").first).to_be_focused()
    page.keyboard.press("Space"); page.keyboard.press("Tab"); page.keyboard.press("Space"); page.keyboard.press("Enter")
    expect(t.locator(".tag")).to_have_count(2)
    page.wait_for_timeout(300)
    print("focused after tags:", page.evaluate("document.activeElement.outerHTML.slice(0,120)"))
    print("tags cell:", t.evaluate("e => e.outerHTML.slice(0,300)"))
    d = cell(page, pid, "date_applied"); d.click()
    page.wait_for_timeout(300)
    print("date cell:", d.evaluate("e => e.outerHTML.slice(0,600)"))
    print("focused:", page.evaluate("document.activeElement.outerHTML.slice(0,120)"))
    print("\n".join(out))
    expect(d.locator("input")).to_be_focused()
    page.keyboard.type("11252026"); page.keyboard.press("Enter")
    expect(d).to_have_text("2026-11-25")
    n = cell(page, pid, "notes"); n.click()
    expect(n.locator("textarea")).to_be_focused()
    page.keyboard.type("line1"); page.keyboard.press("Shift+Enter"); page.keyboard.type("line2"); page.keyboard.press("Enter")
    expect(n).to_contain_text("line1")
    i = cell(page, pid, "interview_date"); i.click()
    expect(i.locator("input")).to_be_focused()
    page.keyboard.type("11252026"); page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    print("interview cell:", i.inner_html()[:400])
    print("\n".join(out)); r = read_program(pid); print(r["mission_tags"], r["date_applied"], repr(r["notes"]), r["interview_date"])

def test_name_cell(page, make_program, read_program):
    pid = make_program(name="A prog")
    out = log(page)
    page.goto("/")
    page.locator("#grid").focus(); page.keyboard.press("ArrowDown")
    expect(cell(page, pid, "name")).to_be_focused()
    page.keyboard.press("Enter")
    expect(cell(page, pid, "name").locator("input")).to_be_focused()
    page.keyboard.type("B prog"); page.keyboard.press("Enter")
    expect(cell(page, pid, "name")).to_have_text("B prog")
    # empty name
    cell(page, pid, "name").click(position={"x": 2, "y": 2})
    print("after click:", cell(page, pid, "name").inner_html()[:300])
    print("\n".join(out)); print(read_program(pid)["name"])
