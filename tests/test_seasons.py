"""Seasons: a new one copies the list without last season's application; the old one stays."""

import sqlalchemy as sa
from flask_migrate import upgrade as flask_upgrade

from tracker.db import db
from tracker.models import Change, Program, Season


def programs_of(app, year):
    with app.app_context():
        db.session.expire_all()
        season = db.session.scalar(sa.select(Season).where(Season.year == year))
        return db.session.scalars(sa.select(Program).where(Program.season_id == season.id)
                                  .order_by(Program.id)).all()


def test_a_new_season_copies_the_list_and_keeps_the_old_one(app, client, make_program):
    old_id = make_program(name="Gary County Program", program_code="1403621114", state="IN", visa_j1="yes",
                          status="interviewed", rank=2, mentor_comments="Great", tier_override="likely")
    make_program(name="Deleted Program", state="OH")
    client.post(f"/programs/{old_id + 1}/delete")
    with app.app_context():
        current_year = db.session.scalar(sa.select(Season.year).where(Season.current.is_(True)))

    response = client.post("/seasons", data={"year": str(current_year + 1), "confirm": "yes"}, follow_redirects=True)

    assert response.status_code == 200
    assert "with 1 programs copied" in response.get_data(as_text=True)
    new, = programs_of(app, current_year + 1)
    assert (new.name, new.program_code, new.state, new.visa_j1) == ("Gary County Program", "1403621114", "IN", "yes")
    assert (new.status, new.rank, new.mentor_comments, new.tier_override) == ("researching", None, None, None)
    old = programs_of(app, current_year)
    assert [(p.status, p.rank, p.mentor_comments) for p in old if p.id == old_id] == [("interviewed", 2, "Great")]
    grid = client.get("/?tier=all").get_data(as_text=True)
    assert f'id="p-{new.id}"' in grid and f'id="p-{old_id}"' not in grid  # the grid shows the new season
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Change)
                                 .where(Change.program_id == new.id, Change.source == "season")) > 3


def test_switching_back_shows_the_old_season(app, client, make_program):
    old_id = make_program(name="Old Program")
    with app.app_context():
        year = db.session.scalar(sa.select(Season.year).where(Season.current.is_(True)))
        old_season = db.session.scalar(sa.select(Season.id).where(Season.year == year))
    client.post("/seasons", data={"year": str(year + 1), "confirm": "yes"})
    client.post(f"/seasons/{old_season}/current")
    assert f'id="p-{old_id}"' in client.get("/?tier=all").get_data(as_text=True)


def test_a_season_year_can_start_only_once(client):
    page = client.get("/seasons").get_data(as_text=True)
    assert "(current)" in page
    year = int(page.split('name="year" type="text" inputmode="numeric" size="5" value="')[1][:4]) - 1
    response = client.post("/seasons", data={"year": str(year), "confirm": "yes"}, follow_redirects=True)
    assert f"There is already a season for the {year} Match." in response.get_data(as_text=True)


def test_program_codes_are_unique_within_a_season_only(app, client, make_program):
    make_program(name="First", program_code="1403621114")
    with app.app_context():
        year = db.session.scalar(sa.select(Season.year).where(Season.current.is_(True)))
    client.post("/seasons", data={"year": str(year + 1), "confirm": "yes"})  # copies First, code and all
    other = make_program(name="Second")
    response = client.post(f"/programs/{other}/cells/program_code", data={"value": "1403621114", "version": 1})
    assert response.status_code == 422 and "already belongs to First" in response.get_data(as_text=True)


def test_upgrading_a_database_of_the_first_schema_keeps_every_row(tmp_path, monkeypatch):
    from tracker import create_app

    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        flask_upgrade(revision="0001")
        with db.engine.begin() as conn:
            for i in range(1, 4):
                conn.execute(sa.text(
                    "INSERT INTO program (id, name, version, created_at, updated_at, visa_j1, visa_h1b,"
                    " usce_required, mission_tags, status, email_status, signal_sent, program_code)"
                    " VALUES (:i, :name, 1, '2026-01-01', '2026-01-01', 'yes', 'no', 'unknown', 'rural',"
                    " 'applied', 'not_contacted', 'no', :code)"), {"i": i, "name": f"Program {i}", "code": f"14{i}"})
                conn.execute(sa.text("INSERT INTO change (program_id, field, new_value, source, created_at)"
                                     " VALUES (:i, 'name', :name, 'create', '2026-01-01')"),
                             {"i": i, "name": f"Program {i}"})
        flask_upgrade()
        rows = db.session.execute(sa.text("SELECT id, name, status, mission_tags, season_id FROM program ORDER BY id"))
        assert [tuple(r) for r in rows] == [(i, f"Program {i}", "applied", "rural", 1) for i in range(1, 4)]
        assert db.session.execute(sa.text("SELECT count(*) FROM change")).scalar() == 3
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        assert db.session.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
        db.engine.dispose()


def test_the_post_season_analysis_shows_yield_and_advice(app, client, make_program):
    client.post("/profile", data={"visa_needed": "J-1", "season_year": "2027", "step2_ck": "226",
                                  "target_specialties": ["internal_medicine"]})
    for i in range(6):  # reach programs that never invited
        make_program(name=f"Coastal University {i}", setting="university", state="NY", city="New York",
                     visa_j1="yes", img_percent=3, status="rejected")
    make_program(name="County Program", setting="county", state="OH", city="Toledo", visa_j1="yes", img_percent=40,
                 status="interviewed", interview_date=__import__("datetime").datetime(2026, 11, 2, 9))
    with app.app_context():
        season_id = db.session.scalar(sa.select(Season.id).where(Season.current.is_(True)))
    page = client.get(f"/seasons/{season_id}/analysis").get_data(as_text=True)
    assert "7 applications" in page and "1 interview invitations (14%)" in page
    assert "Reach programs gave no interviews (6 applications)" in page
    assert "You applied to 7 programs; for your scores and specialties the advice is at least 80." in page
    assert "Only 14% of applications went to county or safety-net programs" in page
    assert "86% of applications went to big coastal cities" in page
    assert "No SOAP list was ready" in page
    assert "<th scope=\"row\">Big coastal cities</th><td>6</td><td>0</td>" in page
