"""create_app: where settings come from, and where templates, static files and data live."""

import os
import re
import stat

from tracker import create_app


def test_defaults_put_the_database_and_secret_key_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    app = create_app()
    assert app.instance_path == str(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    key_file = tmp_path / "secret_key"
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(app.config["SECRET_KEY"]) == 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    # a restart keeps the key, so open tabs keep working
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_instance_config_then_environment_then_test_config(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text(
        "SQLALCHEMY_DATABASE_URI = 'sqlite:///from-config.sqlite3'\nSECRET_KEY = 'from-config'\nPER_PAGE = 7\n"
    )
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-config.sqlite3"
    assert (app.config["SECRET_KEY"], app.config["PER_PAGE"]) == ("from-config", 7)

    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:///from-env.sqlite3")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-env.sqlite3"
    assert app.config["SECRET_KEY"] == "from-env"

    app = create_app({"TESTING": True, "SECRET_KEY": "from-test"})
    assert app.testing and app.config["SECRET_KEY"] == "from-test"
    assert "PER_PAGE" not in app.config  # a test config replaces instance/config.py, as in flaskr


def test_templates_and_static_files_are_found_and_served(client):
    assert client.get("/").status_code == 200
    js = client.get("/static/vendor/htmx.min.js")
    assert js.status_code == 200 and b'version:"2.0.11"' in js.data
    assert client.get("/static/app.css").status_code == 200
    css = client.get("/fields.css")
    assert css.mimetype == "text/css" and b".grid .f-name{width:36ch}" in css.data


def test_no_page_loads_anything_from_another_origin(client, make_program):
    pid = make_program()
    for url in ("/", f"/programs/{pid}", "/programs/new", "/programs/deleted"):
        page = client.get(url).get_data(as_text=True)
        for attr in ("src", "href"):
            for value in re.findall(rf'{attr}="([^"]+)"', page):
                assert value.startswith(("/", "#", "mailto:")), (url, value)
