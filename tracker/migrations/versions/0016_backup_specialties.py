"""A backup role for target specialties in the profile

The articles advise a smaller number of applications in a backup specialty than in the main
one; the profile now holds which of the applicant's specialties are backups.

Revision ID: 0016
Revises: 0019
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('backup_specialties', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_column('backup_specialties')
