"""FREIDA's facts an applicant acts on: accepting applications this season, ERAS participation,
interviews conducted last year, % US MD and % DO residents, and when the data was last updated

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepting_applications', sa.String(length=7), server_default='unknown',
                                      nullable=False))
        batch_op.add_column(sa.Column('eras_participation', sa.String(length=7), server_default='unknown',
                                      nullable=False))
        batch_op.add_column(sa.Column('interviews_last_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('data_updated_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('us_md_percent', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('do_percent', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('do_percent')
        batch_op.drop_column('us_md_percent')
        batch_op.drop_column('data_updated_on')
        batch_op.drop_column('interviews_last_year')
        batch_op.drop_column('eras_participation')
        batch_op.drop_column('accepting_applications')
