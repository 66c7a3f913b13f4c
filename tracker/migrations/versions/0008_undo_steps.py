"""Undo steps: which batch the grid's undo took back, and whether it was redone

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('undo_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('undo_batch_id', sa.String(length=36), nullable=False),
    sa.Column('last_change_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('redone_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('undo_batch_id')
    )
    with op.batch_alter_table('undo_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_undo_step_batch_id'), ['batch_id'], unique=False)


def downgrade():
    with op.batch_alter_table('undo_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_undo_step_batch_id'))
    op.drop_table('undo_step')
