"""A mentor's Excel comments (cell notes) on a returned export, kept on their program and field;
the applicant's name, printed in the header of every page of the exported workbook

Revision ID: 0017
Revises: 0015
Create Date: 2027-01-20

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mentor_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=True),
        sa.Column('author', sa.String(length=120), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('batch_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['program_id'], ['program.id'], name='fk_mentor_comment_program_id_program',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('mentor_comment', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_comment_program_id', ['program_id'], unique=False)
        batch_op.create_index('ix_mentor_comment_batch_id', ['batch_id'], unique=False)
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_column('full_name')
    with op.batch_alter_table('mentor_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_mentor_comment_batch_id')
        batch_op.drop_index('ix_mentor_comment_program_id')
    op.drop_table('mentor_comment')
