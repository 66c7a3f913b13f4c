"""Gold and silver program signals, the applicant's ties to a program, and ERAS's geographic
preference in the profile

A program's signal was yes / no / unknown; ERAS signals have levels, so it becomes none / gold /
silver. A former "yes" becomes "gold" (the one level of a single-level specialty, the stronger
one of a two-level specialty: the applicant may change it to silver), "no" and "unknown" become
"none". The change log keeps its old texts: "yes" and "no" read back as Gold and None.

Revision ID: 0021
Revises: 0016
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0016'
branch_labels = None
depends_on = None


def _table_kwargs() -> dict:
    # A rebuilt SQLite table keeps its AUTOINCREMENT (0013): ids are never given twice.
    return {"sqlite_autoincrement": True} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade():
    with op.batch_alter_table('program', schema=None, table_kwargs=_table_kwargs()) as batch_op:
        batch_op.alter_column('signal_sent', existing_type=sa.String(length=7), type_=sa.String(length=40),
                              server_default='none', existing_nullable=False)
        batch_op.add_column(sa.Column('ties', sa.Text(), server_default='', nullable=False))
    op.execute("UPDATE program SET signal_sent = CASE WHEN signal_sent = 'yes' THEN 'gold' ELSE 'none' END")
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('geo_divisions', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('geo_setting', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_column('geo_setting')
        batch_op.drop_column('geo_divisions')
    op.execute("UPDATE program SET signal_sent = CASE WHEN signal_sent IN ('gold', 'silver') THEN 'yes' ELSE 'no' END")
    with op.batch_alter_table('program', schema=None, table_kwargs=_table_kwargs()) as batch_op:
        batch_op.drop_column('ties')
        batch_op.alter_column('signal_sent', existing_type=sa.String(length=40), type_=sa.String(length=7),
                              server_default='no', existing_nullable=False)
