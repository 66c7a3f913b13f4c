import pytest
from playwright.sync_api import expect
def cell(page, pid, key):
    return page.locator(f'#p-{pid} > [data-f="{key}"]')

@pytest.mark.parametrize("i", range(6))
def test_invalid_then_escape_and_fix(page, make_program, read_program, i):
    pid = make_program(name="A prog", positions=3)
    out = []
    page.on("console", lambda m: out.append(f"console {m.type}: {m.text}"))
    page.on("framenavigated", lambda f: out.append(f"NAV {f.url}"))
    page.add_init_script("""
      ['htmx:afterProcessNode','htmx:afterSwap','htmx:afterSettle','submit','htmx:beforeRequest','focusin', 'keydown'].forEach(n =>
        document.addEventListener(n, e => console.log(performance.now().toFixed(1), n, e.key||'', e.target && e.target.outerHTML && e.target.outerHTML.slice(0,50), n==='submit' ? e.defaultPrevented : ''), n==='submit'?false:true));
    """)
    page.goto("/")
    p = cell(page, pid, "positions"); p.click()
    expect(p.locator("input")).to_be_focused()
    page.keyboard.type("x"); page.keyboard.press("Enter")
    expect(p.locator(".cell-msg")).to_be_visible()
    page.keyboard.press("Escape")
    expect(p).to_have_text("3")
    p.click(); expect(p.locator("input")).to_be_focused()
    page.keyboard.type("abc"); page.keyboard.press("Enter")
    expect(p.locator(".cell-msg")).to_be_visible()
    expect(p.locator("input")).to_be_focused()
    out.append("---- fix")
    page.keyboard.press("Control+A"); page.keyboard.type("7"); page.keyboard.press("Enter")
    try:
        expect(p).to_have_text("7")
    finally:
        print("\n".join(out))
