"""The season's fields: interview format and notes, follow-up date, top choice, SOAP list, outcome

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interview_format', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('interview_notes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('top_choice', sa.String(length=7), server_default='no', nullable=False))
        batch_op.add_column(sa.Column('soap_list', sa.String(length=7), server_default='no', nullable=False))
        batch_op.add_column(sa.Column('outcome', sa.String(length=40), nullable=True))



def downgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('outcome')
        batch_op.drop_column('soap_list')
        batch_op.drop_column('top_choice')
        batch_op.drop_column('follow_up_on')
        batch_op.drop_column('interview_notes')
        batch_op.drop_column('interview_format')

