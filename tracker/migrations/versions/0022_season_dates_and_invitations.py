"""The season's calendar on the season table (ERAS opening, programs' review, NRMP registration and
its early deadline, ranking, the rank-list deadline, Match Week, Match Day), and the moment each
interview invitation arrived (program.invited_at)

Existing seasons get the 2026 Match's dates shifted to their year; the 2026 season's are marked
confirmed (the published calendar), any other's "to confirm".

Revision ID: 0022
Revises: 0023
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0023'
branch_labels = None
depends_on = None

DATE_COLUMNS = ('eras_opens', 'programs_review', 'nrmp_opens', 'nrmp_early_deadline', 'ranking_opens',
                'match_week', 'match_day')


def _table_kwargs() -> dict:
    # A rebuilt SQLite table keeps its AUTOINCREMENT (0013): ids are never given twice.
    return {"sqlite_autoincrement": True} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade():
    with op.batch_alter_table('season', schema=None) as batch_op:
        for name in DATE_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('rank_deadline', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('dates_confirmed', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('program', schema=None, table_kwargs=_table_kwargs()) as batch_op:
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(), nullable=True))
    from tracker.season_dates import DEFAULT_YEAR, KEYS, defaults_for

    season = sa.table('season', sa.column('id', sa.Integer), sa.column('year', sa.Integer),
                      sa.column('dates_confirmed', sa.Boolean),
                      *(sa.column(k, sa.DateTime if k == 'rank_deadline' else sa.Date) for k in KEYS))
    bind = op.get_bind()
    for sid, year in bind.execute(sa.select(season.c.id, season.c.year)).all():
        dates = defaults_for(year)
        bind.execute(season.update().where(season.c.id == sid).values(
            dates_confirmed=year == DEFAULT_YEAR, **{k: getattr(dates, k) for k in KEYS}))


def downgrade():
    with op.batch_alter_table('program', schema=None, table_kwargs=_table_kwargs()) as batch_op:
        batch_op.drop_column('invited_at')
    with op.batch_alter_table('season', schema=None) as batch_op:
        batch_op.drop_column('dates_confirmed')
        batch_op.drop_column('rank_deadline')
        for name in reversed(DATE_COLUMNS):
            batch_op.drop_column(name)
