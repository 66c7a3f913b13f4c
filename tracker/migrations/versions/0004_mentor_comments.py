"""Mentor comments on each program (a catalogue field, filled from a returned export)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mentor_comments', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('mentor_comments')

