"""Program signals the applicant may send, per specialty (on the profile)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signal_limits', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_column('signal_limits')
