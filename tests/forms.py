"""Read an HTML form's current values the way a browser would submit them, and send them with the
page's CSRF token as the browser does (CSRFClient)."""

import html
import re

from flask.testing import FlaskClient


def form_values(page: str) -> dict:
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data.setdefault(name.group(1), []).append(html.unescape(value.group(1)))
        elif value:
            data[name.group(1)] = html.unescape(value.group(1))
    for name, block in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', block)
        if chosen:
            data[name] = html.unescape(chosen.group(1) or chosen.group(2))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', page, re.S):
        data[name] = html.unescape(text)
    return data


def mapping_form(page: str) -> dict:
    """The import mapping page's form as the browser would send it, suggestions accepted."""
    form = {}
    for name, block in re.findall(r'<select id="col-\d+" name="(col-\d+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', block)
        form[name] = chosen.group(1) if chosen else ""
    form["sheet"] = re.search(r'name="sheet" value="([^"]*)"', page).group(1)
    form["header_row"] = re.search(r'name="header_row" value="(\d+)"', page).group(1)
    return form


class CSRFClient(FlaskClient):
    """A test client that sends the page's CSRF token with every POST, as the browser does
    (htmx sends it as the X-CSRFToken header). Pass csrf=False to send none."""

    token: str | None = None

    def csrf_token(self) -> str:
        if self.token is None:
            page = self.get("/", follow_redirects=True).get_data(as_text=True)  # in season, "/" lands on Today
            self.token = re.search(r'X-CSRFToken&#34;: &#34;([^&]+)&#34;', page).group(1)
        return self.token

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().post(*args, **kwargs)
