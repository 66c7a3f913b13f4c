"""An installed (non-editable) copy finds its templates, static files and migrations."""

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_templates_static_and_migrations_and_serves_the_grid(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "dist"), str(ROOT)],
        check=True,
    )
    wheel = next((tmp_path / "dist").glob("residency_tracker-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("tracker/templates/base.html", "tracker/templates/grid/_cell.html",
                     "tracker/static/vendor/htmx.min.js", "tracker/static/vendor/htmx.LICENSE",
                     "tracker/static/app.js", "tracker/migrations/env.py",
                     "tracker/migrations/versions/0001_programs_and_change_log.py"):
        assert expected in names

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True)
    script = textwrap.dedent("""
        import tracker
        from flask_migrate import upgrade
        app = tracker.create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite:///%s"})
        with app.app_context():
            upgrade()
        response = app.test_client().get("/?sort=name")  # the grid (a bare "/" in season opens Today)
        print(tracker.__file__, app.template_folder, response.status_code)
    """ % (tmp_path / "db.sqlite3"))
    env = {"PYTHONPATH": str(target), "TRACKER_INSTANCE_PATH": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    module, templates, status = out.stdout.split()
    assert module.startswith(str(target)) and templates.startswith(str(target))
    assert status == "200"
