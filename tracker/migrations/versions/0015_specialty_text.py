"""A specialty the catalogue can't place is kept as Other with the file's own text beside it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('specialty_text', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('specialty_text')
