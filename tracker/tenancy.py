"""Whose rows a request reads and writes.

Every row of an applicant's data (seasons, programs, their change log and comments, the profile,
rules, layout, saved views, imports, undo steps) carries ``owner_id``: the applicant's account, or
None in the one-person tracker (SQLite at home, no accounts). The owner of the moment is ambient:
set once per request by tracker.auth (the signed-in applicant, or the applicant a mentor is
reading), read here.

Two things keep one applicant's rows from another's, whatever a view asks for:
- every ORM statement (select, update, delete, a ``session.get``, a relationship load) is given
  the criterion ``owner_id = <the owner>`` on every owned table it touches (``with_loader_criteria``
  from the session's ``do_orm_execute`` event), so an id from another applicant finds nothing (404);
- a new row takes the owner as its column default, in ORM and Core inserts alike.
Core statements on a bare ``Table`` are not ORM statements: they add ``owner_clause(table)``."""

from __future__ import annotations

import contextlib
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria

_UNSET = object()
_fallback: dict[str, object] = {"owner": None}  # outside any app context (scripts, pure tests)
EVERY_OWNER = "tracker_every_owner"  # an execution option: a statement that spans owners (admin, migrations)


def current_owner() -> int | None:
    """The account whose rows are read and written now (None: the one-person tracker)."""
    from flask import g, has_app_context

    if has_app_context():
        return g.get("owner_id")
    return _fallback["owner"]  # type: ignore[return-value]


class NoOwner(RuntimeError):
    """Something would write an applicant's row with no applicant to own it (accounts on, no one
    signed in, or an administrator): a row nobody owns would be nobody's to see, or everybody's."""


def accounts_mode() -> bool:
    """Accounts are on in this app (tracker.auth): every row of an applicant's data has an owner."""
    from flask import current_app, has_app_context

    return has_app_context() and bool(current_app.config.get("TRACKER_ACCOUNTS"))


def ownerless() -> bool:
    """Accounts are on and this request is no applicant's (a visitor, an administrator): it has no
    list to read or write."""
    return current_owner() is None and accounts_mode()


def require_owner(what: str) -> None:
    """Raise NoOwner when accounts are on and no applicant owns what is about to be written."""
    if ownerless():
        raise NoOwner(f"No applicant to own {what}: with accounts, sign in (or pass --user EMAIL).")


def set_owner(owner_id: int | None) -> None:
    from flask import g

    g.owner_id = owner_id


@contextlib.contextmanager
def acting_as(owner_id: int | None) -> Iterator[None]:
    """Read and write as ``owner_id`` inside the block (the CLI's ``--user``, tests)."""
    from flask import g

    was = g.get("owner_id", _UNSET)
    g.owner_id = owner_id
    try:
        yield
    finally:
        if was is _UNSET:
            g.pop("owner_id", None)
        else:
            g.owner_id = was


class Owned:
    """A mixin: the table's rows belong to an applicant's account (``owner_id``)."""

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:
        table = getattr(cls, "__tablename__", "owned")  # the mixin itself is looked at too
        return mapped_column(
            sa.ForeignKey("account.id", name=f"fk_{table}_owner_id_account", ondelete="CASCADE"),
            index=True, default=current_owner)


def owner_clause(table: sa.Table, owner_id=_UNSET):
    """``table.owner_id`` is the owner's: for Core statements on a bare table."""
    owner = current_owner() if owner_id is _UNSET else owner_id
    return table.c.owner_id.is_(None) if owner is None else table.c.owner_id == owner


def bound_owner_clause(table: sa.Table, owned: bool):
    """``owner_clause`` for a Core statement built once and run for any owner: ``owner_id = :owner``
    (the owner bound when it runs), or with ``owned`` false the one-person tracker's ``IS NULL``."""
    return table.c.owner_id == sa.bindparam("owner") if owned else table.c.owner_id.is_(None)


def _no_owner(cls):
    return cls.owner_id.is_(None)


def _owned_by(owner: int):
    def criterion(cls):
        return cls.owner_id == owner
    return criterion


# The option each owner's statements get, made once per owner: making one analyses its lambda,
# which cost more than the query it filters (a few hundred owners at the most).
_options: dict[int | None, object] = {}


def _criteria(owner: int | None):
    option = _options.get(owner)
    if option is None:
        if len(_options) > 10_000:
            _options.clear()
        option = _options[owner] = with_loader_criteria(
            Owned, _no_owner if owner is None else _owned_by(owner), include_aliases=True,
            track_closure_variables=True)
    return option


@event.listens_for(Session, "do_orm_execute")
def _only_the_owners_rows(state) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(EVERY_OWNER):
        return
    state.statement = state.statement.options(_criteria(current_owner()))
