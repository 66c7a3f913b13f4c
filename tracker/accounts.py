"""Accounts of a hosted tracker: who may sign in, as what, with which password; the sign-in rate
limit; mentors' invitations. The one-person tracker (SQLite at home) has no accounts.

Passwords are hashed with Argon2id (argon2-cffi, its recommended parameters) and never kept. A
failed sign-in is recorded in the database, so the limit holds across every gunicorn worker:
``SIGN_IN_FAILURES`` failures for one email, or ``ADDRESS_FAILURES`` from one address, within
``SIGN_IN_WINDOW`` refuse more until the oldest of them ages out."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .db import db
from .models import Account, MentorAccess, SignInAttempt, utcnow

ROLES = {"applicant": "Applicant", "mentor": "Mentor", "admin": "Administrator"}
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 200
SIGN_IN_WINDOW = dt.timedelta(minutes=15)
SIGN_IN_FAILURES = 5  # for one email within the window
ADDRESS_FAILURES = 20  # from one address within the window, whatever the emails

_hasher = PasswordHasher()


@functools.cache
def _no_account_hash() -> str:
    """Compared against when the email names no account, so that a wrong email takes as long as a
    wrong password. Made at the first such sign-in, not at import: hashing takes 0.2 s and 64 MB,
    which every `tracker` command and every server start paid for nothing."""
    return _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A refused account change, with the message to show (``field``: the form field it is about)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def normal_email(email: str | None) -> str:
    return (email or "").strip().lower()


def check_new_password(password: str | None) -> str:
    password = password or ""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_CHARS} characters.", "password")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"A password can have at most {MAX_PASSWORD_CHARS} characters.", "password")
    return password


def temporary_password() -> str:
    """A password an administrator hands over once (the account must change it at its next sign-in)."""
    return secrets.token_urlsafe(12)


def account_by_email(email: str) -> Account | None:
    return db.session.scalar(sa.select(Account).where(Account.email == normal_email(email)))


def create_account(email: str, name: str, role: str, password: str, *, must_change: bool = False) -> Account:
    """A new account (the caller commits). Raises AccountError for a taken email or a weak password."""
    email = normal_email(email)
    name = (name or "").strip()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise AccountError("Enter an email address, like name@example.org.", "email")
    if not name or len(name) > 120:
        raise AccountError("Enter a name of at most 120 characters.", "name")
    if role not in ROLES:
        raise AccountError("Choose applicant, mentor or administrator.", "role")
    if account_by_email(email) is not None:
        raise AccountError("An account with that email exists already.", "email")
    account = Account(email=email, name=name, role=role, password_hash=_hasher.hash(check_new_password(password)),
                      session_key=secrets.token_hex(16), must_change_password=must_change)
    db.session.add(account)
    db.session.flush()
    return account


def set_password(account: Account, password: str, *, must_change: bool = False) -> None:
    """Set ``account``'s password and end every session it had (the caller commits)."""
    account.password_hash = _hasher.hash(check_new_password(password))
    account.session_key = secrets.token_hex(16)
    account.must_change_password = must_change


def password_matches(account: Account | None, password: str) -> bool:
    if account is None:
        try:
            _hasher.verify(_no_account_hash(), password or "")
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        _hasher.verify(account.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return True


def wait_before_sign_in(email: str, address: str | None, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long until another sign-in may be tried for ``email`` from ``address``; None: now."""
    now = now or utcnow()
    since = now - SIGN_IN_WINDOW
    failed = sa.select(SignInAttempt.created_at).where(SignInAttempt.succeeded.is_(False),
                                                         SignInAttempt.created_at > since)
    checks = [(failed.where(SignInAttempt.email == normal_email(email)), SIGN_IN_FAILURES)]
    if address:
        checks.append((failed.where(SignInAttempt.address == address), ADDRESS_FAILURES))
    waits = []
    for query, limit in checks:
        times = list(db.session.scalars(query.order_by(SignInAttempt.created_at.desc()).limit(limit)))
        if len(times) >= limit:
            waits.append(times[-1] + SIGN_IN_WINDOW - now)
    return max(waits) if waits else None


def record_sign_in(email: str, address: str | None, succeeded: bool) -> None:
    """Keep the attempt (the caller commits); a success forgets that email's failures."""
    email = normal_email(email)[:254]
    if succeeded:
        db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.email == email))
    db.session.add(SignInAttempt(email=email, address=(address or "")[:45] or None, succeeded=succeeded))
    old = utcnow() - 4 * SIGN_IN_WINDOW
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.created_at < old))


@dataclass(frozen=True)
class SignIn:
    """What a sign-in came to: the account, or the message to show (and how long to wait)."""

    account: Account | None
    message: str | None = None
    wait: dt.timedelta | None = None


def sign_in(email: str, password: str, address: str | None) -> SignIn:
    """Check ``email`` and ``password`` against the accounts, within the rate limit (the caller commits)."""
    if (wait := wait_before_sign_in(email, address)) is not None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        return SignIn(None, f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}, "
                            "or ask an administrator to reset your password.", wait)
    account = account_by_email(email)
    ok = password_matches(account, password) and account is not None and account.active
    record_sign_in(email, address, ok)
    if not ok:
        return SignIn(None, "That email and password do not match an account.")
    account.last_sign_in_at = utcnow()
    return SignIn(account)


# -- mentors' invitations -----------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_mentor(applicant: Account, note: str | None = None) -> tuple[MentorAccess, str]:
    """A new invitation link's access and its secret token (shown once; the caller commits)."""
    token = secrets.token_urlsafe(24)
    access = MentorAccess(applicant_id=applicant.id, token_hash=_token_hash(token),
                          note=(note or "").strip()[:120] or None)
    db.session.add(access)
    db.session.flush()
    return access, token


def invitation(token: str) -> MentorAccess | None:
    """The open (not revoked) invitation ``token`` names, accepted or not."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(MentorAccess).where(MentorAccess.token_hash == _token_hash(token),
                                                           MentorAccess.revoked_at.is_(None)))


def accept_invitation(access: MentorAccess, mentor: Account) -> None:
    if mentor.role != "mentor":
        raise AccountError("Only a mentor account can accept a mentor's invitation. Sign out, then open the "
                           "link again to make one.")
    if access.mentor_id is not None and access.mentor_id != mentor.id:
        raise AccountError("This invitation was accepted by another mentor. Ask the applicant for a new link.")
    access.mentor_id = mentor.id
    access.accepted_at = access.accepted_at or utcnow()


def mentored_applicants(mentor: Account) -> list[Account]:
    """The applicants whose lists ``mentor`` may read now (accepted, not revoked), by name."""
    query = (sa.select(Account).join(MentorAccess, MentorAccess.applicant_id == Account.id)
             .where(MentorAccess.mentor_id == mentor.id, MentorAccess.revoked_at.is_(None),
                    Account.active.is_(True)).distinct().order_by(Account.name, Account.id))
    return list(db.session.scalars(query))


def may_read(mentor: Account, applicant_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(MentorAccess).where(
        MentorAccess.mentor_id == mentor.id, MentorAccess.applicant_id == applicant_id,
        MentorAccess.revoked_at.is_(None))) > 0
