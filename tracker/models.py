"""Typed models. Program's columns come from the field catalogue; nothing is declared twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import fields
from .db import db
from .fields import Kind
from .tenancy import Owned
from .tiering import effective_tier


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class TagList(sa.types.TypeDecorator):
    """A list of tag keys stored as one comma-separated text ("global_health,rural")."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str:
        return ",".join(value or ())

    def process_result_value(self, value: str | None, dialect) -> list[str]:
        return [v for v in value.split(",") if v] if value else []


def column_type(f: fields.Field) -> sa.types.TypeEngine:
    return {
        Kind.TEXT: sa.String(f.max_length or 200),
        Kind.LONG_TEXT: sa.Text(),
        Kind.INT: sa.Integer(),
        Kind.PERCENT: sa.Float(),
        Kind.CHOICE: sa.String(40),
        Kind.TRI: sa.String(7),
        Kind.DATE: sa.Date(),
        Kind.DATETIME: sa.DateTime(),
        Kind.URL: sa.String(f.max_length or 500),
        Kind.EMAIL: sa.String(254),
        Kind.TAGS: TagList(),
    }[f.kind]


def _catalogue_column(f: fields.Field):
    empty = f.parse(None) if not f.required else None
    always_set = f.required or f.kind in (Kind.TRI, Kind.TAGS) or empty is not None
    server_default = None
    if f.kind is Kind.TAGS:
        server_default = ""
    elif isinstance(empty, str):
        server_default = empty
    return mapped_column(column_type(f), nullable=not always_set, server_default=server_default)


# Ids a tab, an export's change mark or an undo may still hold are never given again, not after a
# delete nor a restore (tracker.backups raises SQLite's counters to the replaced database's).
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}

# A mixin built from the catalogue: one column per declared field.
CatalogueColumns = type("CatalogueColumns", (), {f.key: _catalogue_column(f) for f in fields.FIELDS})


