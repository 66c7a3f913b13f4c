"""The package's structure as the README promises it: imports point one way (no module of
tracker/ imports, directly or through others, one that imports it), the pure modules import
without Flask or a database, and README's "Where things are" names every module there is.
Read from the code itself (its import statements, function-level ones included)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tracker"
# What makes a module part of the web app or the database layer, not the pure domain.
FRAMEWORKS = {"flask", "flask_sqlalchemy", "flask_wtf", "flask_migrate", "sqlalchemy", "werkzeug", "wtforms",
              "alembic", "click", "waitress"}


def module_files() -> dict[str, Path]:
    """tracker's modules (dotted names) and their files; Alembic's scripts are not modules."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if "migrations" in rel.parts:
            continue
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: set[str]) -> tuple[set[str], set[str]]:
    """(modules of tracker, top-level outside packages) that ``path`` imports anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside, outside = set(), set()

    def add(target: str) -> None:
        if target in modules:
            inside.add(target)
        elif target.split(".")[0] != "tracker":
            outside.add(target.split(".")[0])

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                base_name = ".".join(base + ([node.module] if node.module else []))
            else:
                base_name = node.module or ""
            for alias in node.names:
                sub = f"{base_name}.{alias.name}"
                add(sub if sub in modules else base_name)
    return inside, outside


def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    files = module_files()
    inside, outside = {}, {}
    for name, path in files.items():
        inside[name], outside[name] = imports_of(name, path, set(files))
        inside[name].discard(name)
    return inside, outside


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def pure_modules() -> set[str]:
    """The modules that reach no framework through anything they import."""
    inside, outside = graph()
    reaches: dict[str, set[str]] = {}

    def frameworks(name: str, seen: frozenset = frozenset()) -> set[str]:
        if name in reaches:
            return reaches[name]
        found = outside[name] & FRAMEWORKS
        for other in inside[name] - seen:
            found |= frameworks(other, seen | {name})
        reaches[name] = found
        return found

    return {name for name in inside if name != "tracker" and not frameworks(name)}


def readme_map() -> dict[str, str]:
    """README's "Where things are": each path it names (folders end in /) and its line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Where things are\n.*?```\n(.*?)```", text, re.S).group(1)
    entries: dict[str, str] = {}
    parents: list[tuple[int, str]] = []
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        match = re.match(r"([\w.\-]+/?)(\s{2,}|$)", line.strip())
        if not line.strip() or not match or (parents and indent > parents[-1][0] + 2):
            continue  # a description running on
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = "".join(p for _, p in parents) + match.group(1)
        entries[path] = line
        if path.endswith("/"):
            parents.append((indent, match.group(1)))
    return entries


def test_no_module_of_the_package_imports_itself_in_a_circle():
    inside, _ = graph()
    # relative imports of either depth are read ("from ..db import db", "from .. import fields")
    assert "tracker.db" in inside["tracker.store"] and "tracker.fields" in inside["tracker.importing.headers"]
    assert circles(inside) == []


def test_the_circle_finder_finds_a_circle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(edges) == [["a", "b", "c"]]


def test_the_pure_modules_are_the_domain_the_readme_marks_pure():
    pure = pure_modules()
    for expected in ("tracker.fields", "tracker.rules", "tracker.tiering", "tracker.guidance", "tracker.reminders",
                     "tracker.exporting", "tracker.importing.read", "tracker.importing.mapping",
                     "tracker.importing.plan"):
        assert expected in pure
    for web_or_db in ("tracker.models", "tracker.store", "tracker.changes", "tracker.views.grid"):
        assert web_or_db not in pure
    entries = readme_map()
    marked = {path for path, line in entries.items() if "(pure" in line}
    files = module_files()
    assert marked == {files[name].relative_to(ROOT).as_posix() for name in pure}


@pytest.mark.parametrize("module", sorted(pure_modules()))
def test_a_pure_module_imports_without_flask_or_a_database(module):
    code = (f"import sys, {module}; "
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FRAMEWORKS)!r}); "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_the_readme_map_names_every_module_and_only_what_exists():
    entries = readme_map()
    for path in entries:
        assert (ROOT / path).exists(), f"README names {path}, which does not exist"
    for name, file in module_files().items():
        rel = file.relative_to(ROOT).as_posix()
        assert rel in entries, f"README's map does not name {rel}"
    for folder in ("tracker/migrations/", "templates/", "static/", "tests/", "benchmarks/", "instance/"):
        assert folder in entries


def test_every_setting_of_the_tracker_is_documented_in_the_readme(app):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    ours = [key for key in app.config if key.startswith(("TRACKER_", "IMPORT_"))] + ["MAX_CONTENT_LENGTH"]
    assert len(ours) >= 6
    for key in ours:
        assert f"`{key}`" in text, f"README does not document {key}"
