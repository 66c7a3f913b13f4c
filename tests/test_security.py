"""CSRF on every POST, a strict Content-Security-Policy, and user text that stays inert."""

import re

import pytest



def post_routes(app):
    """Every POST route, with made-up ids and field keys filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            values = {arg: 1 if arg.endswith("_id") else "city" for arg in rule.arguments}
            urls.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule))
    return urls


def test_every_post_without_the_csrf_token_is_refused_and_changes_nothing(app, client, make_program, read_program):
    pid = make_program(city="Toledo")
    assert pid == 1
    urls = post_routes(app)
    assert len(urls) >= 6
    for url in urls:
        response = client.post(url, data={"value": "Akron", "version": 1, "name": "Forged", "city": "Akron"},
                               csrf=False)
        assert response.status_code == 400, url
        assert "Reload the page" in response.get_data(as_text=True)
    stored = read_program(pid)
    assert (stored["city"], stored["version"], stored["deleted_at"]) == ("Toledo", 1, None)
    assert client.get("/").get_data(as_text=True).count('<tr id="p-') == 1


def test_a_csrf_failure_in_htmx_is_shown_in_the_message_area(client, make_program):
    pid = make_program()
    response = client.post(f"/programs/{pid}/cells/city", data={"value": "x", "version": 1},
                           headers={"HX-Request": "true"}, csrf=False)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"


def test_the_csrf_token_is_sent_once_from_the_body(client):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<body hx-headers="\{&#34;X-CSRFToken&#34;: &#34;[^&]+&#34;\}">', page)


@pytest.mark.parametrize("url", ["/", "/programs/new", "/programs/deleted", "/no-such-page"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts_styles_or_handlers(client, make_program):
    pid = make_program(mission_tags=["rural"], website="https://gme.example.org")
    for url in ("/", f"/programs/{pid}", "/programs/new", f"/programs/{pid}/cells/mission_tags/edit"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\son[a-z]+=", page), url
        assert not re.search(r"\sstyle=", page), url
        assert "hx-on" not in page


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_hostile_text_is_stored_as_typed_and_shown_inert(client, make_program, read_program):
    pid = make_program(name="Plain")
    response = client.post(f"/programs/{pid}/cells/name", data={"value": HOSTILE, "version": 1})
    assert response.status_code == 200
    assert read_program(pid)["name"] == HOSTILE
    for page in (response.get_data(as_text=True), client.get("/").get_data(as_text=True),
                 client.get(f"/programs/{pid}").get_data(as_text=True)):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_javascript_url_is_never_stored_or_linked(client, make_program, read_program):
    pid = make_program()
    response = client.post(f"/programs/{pid}/cells/website", data={"value": "javascript:alert(1)", "version": 1})
    assert response.status_code == 422
    assert read_program(pid)["website"] is None
    assert 'href="javascript' not in client.get("/").get_data(as_text=True)


def test_scripts_and_style_sheets_travel_compressed_and_pages_do_not(client, make_program):
    """What the grid loads comes compressed to a browser that asks for it (and whole to one that
    does not); a page, which carries the CSRF token beside typed text, never does (BREACH)."""
    import brotli

    make_program(name="Mercy Program")
    asks = {"Accept-Encoding": "gzip, deflate, br"}
    for url in ("/static/vendor/htmx.min.js", "/static/app.js", "/static/app.css"):
        plain = client.get(url)
        packed = client.get(url, headers=asks)
        assert packed.status_code == 200 and packed.headers.get("Content-Encoding") == "br"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert brotli.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 2
        assert "Content-Encoding" not in plain.headers
    page = client.get("/?tier=all", headers=asks)
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    assert "Mercy Program" in page.get_data(as_text=True)