class Season(Owned, db.Model):
    """An application season, named by its Match year. Every program belongs to one; one is current."""

    __tablename__ = "season"
    __table_args__ = (sa.UniqueConstraint("owner_id", "year", name="uq_season_owner_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    current: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The season's calendar (tracker.season_dates): dates, the rank-list deadline a naive US Eastern time
    eras_opens: Mapped[dt.date | None]
    programs_review: Mapped[dt.date | None]
    nrmp_opens: Mapped[dt.date | None]
    nrmp_early_deadline: Mapped[dt.date | None]
    ranking_opens: Mapped[dt.date | None]
    rank_deadline: Mapped[dt.datetime | None]
    match_week: Mapped[dt.date | None]
    match_day: Mapped[dt.date | None]
    dates_confirmed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @property
    def name(self) -> str:
        return f"{self.year} Match"

    @property
    def dates(self):
        from .season_dates import from_row

        return from_row(self)

    def set_dates(self, dates, confirmed: bool) -> None:
        for key in dates.__dataclass_fields__:
            setattr(self, key, getattr(dates, key))
        self.dates_confirmed = confirmed


class Program(Owned, CatalogueColumns, db.Model):
    __tablename__ = "program"
    # A program code is unique within a season (a new season copies the list, codes and all).
    __table_args__ = (sa.UniqueConstraint("season_id", "program_code", name="uq_program_season_code"),
                      NEVER_REUSED_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(sa.ForeignKey("season.id", name="fk_program_season_id_season"), index=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    # Computed from the program, the profile and the rules (tracker.tiers); not user data, so
    # recomputing it never bumps the version that guards the user's edits.
    # not indexed: the grid filters and counts the effective tier; only `tracker init-db`'s one look for
    # programs without a tier reads it alone
    tier: Mapped[str | None] = mapped_column(sa.String(12))
    tier_reasons: Mapped[list | None] = mapped_column(sa.JSON)
    # A fictional program of the demo list (tracker.demo), and its copies in later seasons: shown
    # as such in the grid and removed together ("Remove the demo programs"). Not user data either.
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    changes: Mapped[list[Change]] = relationship(
        back_populates="program", order_by="Change.id.desc()", lazy="dynamic"
    )

    # Optimistic concurrency: every UPDATE says WHERE version = <the version read> and bumps it.
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Program {self.id} {self.name!r} v{self.version}>"

    @property
    def effective_tier(self) -> str | None:
        return effective_tier(self)


class ProgramRow(dict):
    """A program as one Core statement read or returned it (tracker.changes.save_cell): its columns
    by key, read as attributes too, so the grid's cell renders from it as from a Program."""

    __slots__ = ()

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def effective_tier(self) -> str | None:
        return effective_tier(self)


class Change(Owned, db.Model):
    """One field of one program changed: the log that history and undo read."""

    __tablename__ = "change"
    __table_args__ = (NEVER_REUSED_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"), index=True)
    field: Mapped[str] = mapped_column(sa.String(40))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    # edit, bulk, create, delete, restore (the user's: tracker.undo.UNDOABLE), import, undo, redo, demo, season
    source: Mapped[str] = mapped_column(sa.String(10))
    batch_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    # not indexed: the log is read by program, by batch and by id (which follows time)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    program: Mapped[Program] = relationship(back_populates="changes")

    @property
    def field_label(self) -> str:
        f = fields.BY_KEY.get(self.field)
        return f.label if f else {"deleted_at": "Deleted"}.get(self.field, self.field)

    def shown(self, text: str | None) -> str:
        """A logged value as the grid would show it."""
        f = fields.BY_KEY.get(self.field)
        if f is None or not text:
            return text or ""
        try:
            return f.display(f.parse(text))
        except fields.FieldError:
            return text


class MentorComment(Owned, db.Model):
    """A mentor's comment on one program's field, or on the program as a whole (``field`` None): an
    Excel cell note on a returned export (the note sat on its name or an unmapped column for None;
    ``batch_id`` is the import that brought it, and undoing that import takes it away again), or
    written on the live list by a mentor of a hosted tracker (tracker.views.mentors; ``author_id``)."""

    __tablename__ = "mentor_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        sa.ForeignKey("program.id", name="fk_mentor_comment_program_id_program", ondelete="CASCADE"), index=True)
    field: Mapped[str | None] = mapped_column(sa.String(40))
    author: Mapped[str | None] = mapped_column(sa.String(120))
    # The mentor's account, for a comment written on the live list (a hosted tracker): only they
    # may delete it. None for a cell note an import brought, or when that account is gone.
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id", name="fk_mentor_comment_author_id_account", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    batch_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def field_label(self) -> str:
        f = fields.BY_KEY.get(self.field) if self.field else None
        return f.label if f else "The program"


class UndoStep(Owned, db.Model):
    """One step of the grid's undo stack (tracker.undo): the batch it took back and the batch of
    "undo" changes that did; redone_at is set when redo re-applied it."""

    __tablename__ = "undo_step"
    __table_args__ = (NEVER_REUSED_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(sa.String(36), index=True)  # the batch undone
    undo_batch_id: Mapped[str] = mapped_column(sa.String(36), unique=True)  # its "undo" changes
    # The newest Change.id once the undo was written: an edit after it means there is nothing to redo.
    last_change_id: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    redone_at: Mapped[dt.datetime | None]


class HighWater(db.Model):
    """The highest of something ever given out where the rows that had it may be gone: "version",
    the highest row version of a program deleted for good (`demo --force`) or replaced by a
    restore. A restore moves every version past it (tracker.backups.raise_high_water)."""

    __tablename__ = "high_water"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int]


class Profile(Owned, db.Model):
    """The applicant as they were in one season: starting a season copies it (tracker.seasons), so a
    reapplicant's analysis can say what changed between cycles (tracker.cycles)."""

    __tablename__ = "profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None only for a profile saved before profiles were per season (read as the current season's)
    season_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("season.id", name="fk_profile_season_id_season"), index=True)
    full_name: Mapped[str | None] = mapped_column(sa.String(120))  # printed on the mentor's workbook
    step1: Mapped[str | None] = mapped_column(sa.String(10))  # "pass", "fail" or an old numeric score
    step1_attempts: Mapped[int | None]
    step2_ck: Mapped[int | None]
    step2_attempts: Mapped[int | None]
    step3: Mapped[int | None]
    step3_attempts: Mapped[int | None]
    graduation_year: Mapped[int | None]
    clinical_gap_months: Mapped[int | None]  # the longest stretch without clinical work
    usce_months: Mapped[int | None]  # hands-on
    usce_inpatient_months: Mapped[int | None]  # of the hands-on months
    observership_months: Mapped[int | None]
    us_letters: Mapped[int | None]
    ecfmg_certified: Mapped[str | None] = mapped_column(sa.String(10))  # "yes", "by_ranking" or "later"
    languages: Mapped[str | None] = mapped_column(sa.String(200))
    mission_experience: Mapped[list[str]] = mapped_column(TagList, server_default="", default=list)
    visa_needed: Mapped[str | None] = mapped_column(sa.String(10))  # "J-1", "H-1B", "either" or "none"
    visa_preference: Mapped[str | None] = mapped_column(sa.String(5))  # with "either": "J-1" or "H-1B"
    target_specialties: Mapped[list[str]] = mapped_column(TagList, server_default="", default=list)
    backup_specialties: Mapped[list[str]] = mapped_column(TagList, server_default="", default=list)  # of the targets
    season_year: Mapped[int | None]
    region_ties: Mapped[str | None] = mapped_column(sa.String(300))
    signal_limits: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")  # specialty -> signals
    # ERAS's geographic preference: up to rules.geographic_divisions_max census divisions
    # (tracker.regions.CENSUS_DIVISIONS keys) and a setting ("urban", "suburban", "rural"; None: no preference)
    geo_divisions: Mapped[list[str]] = mapped_column(TagList, server_default="", default=list)
    geo_setting: Mapped[str | None] = mapped_column(sa.String(10))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RuleSet(Owned, db.Model):
    """The tiering rules the user changed from their defaults (tracker.rules.Rules)."""

    __tablename__ = "rule_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    values: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GridLayout(Owned, db.Model):
    """The grid's columns as the person left them (tracker.layout.Layout): one row per tracker."""

    __tablename__ = "grid_layout"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ImportBatch(Owned, db.Model):
    """One file's import: a draft while it is mapped and previewed, then applied (or undone)."""

    __tablename__ = "import_batch"
    __table_args__ = (NEVER_REUSED_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(sa.String(36), unique=True)  # Change.batch_id of its changes
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_file: Mapped[str | None] = mapped_column(sa.String(255))  # in instance/imports, while a draft
    sheet: Mapped[str | None] = mapped_column(sa.String(255))
    header_row: Mapped[int | None]
    mapping: Mapped[dict | None] = mapped_column(sa.JSON)  # column index -> target
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")  # draft, applied, undone
    counts: Mapped[dict | None] = mapped_column(sa.JSON)
    created_ids: Mapped[list | None] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[dt.datetime | None]
    undone_at: Mapped[dt.datetime | None]


class ImportMapping(Owned, db.Model):
    """A column mapping the user confirmed, reused for the next file with the same headers."""

    __tablename__ = "import_mapping"
    __table_args__ = (sa.UniqueConstraint("owner_id", "signature", name="uq_import_mapping_owner_signature"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    signature: Mapped[str] = mapped_column(sa.String(32))
    mapping: Mapped[dict] = mapped_column(sa.JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Account(db.Model):
    """A person who signs in to a hosted tracker (tracker.auth): an applicant (their own lists), a
    mentor (reads the lists of the applicants who invited them, and comments), or an administrator
    (accounts). The one-person tracker has none."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # kept lower-cased
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(12))  # applicant, mentor, admin (tracker.accounts.ROLES)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Changed with the password: a session signed in before a reset (or a sign-out everywhere) ends.
    session_key: Mapped[str] = mapped_column(sa.String(32))
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)  # the feed's secret
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None]


class MentorAccess(db.Model):
    """An applicant's invitation to a mentor, by a link, and the read access it gives once accepted.
    ``token_hash`` is the link's secret, hashed (the link itself is shown once); revoking sets
    ``revoked_at`` and ends the access on the mentor's next request."""

    __tablename__ = "mentor_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("account.id", name="fk_mentor_access_applicant_id_account", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id", name="fk_mentor_access_mentor_id_account", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    note: Mapped[str | None] = mapped_column(sa.String(120))  # whom the applicant meant it for
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class SignInAttempt(db.Model):
    """A sign-in tried (tracker.auth): failures in the last minutes refuse more (rate limit), counted
    in the database so that every gunicorn worker sees the same count."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    address: Mapped[str | None] = mapped_column(sa.String(45), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
