"""Two indexes the tracker's queries don't need are dropped: change.created_at (history and undo
go by change id, which follows time) and program.tier (the grid filters and counts the effective
tier, the override or the computed one; only `tracker init-db`'s one look for programs without a
tier reads it alone). Each cost every write that touched it: each cell save's log entry, and
every tier a recompute rewrote (issue #20).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07

"""
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_change_created_at', table_name='change')
    op.drop_index('ix_program_tier', table_name='program')


def downgrade():
    op.create_index('ix_program_tier', 'program', ['tier'], unique=False)
    op.create_index('ix_change_created_at', 'change', ['created_at'], unique=False)
