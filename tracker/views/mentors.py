"""Mentors of a hosted tracker (tracker.auth, tracker.accounts): an applicant invites one by a link,
shown once, and revokes it; the link makes (or signs in) a mentor account and binds it; a mentor
chooses whose list to read among the applicants who invited them, reads it without changing it,
and comments on its programs, which the applicant then sees in the grid and on Today.

auth lets a mentor post only to this blueprint, so the comment routes are here; each view checks
the role it is for, since auth hands an applicant every blueprint but the administrator's."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import login_user
from markupsafe import Markup

from .. import fields
from ..accounts import (AccountError, accept_invitation, create_account, invitation, invite_mentor,
                        mentored_applicants, may_read)
from ..db import db, write_transaction
from ..models import Account, MentorAccess, MentorComment, Program, utcnow
from ._htmx import flash_error, get_live_program, is_htmx, render_row

bp = Blueprint("mentors", __name__)

MAX_COMMENT_CHARS = 2000
NO_SUCH_LINK = ("This invitation link does not work: it was revoked by the applicant, or it is not the whole "
                "link. Ask them for a new one.")
ONLY_APPLICANTS = ("Only an applicant invites mentors, to read their own list. The applicants who invited you "
                   "are on the Mentoring page.")
ONLY_MENTORS = "Only a mentor reads the lists of the applicants who invited them."


def _account() -> Account:
    """The signed-in account; a tracker without accounts has no mentors (404)."""
    account = g.get("account")
    if account is None:
        abort(404, description="Mentors read an applicant's list on a hosted tracker, with accounts; "
                               "this tracker has none. Export the list for your mentor instead.")
    return account


def _applicant() -> Account:
    account = _account()
    if account.role != "applicant":
        abort(403, description=ONLY_APPLICANTS)
    return account


def _mentor() -> Account:
    account = _account()
    if account.role != "mentor":
        abort(403, description=ONLY_MENTORS)
    return account


# -- the applicant's page: invitations and their mentors ------------------------------------------

def _invitations(applicant: Account) -> list[tuple[MentorAccess, Account | None]]:
    """The applicant's invitations, newest first, each with the mentor who accepted it (or None)."""
    mentor = sa.orm.aliased(Account)
    query = (sa.select(MentorAccess, mentor).outerjoin(mentor, mentor.id == MentorAccess.mentor_id)
             .where(MentorAccess.applicant_id == applicant.id)
             .order_by(MentorAccess.created_at.desc(), MentorAccess.id.desc()))
    return [(access, who) for access, who in db.session.execute(query)]


def _index_page(applicant: Account, code: int = 200, *, link: str | None = None, note: str | None = None,
                message: str | None = None):
    return render_template("mentors/index.html", invitations=_invitations(applicant), link=link, note=note,
                           message=message), code


@bp.get("/mentors")
def index():
    return _index_page(_applicant())


@bp.post("/mentors/invitations")
def invite():
    applicant = _applicant()
    note = request.form.get("note", "").strip()
    if len(note) > 120:
        return _index_page(applicant, 422, message="Say whom the link is for in at most 120 characters; "
                                                   "no link was made.")
    write_transaction()
    access, token = invite_mentor(applicant, note)
    db.session.commit()
    # The token is kept only hashed: this answer is the one place the link is ever shown.
    return _index_page(applicant, 201, link=url_for("mentors.accept", token=token, _external=True),
                       note=access.note)


@bp.post("/mentors/<int:access_id>/revoke")
def revoke(access_id: int):
    applicant = _applicant()
    write_transaction()
    access = db.session.scalar(sa.select(MentorAccess).where(MentorAccess.id == access_id,
                                                             MentorAccess.applicant_id == applicant.id))
    if access is None:
        abort(404, description="There is no such invitation.")
    if access.revoked_at is None:
        access.revoked_at = utcnow()
    db.session.commit()
    who = db.session.get(Account, access.mentor_id) if access.mentor_id else None
    if who is None:
        flash("That invitation link no longer works.", "ok")
    elif may_read(who, applicant.id):  # accepted another of the applicant's links too
        flash(f"That link no longer works, but {who.name} still reads your list through another invitation: "
              "revoke that one too to end it.", "warn")
    else:
        flash(f"{who.name} can no longer read your list.", "ok")
    return redirect(url_for("mentors.index"))


# -- the invitation link ---------------------------------------------------------------------------

def _invitation_or_404(token: str) -> MentorAccess:
    access = invitation(token)
    if access is None:
        abort(404, description=NO_SUCH_LINK)
    applicant = db.session.get(Account, access.applicant_id)
    if applicant is None or not applicant.active:
        abort(404, description=NO_SUCH_LINK)
    return access


def _accept_page(token: str, access: MentorAccess, code: int = 200, *, message: str | None = None, form=None):
    return render_template("mentors/accept.html", token=token, access=access,
                           applicant=db.session.get(Account, access.applicant_id), account=g.get("account"),
                           message=message, form=form or {}), code


