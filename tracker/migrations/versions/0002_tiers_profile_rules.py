"""Tiers: the applicant profile, the tiering rules, and computed and overridden tiers on programs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step1', sa.String(length=10), nullable=True),
    sa.Column('step1_attempts', sa.Integer(), nullable=True),
    sa.Column('step2_ck', sa.Integer(), nullable=True),
    sa.Column('step2_attempts', sa.Integer(), nullable=True),
    sa.Column('step3', sa.Integer(), nullable=True),
    sa.Column('graduation_year', sa.Integer(), nullable=True),
    sa.Column('usce_months', sa.Integer(), nullable=True),
    sa.Column('observership_months', sa.Integer(), nullable=True),
    sa.Column('us_letters', sa.Integer(), nullable=True),
    sa.Column('languages', sa.String(length=200), nullable=True),
    sa.Column('visa_needed', sa.String(length=5), nullable=True),
    sa.Column('target_specialties', sa.Text(), server_default='', nullable=False),
    sa.Column('season_year', sa.Integer(), nullable=True),
    sa.Column('region_ties', sa.String(length=300), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('rule_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('tier_reasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('tier_override', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('tier_override_reason', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_program_tier'), ['tier'], unique=False)



def downgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_tier'))
        batch_op.drop_column('tier_override_reason')
        batch_op.drop_column('tier_override')
        batch_op.drop_column('tier_reasons')
        batch_op.drop_column('tier')

    op.drop_table('rule_set')
    op.drop_table('profile')
