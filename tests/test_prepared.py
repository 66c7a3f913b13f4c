"""A cell save's statements run on the driver's cursor (tracker.prepared): what they read and what a
save answers with must be what SQLAlchemy itself reads back, for every kind of field."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tracker import fields
from tracker.changes import ValidationFailed, create_program, read_row, save_cell
from tracker.db import db, write_transaction
from tracker.demo import demo_programs
from tracker.models import Change, Program
from tracker.prepared import Prepared

ROW_KEYS = [c.key for c in Program.__table__.c if c.key != "tier_reasons"]


def core_row(program_id: int) -> dict:
    """The row as SQLAlchemy's own execution reads it."""
    table = Program.__table__
    row = db.session.execute(sa.select(*[table.c[k] for k in ROW_KEYS]).where(table.c.id == program_id)).mappings().one()
    return dict(row)


@pytest.fixture
def demo_ids(app):
    with app.app_context():
        programs = [create_program(values, demo=True) for values in list(demo_programs())[:12]]
        db.session.commit()
        return [p.id for p in programs]


def test_a_prepared_read_gives_every_column_as_sqlalchemy_reads_it(app, demo_ids):
    with app.app_context():
        for pid in demo_ids:
            row = read_row(pid)
            assert dict(row) == core_row(pid)
            # the types too: a datetime is a datetime, tags a list, a flag a bool
            assert {k: type(v) for k, v in row.items()} == {k: type(v) for k, v in core_row(pid).items()}
        assert read_row(max(demo_ids) + 100) is None


def _other_value(f: fields.Field, pid: int, demo_ids: list[int]):
    """A valid typed text for ``f`` that differs from what program ``pid`` holds, from another demo program."""
    current = read_row(pid)[f.key]
    for other in demo_ids:
        value = read_row(other)[f.key]
        if value != current and value not in (None, "", []):
            return f.to_text(value)
    return None


def test_every_field_saved_answers_with_the_row_as_it_is_stored(app, demo_ids):
    tried = 0
    with app.app_context():
        for f in fields.FIELDS:
            if f.key not in ROW_KEYS:
                continue
            pid = demo_ids[0]
            typed = _other_value(f, pid, demo_ids)
            if typed is None:
                continue
            write_transaction()
            before = read_row(pid)
            try:
                saved = save_cell(before, f.key, typed.split(", ") if f.kind is fields.Kind.TAGS else typed,
                                  expected_version=before.version)
            except ValidationFailed:
                db.session.rollback()
                continue
            db.session.commit()
            tried += 1
            assert saved.changed, f.key
            assert dict(saved.after) == core_row(pid), f.key
            assert {k: type(v) for k, v in saved.after.items()} == {k: type(v) for k, v in core_row(pid).items()}, f.key
            logged = db.session.scalars(sa.select(Change).where(Change.program_id == pid, Change.field == f.key)
                                        .order_by(Change.id.desc())).first()
            assert logged.new_value == f.to_text(saved.after[f.key]) or None
            assert isinstance(logged.created_at, dt.datetime)
    assert tried >= 20  # most of the catalogue: text, numbers, dates, choices, tags, flags


def test_a_refused_statement_raises_as_sqlalchemy_raises_it_and_writes_nothing(app, demo_ids):
    log = Prepared(sa.insert(Change.__table__).values(program_id=sa.bindparam("pid"), field=None,
                                                      source="edit"))
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Change))
        write_transaction()
        with pytest.raises(sa.exc.IntegrityError):  # field is NOT NULL
            log.execute(db.session.connection(), {"pid": demo_ids[0]})
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Change)) == count
