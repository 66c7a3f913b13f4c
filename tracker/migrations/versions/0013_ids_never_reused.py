"""Ids are never given twice (SQLite AUTOINCREMENT): after `tracker demo --force`, a delete or a
restore, a new program, change, import or undo step never takes an id a tab, an export's change
mark or an undo still holds; the highest row version a deleted or replaced program had is kept
(high_water), so a restore moves every version past it

Revision ID: 0013
Revises: 0012
Create Date: 2027-01-10

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TABLES = ("program", "change", "import_batch", "undo_step")


def _rebuild(autoincrement: bool) -> None:
    # Only SQLite reuses ids (the largest one plus one); other databases' sequences never go back.
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade():
    _rebuild(True)
    op.create_table('high_water',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade():
    op.drop_table('high_water')
    _rebuild(False)
