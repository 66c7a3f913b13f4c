"""The grid's layout (columns shown, their order and widths) is kept in the database, so it is the
same on the next visit and in another browser without saving a view

Revision ID: 0019
Revises: 0017
Create Date: 2027-01-20

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'grid_layout',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('state', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('grid_layout')