def _read(access: MentorAccess, mentor: Account):
    """Into the applicant's list, as ``mentor``, once the invitation is theirs."""
    session["mentoring"] = access.applicant_id
    applicant = db.session.get(Account, access.applicant_id)
    flash(f"You are reading {applicant.name}'s list. You can comment on it; only {applicant.name} changes it.", "ok")
    return redirect(url_for("grid.index"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept(token: str):
    """An invitation link: make a mentor account from it, or accept it as the signed-in mentor."""
    access = _invitation_or_404(token)
    account = g.get("account")
    if request.method == "GET":
        return _accept_page(token, access)
    if account is None:
        return _create_mentor(token, access)
    if account.role != "mentor":
        return _accept_page(token, access, 403, message="Only a mentor account can accept a mentor's invitation. "
                                                        "Sign out, then open the link again to make one.")
    write_transaction()
    access = _invitation_or_404(token)  # read again inside the write: revoked meanwhile, or taken
    try:
        accept_invitation(access, account)
    except AccountError as exc:
        db.session.rollback()
        return _accept_page(token, access, 409, message=exc.message)
    db.session.commit()
    return _read(access, account)


def _create_mentor(token: str, access: MentorAccess):
    form = request.form
    if access.mentor_id is not None:
        return _accept_page(token, access, 409, message="This invitation was accepted already. If it was you, "
                                                        "sign in; otherwise ask the applicant for a new link.")
    write_transaction()
    access = _invitation_or_404(token)
    try:
        if form.get("password", "") != form.get("again", ""):
            raise AccountError("The two passwords differ; no account was made.", "again")
        mentor = create_account(form.get("email", ""), form.get("name", ""), "mentor", form.get("password", ""))
        accept_invitation(access, mentor)
    except AccountError as exc:
        db.session.rollback()
        return _accept_page(token, access, 422, message=exc.message, form=form)
    db.session.commit()
    from ..auth import SignedIn

    session.clear()  # a new session for the new account
    login_user(SignedIn(mentor))
    return _read(access, mentor)


# -- the mentor's page: whose list to read ---------------------------------------------------------

@bp.get("/mentoring")
def mentoring():
    mentor = _mentor()
    applicants = mentored_applicants(mentor)
    if len(applicants) == 1 and g.get("mentoring") is None:
        session["mentoring"] = applicants[0].id
        return redirect(url_for("grid.index"))
    return render_template("mentors/mentoring.html", applicants=applicants)


@bp.post("/mentoring/<int:applicant_id>")
def choose(applicant_id: int):
    mentor = _mentor()
    applicant = db.session.get(Account, applicant_id)
    if applicant is None or not applicant.active or not may_read(mentor, applicant_id):
        abort(404, description="That list is not shared with you (or no longer): an applicant shares theirs "
                               "by sending you an invitation link.")
    session["mentoring"] = applicant_id
    return redirect(url_for("grid.index"))


# -- comments on the live list --------------------------------------------------------------------

def _reading_mentor() -> Account:
    """The mentor commenting, with the applicant whose list they read chosen (auth set the owner)."""
    account = _account()
    if account.role != "mentor":
        abort(403, description="Comments here are a mentor's. Keep your own in the program's Notes.")
    if g.get("mentoring") is None:
        abort(403, description="Choose whose list you are reading first, on the Mentoring page.")
    return account


def _comment_refused(program: Program, message: str):
    db.session.rollback()
    if is_htmx():
        return flash_error(message, 422)
    return render_template("mentors/comment_refused.html", program=program, message=message,
                           form=request.form), 422


@bp.post("/programs/<int:program_id>/comments")
def comment(program_id: int):
    mentor = _reading_mentor()
    write_transaction()
    program = get_live_program(program_id)  # another applicant's id finds nothing: 404 (tracker.tenancy)
    key = request.form.get("field", "").strip()
    text = request.form.get("text", "").strip()
    if key and key not in fields.BY_KEY:
        return _comment_refused(program, "Choose one of the program's columns, or the program as a whole; "
                                         "nothing was saved.")
    if not text:
        return _comment_refused(program, "Write the comment first; nothing was saved.")
    if len(text) > MAX_COMMENT_CHARS:
        return _comment_refused(program, f"A comment can have at most {MAX_COMMENT_CHARS:,} characters (this one "
                                         f"has {len(text):,}); nothing was saved.")
    # On the name: on the program as a whole, as an imported cell note on the name is.
    field = None if key in ("", "name") else key
    db.session.add(MentorComment(program_id=program.id, field=field, text=text, author=mentor.name,
                                 author_id=mentor.id))
    db.session.commit()
    on = fields.get(field).label if field else "the program"
    message = f"Your comment on {on} is added: {program.name}."
    if is_htmx():  # from the grid: its row again, with the comment's mark
        g.pop("mentor_marks", None)
        flash_html = render_template("_flash_oob.html", messages=[("ok", message)])
        return render_row(program, oob=True) + Markup(flash_html)
    flash(message, "ok")
    return redirect(url_for("programs.detail", program_id=program.id) + "#mentor-comments")


@bp.post("/comments/<int:comment_id>/delete")
def delete_comment(comment_id: int):
    mentor = _reading_mentor()
    write_transaction()
    found = db.get_or_404(MentorComment, comment_id, description="There is no such comment.")
    if found.author_id != mentor.id:
        abort(403, description="You can delete only the comments you wrote.")
    program_id = found.program_id
    db.session.delete(found)
    db.session.commit()
    flash("Your comment is deleted.", "ok")
    return redirect(url_for("programs.detail", program_id=program_id) + "#mentor-comments")


def newest_comments(limit: int = 10) -> list[tuple[MentorComment, Program]]:
    """The newest comments mentors wrote on the live list (not an import's cell notes), on programs
    still on it, for Today's "From your mentors"."""
    query = (sa.select(MentorComment, Program).join(Program, Program.id == MentorComment.program_id)
             .where(MentorComment.batch_id.is_(None), Program.deleted_at.is_(None))
             .order_by(MentorComment.created_at.desc(), MentorComment.id.desc()).limit(limit))
    return [(c, p) for c, p in db.session.execute(query)]
