"""Seasons: every program belongs to one; program codes are unique within a season

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _match_year(today: dt.date) -> int:
    return today.year + 1 if today.month >= 6 else today.year


def upgrade():
    op.create_table('season',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year')
    )
    # The list so far becomes the season the profile names (or the one under way today).
    conn = op.get_bind()
    year = conn.execute(sa.text("SELECT season_year FROM profile WHERE season_year IS NOT NULL ORDER BY id LIMIT 1")
                        ).scalar() or _match_year(dt.date.today())
    # A bound True: SQLite stores 1, PostgreSQL's boolean column refuses the integer literal.
    conn.execute(sa.text("INSERT INTO season (year, current, created_at) VALUES (:year, :current, :now)"),
                 {"year": year, "current": True, "now": dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)})
    season_id = conn.execute(sa.text("SELECT id FROM season WHERE year = :year"), {"year": year}).scalar()

    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('season_id', sa.Integer(), nullable=True))
    conn.execute(sa.text("UPDATE program SET season_id = :id"), {"id": season_id})
    sqlite = conn.dialect.name == "sqlite"
    # SQLite rebuilds the table (its unique constraint has no name of its own: NAMING gives it one);
    # PostgreSQL alters it in place, and named the constraint itself (program_program_code_key).
    with op.batch_alter_table('program', schema=None, recreate="always" if sqlite else "auto",
                              naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint('uq_program_program_code' if sqlite else _code_constraint(conn), type_='unique')
        batch_op.alter_column('season_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_program_season_id'), ['season_id'], unique=False)
        batch_op.create_unique_constraint('uq_program_season_code', ['season_id', 'program_code'])
        batch_op.create_foreign_key('fk_program_season_id_season', 'season', ['season_id'], ['id'])


def _code_constraint(conn) -> str:
    """The name the database gave the unique constraint on program.program_code (0001 named none)."""
    for constraint in sa.inspect(conn).get_unique_constraints('program'):
        if constraint['column_names'] == ['program_code']:
            return constraint['name']
    raise RuntimeError("program.program_code has no unique constraint to drop")


def downgrade():
    recreate = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
    with op.batch_alter_table('program', schema=None, recreate=recreate, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint('fk_program_season_id_season', type_='foreignkey')
        batch_op.drop_constraint('uq_program_season_code', type_='unique')
        batch_op.drop_index(batch_op.f('ix_program_season_id'))
        batch_op.drop_column('season_id')
        batch_op.create_unique_constraint('uq_program_program_code', ['program_code'])
    op.drop_table('season')
