"""Read an HTML form's current values the way a browser would submit them."""

import html
import re


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
