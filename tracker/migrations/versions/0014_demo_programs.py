"""Demo programs are marked as demo, so the grid shows them as such and one action removes them

Existing databases: a program the demo loader created (`tracker demo`, the first `make run`)
is told by its change log, whose creation changes it wrote with the source "demo"; those are
marked. Copies of them made by starting a new season before this revision carry no such mark
(their log says "season", as every copy's does) and stay unmarked.

Revision ID: 0014
Revises: 0013
Create Date: 2027-01-20

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _table_kwargs() -> dict:
    # A rebuilt SQLite table keeps its AUTOINCREMENT (0013): ids are never given twice.
    return {"sqlite_autoincrement": True} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade():
    with op.batch_alter_table('program', schema=None, table_kwargs=_table_kwargs()) as batch_op:
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default=sa.false(), nullable=False))
    program = sa.table("program", sa.column("id", sa.Integer), sa.column("demo", sa.Boolean))
    change = sa.table("change", sa.column("program_id", sa.Integer), sa.column("source", sa.String))
    made_by_the_demo = sa.select(change.c.program_id).where(change.c.source == "demo")
    op.execute(program.update().where(program.c.id.in_(made_by_the_demo)).values(demo=True))


def downgrade():
    with op.batch_alter_table('program', schema=None, table_kwargs=_table_kwargs()) as batch_op:
        batch_op.drop_column('demo')
