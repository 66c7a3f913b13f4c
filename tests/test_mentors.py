"""Mentors on a hosted tracker (#21): an applicant's invitation link, shown once; the mentor account it
makes; reading the applicant's list without changing it; revoking; comments on the live list, seen
by the applicant in the grid and on Today."""

import html
import re

import pytest
import sqlalchemy as sa

from tracker.auth import MENTOR_REFUSED
from tracker.changes import create_program
from tracker.db import db
from tracker.models import Account, Change, MentorAccess, MentorComment, Program
from tracker.tenancy import EVERY_OWNER, acting_as

from accounts_helpers import PASSWORD, make_account, sign_in

GARY = "Gary County Medical Center Program (Internal Medicine)"
TOLEDO = "Toledo University Hospital Program (Internal Medicine)"
REFUSED = html.escape(MENTOR_REFUSED)


def own_program(app, owner_id: int, **values) -> int:
    values.setdefault("name", GARY)
    with app.app_context(), acting_as(owner_id):
        program = create_program(values)
        db.session.commit()
        return program.id


def applicant(app, email="amal@example.org", name="Amal"):
    account_id = make_account(app, email, name=name)
    client = app.test_client()
    sign_in(client, email)
    return account_id, client


def invitation_link(client, note="Dr. Okafor") -> str:
    page = client.post("/mentors/invitations", data={"note": note})
    assert page.status_code == 201
    return re.search(r'id="invite-link"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


def make_mentor(app, link: str, email="okafor@example.org", name="Dr. Okafor"):
    """A mentor account made from the invitation link, signed in and reading the list."""
    client = app.test_client()
    response = client.post(path_of(link), data={"name": name, "email": email, "password": PASSWORD,
                                                "again": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    client.token = None  # a new session
    return client


def counts(app) -> dict:
    with app.app_context():
        every = {EVERY_OWNER: True}
        return {model.__name__: db.session.execute(sa.select(sa.func.count()).select_from(model),
                                                   execution_options=every).scalar()
                for model in (Program, Change, MentorComment, Account, MentorAccess)}


def database_state(app) -> tuple:
    """Every program's columns and every logged change, whoever owns them."""
    with app.app_context():
        every = {EVERY_OWNER: True}
        programs = db.session.execute(sa.select(Program.__table__).order_by(Program.id),
                                      execution_options=every).all()
        logged = db.session.execute(sa.select(Change.__table__).order_by(Change.id), execution_options=every).all()
        return [tuple(p) for p in programs], [tuple(c) for c in logged], counts(app)


@pytest.fixture
def amal(accounts_app):
    return applicant(accounts_app)


def test_the_invitation_link_is_shown_once_and_works(accounts_app, amal):
    amal_id, amal_client = amal
    own_program(accounts_app, amal_id)
    link = invitation_link(amal_client)
    assert link.startswith("http://localhost/invite/")
    page = amal_client.get("/mentors").get_data(as_text=True)
    assert link not in page and path_of(link) not in page  # kept hashed: never shown again
    assert "Dr. Okafor" in page and "waiting" in page
    with accounts_app.app_context():
        stored = db.session.scalar(sa.select(MentorAccess.token_hash))
    assert link.rsplit("/", 1)[1] not in stored

    visitor = accounts_app.test_client()
    offer = visitor.get(path_of(link))
    assert offer.status_code == 200
    text = offer.get_data(as_text=True)
    assert "Amal invites you to read their list" in text and "Make a mentor account" in text
    assert "/sign-in?next=/invite/" in text

    mentor = make_mentor(accounts_app, link)
    grid = mentor.get("/?tier=all").get_data(as_text=True)
    assert "Reading <strong>Amal</strong>’s list" in grid and GARY in grid
    listed = amal_client.get("/mentors").get_data(as_text=True)
    assert "accepted by <strong>Dr. Okafor</strong>" in listed


def test_an_unknown_or_revoked_link_is_404_with_a_message(accounts_app, amal):
    _, amal_client = amal
    visitor = accounts_app.test_client()
    unknown = visitor.get("/invite/not-a-real-token")
    assert unknown.status_code == 404 and "This invitation link does not work" in unknown.get_data(as_text=True)
    link = invitation_link(amal_client)
    with accounts_app.app_context():
        access_id = db.session.scalar(sa.select(MentorAccess.id))
    assert amal_client.post(f"/mentors/{access_id}/revoke").status_code == 302
    assert "revoked on" in amal_client.get("/mentors").get_data(as_text=True)
    revoked = visitor.get(path_of(link))
    assert revoked.status_code == 404 and "revoked" in revoked.get_data(as_text=True)
    before = counts(accounts_app)
    made = visitor.post(path_of(link), data={"name": "Late", "email": "late@example.org", "password": PASSWORD,
                                             "again": PASSWORD})
    assert made.status_code == 404 and counts(accounts_app) == before


@pytest.mark.parametrize("form, message", [
    ({"name": "Dr. Okafor", "email": "okafor@example.org", "password": "short", "again": "short"},
     "A password needs at least 10 characters."),
    ({"name": "Dr. Okafor", "email": "okafor@example.org", "password": PASSWORD, "again": PASSWORD + "!"},
     "The two passwords differ; no account was made."),
    ({"name": "", "email": "okafor@example.org", "password": PASSWORD, "again": PASSWORD},
     "Enter a name of at most 120 characters."),
    ({"name": "Dr. Okafor", "email": "not an email", "password": PASSWORD, "again": PASSWORD},
     "Enter an email address, like name@example.org."),
    ({"name": "Dr. Okafor", "email": "amal@example.org", "password": PASSWORD, "again": PASSWORD},
     "An account with that email exists already."),
])
def test_a_refused_mentor_account_is_422_with_its_message_and_nothing_stored(accounts_app, amal, form, message):
    _, amal_client = amal
    link = invitation_link(amal_client)
    before = counts(accounts_app)
    visitor = accounts_app.test_client()
    response = visitor.post(path_of(link), data=form)
    assert response.status_code == 422
    assert html.escape(message) in response.get_data(as_text=True)
    assert counts(accounts_app) == before
    with accounts_app.app_context():
        assert db.session.scalar(sa.select(MentorAccess.mentor_id)) is None
    assert visitor.get("/?tier=all").status_code == 302  # not signed in


def test_a_signed_in_mentor_accepts_with_a_button_and_an_applicant_can_not(accounts_app, amal):
    amal_id, amal_client = amal
    own_program(accounts_app, amal_id)
    make_account(accounts_app, "okafor@example.org", role="mentor", name="Dr. Okafor")
    link = invitation_link(amal_client)
    mentor = accounts_app.test_client()
    sign_in(mentor, "okafor@example.org")
    assert mentor.get("/?tier=all").headers["Location"].endswith("/mentoring")  # nobody shares a list yet
    offer = mentor.get(path_of(link)).get_data(as_text=True)
    assert "Accept and read Amal’s list" in offer
    accepted = mentor.post(path_of(link))
    assert accepted.status_code == 302
    assert GARY in mentor.get("/?tier=all").get_data(as_text=True)

    bilal_id, bilal = applicant(accounts_app, "bilal@example.org", "Bilal")
    other_link = invitation_link(amal_client, note="someone")
    said = bilal.get(path_of(other_link)).get_data(as_text=True)
    assert "Only a mentor account can accept a mentor's invitation" in said
    refused = bilal.post(path_of(other_link))
    assert refused.status_code == 403
    with accounts_app.app_context():
        assert db.session.scalar(sa.select(MentorAccess.mentor_id).order_by(MentorAccess.id.desc()).limit(1)) is None


def test_the_mentor_sees_the_list_read_only(accounts_app, amal):
    amal_id, amal_client = amal
    gary = own_program(accounts_app, amal_id)
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    grid = mentor.get("/?tier=all").get_data(as_text=True)
    assert 'data-readonly="true"' in grid and "data-layout-url" not in grid
    for affordance in ('class="add"', 'id="bulk"', 'id="undo"', 'class="save-view"', 'class="del"',
                       'name="ids"', 'href="/imports"', 'href="/profile"', 'href="/programs/new"'):
        assert affordance not in grid, affordance
    assert 'class="comment-link"' in grid and 'id="comment-dialog"' in grid
    assert 'href="/mentoring"' in grid  # the header's "Reading Amal's list" switches

    own = amal_client.get("/?tier=all").get_data(as_text=True)
    assert 'data-readonly' not in own and 'id="bulk"' in own and 'href="/mentors"' in own

    detail = mentor.get(f"/programs/{gary}").get_data(as_text=True)
    assert "<fieldset disabled" in detail and ">Save</button>" not in detail and "Delete this program" not in detail
    assert 'action="/programs/%d/comments"' % gary in detail


def write_routes(program_id: int, version: int) -> list[tuple[str, dict]]:
    """Every kind of write an applicant makes, as a mentor would try it."""
    return [
        (f"/programs/{program_id}/cells/status", {"value": "applied", "version": version}),
        ("/cells", {"cells": f'[{{"id": {program_id}, "f": "city", "value": "Gary"}}]',
                    "versions": f'{{"{program_id}": {version}}}'}),
        ("/programs", {"name": TOLEDO}),
        ("/programs/new", {"name": TOLEDO}),
        (f"/programs/{program_id}", {"name": "Renamed", "version": version}),
        ("/programs/bulk", {"ids": program_id, "change": "status:applied"}),
        ("/programs/bulk/delete", {"ids": program_id, "confirmed": "1"}),
        (f"/programs/{program_id}/delete", {}),
        ("/programs/demo/delete", {"confirmed": "1"}),
        ("/imports", {}),
        ("/profile", {"visa_needed": "j1"}),
        ("/settings", {}),
        ("/undo", {}),
        ("/redo", {}),
        ("/layout", {"preset": "all"}),
        ("/views", {"name": "Mine", "query": "tier=all"}),
        (f"/today/apply/{program_id}", {"version": version}),
        (f"/today/research/{program_id}", {"version": version, "visa_j1": "yes"}),
        ("/seasons", {}),
        ("/backups", {}),
        ("/accounts", {"name": "X", "email": "x@example.org", "role": "admin"}),
    ]


def test_every_write_a_mentor_posts_is_403_with_the_message_and_changes_nothing(accounts_app, amal):
    amal_id, amal_client = amal
    gary = own_program(accounts_app, amal_id)
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    mentor.get("/?tier=all")
    before = database_state(accounts_app)
    for url, form in write_routes(gary, 1):
        response = mentor.post(url, data=form)
        assert response.status_code == 403, url
        body = response.get_data(as_text=True)
        assert REFUSED in body or "Only an administrator manages accounts." in body, url
    assert database_state(accounts_app) == before


def test_an_htmx_post_from_a_mentor_shows_the_message_in_the_flash_area(accounts_app, amal):
    amal_id, amal_client = amal
    gary = own_program(accounts_app, amal_id)
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    response = mentor.post(f"/programs/{gary}/cells/status", data={"value": "applied", "version": 1},
                           headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#flash"
    assert REFUSED in response.get_data(as_text=True) and 'class="msg msg-error"' in response.get_data(as_text=True)


def test_revoking_ends_the_mentors_access_at_their_next_request(accounts_app, amal):
    amal_id, amal_client = amal
    own_program(accounts_app, amal_id)
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    assert GARY in mentor.get("/?tier=all").get_data(as_text=True)
    with accounts_app.app_context():
        access_id = db.session.scalar(sa.select(MentorAccess.id))
    revoked = amal_client.post(f"/mentors/{access_id}/revoke", follow_redirects=True).get_data(as_text=True)
    assert "Dr. Okafor can no longer read your list." in revoked
    with accounts_app.app_context():
        assert db.session.get(MentorAccess, access_id).revoked_at is not None
    after = mentor.get("/?tier=all")
    assert after.status_code == 302 and after.headers["Location"].endswith("/mentoring")
    page = mentor.get("/mentoring").get_data(as_text=True)
    assert "No applicant shares their list with you now." in page and GARY not in page
    assert mentor.post(f"/mentoring/{amal_id}").status_code == 404


def test_a_mentor_of_one_applicant_can_not_read_anothers_programs(accounts_app, amal):
    amal_id, amal_client = amal
    own_program(accounts_app, amal_id)
    bilal_id, _ = applicant(accounts_app, "bilal@example.org", "Bilal")
    toledo = own_program(accounts_app, bilal_id, name=TOLEDO)
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    assert TOLEDO not in mentor.get("/?tier=all").get_data(as_text=True)
    assert mentor.get(f"/programs/{toledo}").status_code == 404
    assert mentor.post(f"/programs/{toledo}/comments", data={"field": "", "text": "Hi"}).status_code == 404
    chosen = mentor.post(f"/mentoring/{bilal_id}")
    assert chosen.status_code == 404 and "not shared with you" in chosen.get_data(as_text=True)
    with mentor.session_transaction() as session:
        assert session["mentoring"] == amal_id
    with accounts_app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(MentorComment),
                                  execution_options={EVERY_OWNER: True}).scalar() == 0


def test_a_mentor_of_two_applicants_chooses_whose_list_to_read(accounts_app, amal):
    amal_id, amal_client = amal
    own_program(accounts_app, amal_id)
    bilal_id, bilal = applicant(accounts_app, "bilal@example.org", "Bilal")
    own_program(accounts_app, bilal_id, name=TOLEDO)
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    mentor.post(path_of(invitation_link(bilal)))
    page = mentor.get("/mentoring").get_data(as_text=True)
    assert "Read Amal’s list" in page and "Read Bilal’s list" in page
    assert mentor.post(f"/mentoring/{bilal_id}").status_code == 302
    grid = mentor.get("/?tier=all").get_data(as_text=True)
    assert TOLEDO in grid and GARY not in grid and "Reading <strong>Bilal</strong>’s list" in grid


def test_a_mentors_comment_appears_on_the_applicants_grid_and_today(accounts_app, amal):
    amal_id, amal_client = amal
    gary = own_program(accounts_app, amal_id, status="applied")
    own_program(accounts_app, amal_id, name=TOLEDO)
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    added = mentor.post(f"/programs/{gary}/comments", data={"field": "status", "text": "Ask about the J-1 waiver"})
    assert added.status_code == 302
    whole = mentor.post(f"/programs/{gary}/comments", data={"field": "", "text": "A strong fit <b>for you</b>"},
                        headers={"HX-Request": "true", "X-Grid-Columns": "name,status"})
    assert whole.status_code == 200
    assert f'<tr id="p-{gary}"' in whole.get_data(as_text=True) and "note-mark" in whole.get_data(as_text=True)
    with accounts_app.app_context(), acting_as(amal_id):
        stored = db.session.scalars(sa.select(MentorComment).order_by(MentorComment.id)).all()
        mentor_id = db.session.scalar(sa.select(Account.id).where(Account.role == "mentor"))
        assert [(c.field, c.author, c.author_id, c.owner_id, c.text) for c in stored] == [
            ("status", "Dr. Okafor", mentor_id, amal_id, "Ask about the J-1 waiver"),
            (None, "Dr. Okafor", mentor_id, amal_id, "A strong fit <b>for you</b>")]

    grid = amal_client.get("/?tier=all").get_data(as_text=True)
    assert 'title="Dr. Okafor: Ask about the J-1 waiver"' in grid
    assert "Dr. Okafor: A strong fit &lt;b&gt;for you&lt;/b&gt;" in grid
    today = amal_client.get("/today").get_data(as_text=True)
    section = today.split('id="h-mentors"', 1)[1].split("</section>", 1)[0]
    assert "From your mentors" in today and "Ask about the J-1 waiver" in section
    assert "A strong fit &lt;b&gt;for you&lt;/b&gt;" in section and "Dr. Okafor" in section
    assert '<span class="on">Status</span>' in section and '<span class="on">The program</span>' in section
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[\d:]+">\d+ \w{3} \d{4}</time>', section)
    assert f'href="/programs/{gary}#mentor-comments"' in section and TOLEDO not in section
    detail = amal_client.get(f"/programs/{gary}").get_data(as_text=True)
    assert "Mentors' comments (2)" in detail and "Ask about the J-1 waiver" in detail


@pytest.mark.parametrize("form, message", [
    ({"field": "status", "text": "   "}, "Write the comment first; nothing was saved."),
    ({"field": "status", "text": "x" * 2001}, "A comment can have at most 2,000 characters (this one has 2,001)"),
    ({"field": "no_such_column", "text": "Hi"}, "Choose one of the program&#39;s columns"),
])
def test_a_refused_comment_is_422_with_its_message_and_nothing_stored(accounts_app, amal, form, message):
    amal_id, amal_client = amal
    gary = own_program(accounts_app, amal_id)
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    for headers in ({}, {"HX-Request": "true"}):
        response = mentor.post(f"/programs/{gary}/comments", data=form, headers=headers)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert counts(accounts_app)["MentorComment"] == 0
    assert mentor.post(f"/programs/{gary}/comments", data={"field": "status", "text": "x" * 2000}).status_code == 302


def test_a_mentor_deletes_only_their_own_comment(accounts_app, amal):
    amal_id, amal_client = amal
    gary = own_program(accounts_app, amal_id)
    okafor = make_mentor(accounts_app, invitation_link(amal_client))
    okafor.post(f"/programs/{gary}/comments", data={"field": "", "text": "Mine"})
    lee = make_mentor(accounts_app, invitation_link(amal_client, "Dr. Lee"), "lee@example.org", "Dr. Lee")
    with accounts_app.app_context(), acting_as(amal_id):
        comment_id = db.session.scalar(sa.select(MentorComment.id))
    page = lee.get(f"/programs/{gary}").get_data(as_text=True)
    assert "Mine" in page and f"/comments/{comment_id}/delete" not in page
    refused = lee.post(f"/comments/{comment_id}/delete")
    assert refused.status_code == 403 and "only the comments you wrote" in refused.get_data(as_text=True)
    assert amal_client.post(f"/comments/{comment_id}/delete").status_code == 403
    assert counts(accounts_app)["MentorComment"] == 1
    assert f"/comments/{comment_id}/delete" in okafor.get(f"/programs/{gary}").get_data(as_text=True)
    assert okafor.post(f"/comments/{comment_id}/delete").status_code == 302
    assert counts(accounts_app)["MentorComment"] == 0


def test_an_applicant_can_not_reach_mentoring_and_a_mentor_can_not_reach_mentors(accounts_app, amal):
    _, amal_client = amal
    refused = amal_client.get("/mentoring")
    assert refused.status_code == 403 and "Only a mentor reads the lists" in refused.get_data(as_text=True)
    assert amal_client.post("/mentoring/1").status_code == 403
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    for response in (mentor.get("/mentors"), mentor.post("/mentors/invitations", data={"note": "x"}),
                     mentor.post("/mentors/1/revoke")):
        assert response.status_code == 403 and "Only an applicant invites mentors" in response.get_data(as_text=True)
    assert counts(accounts_app)["MentorAccess"] == 1


def test_an_applicant_can_not_revoke_anothers_invitation(accounts_app, amal):
    _, amal_client = amal
    invitation_link(amal_client)
    _, bilal = applicant(accounts_app, "bilal@example.org", "Bilal")
    with accounts_app.app_context():
        access_id = db.session.scalar(sa.select(MentorAccess.id))
    assert bilal.post(f"/mentors/{access_id}/revoke").status_code == 404
    with accounts_app.app_context():
        assert db.session.get(MentorAccess, access_id).revoked_at is None


def test_without_accounts_there_are_no_mentors(client):
    assert client.get("/mentors").status_code == 404
    assert client.get("/mentoring").status_code == 404
    assert client.get("/invite/anything").status_code == 404


def test_the_pages_a_mentor_reads_offer_no_form_that_would_be_refused(accounts_app, amal):
    amal_id, amal_client = amal
    gary = own_program(accounts_app, amal_id, status="applied")
    amal_client.get("/?tier=all")
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    with accounts_app.app_context(), acting_as(amal_id):
        from tracker.models import Season

        season_id = db.session.scalar(sa.select(Season.id))
    allowed = ("/sign-out", f"/programs/{gary}/comments", "/mentoring/")
    for url in ("/?tier=all", f"/programs/{gary}", "/today", "/dashboard", "/calendar", "/seasons",
                f"/seasons/{season_id}/dates", f"/seasons/{season_id}/analysis", "/changes", "/cards?tier=all"):
        response = mentor.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        for form in re.findall(r"<form[^>]*>", page):
            if 'method="post"' not in form and "hx-post" not in form:
                continue
            action = re.search(r'action="([^"]*)"', form)
            assert 'id="comment-dialog"' in page and action is None or action.group(1).startswith(allowed), (url, form)
        assert "hx-post" not in page, url
    calendar = mentor.get("/calendar").get_data(as_text=True)
    assert 'id="feed-url"' not in calendar and "/calendar/token" not in calendar


def test_revoking_one_of_two_links_a_mentor_accepted_says_they_still_read_the_list(accounts_app, amal):
    _, amal_client = amal
    mentor = make_mentor(accounts_app, invitation_link(amal_client))
    assert mentor.post(path_of(invitation_link(amal_client, "again"))).status_code == 302
    with accounts_app.app_context():
        first, second = db.session.scalars(sa.select(MentorAccess.id).order_by(MentorAccess.id)).all()
    said = amal_client.post(f"/mentors/{first}/revoke", follow_redirects=True).get_data(as_text=True)
    assert "Dr. Okafor still reads your list through another invitation" in said
    assert mentor.get("/?tier=all").status_code == 200
    said = amal_client.post(f"/mentors/{second}/revoke", follow_redirects=True).get_data(as_text=True)
    assert "Dr. Okafor can no longer read your list." in said
    assert mentor.get("/?tier=all").headers["Location"].endswith("/mentoring")
