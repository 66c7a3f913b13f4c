"""A mentor's comment written on the live list names its author's account (mentor_comment.author_id),
so that the mentor who wrote it, and only they, may delete it; a deleted account leaves its
comments, unsigned

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mentor_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_mentor_comment_author_id', ['author_id'], unique=False)
        batch_op.create_foreign_key('fk_mentor_comment_author_id_account', 'account', ['author_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('mentor_comment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_mentor_comment_author_id_account', type_='foreignkey')
        batch_op.drop_index('ix_mentor_comment_author_id')
        batch_op.drop_column('author_id')
