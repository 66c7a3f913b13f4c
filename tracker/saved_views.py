"""Saved views: a name for a grid view's query string (filters, sort, columns, colours)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .db import db
from .models import utcnow
from .tenancy import Owned


class SavedView(Owned, db.Model):
    __tablename__ = "saved_view"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name", name="uq_saved_view_owner_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    query: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def saved_views() -> list[SavedView]:
    return list(db.session.scalars(sa.select(SavedView).order_by(SavedView.name)))


def save_view(name: str, query: str) -> SavedView:
    """Save (or replace) the view called ``name``. The caller commits."""
    existing = db.session.scalar(sa.select(SavedView).where(SavedView.name == name))
    if existing is None:
        existing = SavedView(name=name, query=query)
        db.session.add(existing)
    else:
        existing.query = query
    return existing
