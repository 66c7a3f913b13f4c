"""programs and their change log

Revision ID: 0001
Revises: 
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('program',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('specialty', sa.String(length=40), nullable=True),
    sa.Column('track', sa.String(length=40), nullable=True),
    sa.Column('program_code', sa.String(length=20), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=40), nullable=True),
    sa.Column('setting', sa.String(length=40), nullable=True),
    sa.Column('positions', sa.Integer(), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('visa_j1', sa.String(length=7), server_default='unknown', nullable=False),
    sa.Column('visa_h1b', sa.String(length=7), server_default='unknown', nullable=False),
    sa.Column('img_percent', sa.Float(), nullable=True),
    sa.Column('non_us_img_count', sa.Integer(), nullable=True),
    sa.Column('img_origins', sa.String(length=300), nullable=True),
    sa.Column('step1_requirement', sa.String(length=200), nullable=True),
    sa.Column('step2_min', sa.Integer(), nullable=True),
    sa.Column('max_attempts', sa.Integer(), nullable=True),
    sa.Column('yog_limit_years', sa.Integer(), nullable=True),
    sa.Column('usce_required', sa.String(length=40), server_default='unknown', nullable=False),
    sa.Column('mission_tags', sa.Text(), server_default='', nullable=False),
    sa.Column('mission_notes', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=40), server_default='researching', nullable=False),
    sa.Column('email_status', sa.String(length=40), server_default='not_contacted', nullable=False),
    sa.Column('date_applied', sa.Date(), nullable=True),
    sa.Column('signal_sent', sa.String(length=7), server_default='no', nullable=False),
    sa.Column('interview_date', sa.DateTime(), nullable=True),
    sa.Column('thank_you_sent', sa.Date(), nullable=True),
    sa.Column('loi_sent', sa.Date(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program_code')
    )
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_deleted_at'), ['deleted_at'], unique=False)

    op.create_table('change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_program_id'), ['program_id'], unique=False)



def downgrade():
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_program_id'))
        batch_op.drop_index(batch_op.f('ix_change_created_at'))
        batch_op.drop_index(batch_op.f('ix_change_batch_id'))

    op.drop_table('change')
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_deleted_at'))

    op.drop_table('program')
