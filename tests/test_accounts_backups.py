"""A household server with accounts (TRACKER_ACCOUNTS=1 on SQLite) keeps every account's list, and
every account's password hash, in one database file: no account downloads it, nor the daily copies
of it; the server's administrator backs it up from the shell (tracker backup)."""

from tracker.db import db

from accounts_helpers import make_account, sign_in


def test_an_applicant_can_not_download_the_database_that_holds_everyone(accounts_app):
    make_account(accounts_app, "amal@example.org")
    make_account(accounts_app, "bo@example.org")
    client = accounts_app.test_client()
    sign_in(client, "amal@example.org")
    response = client.get("/backup.sqlite3")
    assert response.status_code == 403
    assert b"bo@example.org" not in response.data and b"argon2" not in response.data
    page = client.get("/backups").get_data(as_text=True)
    assert "tracker backup" in page and "/backup.sqlite3" not in page


def test_nor_a_daily_copy_of_it(accounts_app):
    from tracker.backups import backup_to, database_path

    make_account(accounts_app, "amal@example.org")
    folder = accounts_app.instance_path + "/backups"
    import os

    os.makedirs(folder, exist_ok=True)
    with accounts_app.app_context():
        backup_to(database_path(db.engine), folder + "/residency-tracker-2026-07-01.sqlite3")
    client = accounts_app.test_client()
    sign_in(client, "amal@example.org")
    assert "residency-tracker-2026-07-01" not in client.get("/backups").get_data(as_text=True)
    assert client.get("/backups/residency-tracker-2026-07-01.sqlite3").status_code == 403


def test_the_one_person_tracker_still_downloads_its_database(client):
    assert client.get("/backup.sqlite3").status_code == 200
