"""Accounts, for an administrator of a hosted tracker: make one, reset its password (a temporary
one, shown once, to be changed at the next sign-in), switch it off or on."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..accounts import ROLES, AccountError, create_account, set_password, temporary_password
from ..db import db, write_transaction
from ..models import Account

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def _accounts() -> list[Account]:
    return list(db.session.scalars(sa.select(Account).order_by(Account.role, Account.name, Account.id)))


def _page(code: int = 200, *, message: str | None = None, form=None, handed=None):
    return render_template("accounts/index.html", accounts=_accounts(), roles=ROLES, message=message,
                           form=form or {}, handed=handed), code


@bp.get("")
def index():
    return _page()


@bp.post("")
def create():
    write_transaction()
    password = temporary_password()
    try:
        account = create_account(request.form.get("email", ""), request.form.get("name", ""),
                                 request.form.get("role", ""), password, must_change=True)
    except AccountError as exc:
        db.session.rollback()
        return _page(422, message=exc.message, form=request.form)
    db.session.commit()
    return _page(201, handed=(account, password))


def _account(account_id: int) -> Account:
    return db.get_or_404(Account, account_id, description="There is no such account.")


@bp.post("/<int:account_id>/password")
def reset_password(account_id: int):
    write_transaction()
    account = _account(account_id)
    password = temporary_password()
    set_password(account, password, must_change=True)
    db.session.commit()
    return _page(handed=(account, password))


@bp.post("/<int:account_id>/active")
def set_active(account_id: int):
    from ..auth import signed_in_account

    write_transaction()
    account = _account(account_id)
    active = request.form.get("active") == "yes"
    if not active and account.id == signed_in_account().id:
        db.session.rollback()
        return _page(422, message="You can't switch off your own account.")
    account.active = active
    db.session.commit()
    flash(f"{account.name}'s account is {'on' if active else 'off: it can no longer sign in'}.", "ok")
    return redirect(url_for("accounts.index"))
