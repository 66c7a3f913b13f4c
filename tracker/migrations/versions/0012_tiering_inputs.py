"""Tiering inputs from the strategy articles, on programs and the profile

Programs: the non-US IMG share; how each requirement is stated (strict, preferred, none) and
when the ECFMG certificate is due. The profile: either visa with a preference, Step 3 attempts,
inpatient USCE months, a clinical gap, the ECFMG certificate, mission experience. Saved rule
sets drop the two defaults this version changes (unknown IMG data is a reach; university-
affiliated community programs are IMG-friendly) where they still hold the old ones, so that
the new defaults reach them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# The defaults this revision changes, as earlier versions stored them with every saved rule set.
OLD_DEFAULTS = {
    "unknown_img_tier": "possible",
    "friendly_settings": ["county", "safety_net", "community", "fqhc"],
}


def upgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('non_us_img_percent', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('step2_min_kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('max_attempts_kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('yog_limit_kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('ecfmg_by', sa.String(length=40), nullable=True))
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step3_attempts', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('clinical_gap_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('usce_inpatient_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ecfmg_certified', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('mission_experience', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('visa_preference', sa.String(length=5), nullable=True))
        batch_op.alter_column('visa_needed', existing_type=sa.String(length=5), type_=sa.String(length=10),
                              existing_nullable=True)

    bind = op.get_bind()
    rule_set = sa.table("rule_set", sa.column("id", sa.Integer), sa.column("values", sa.JSON))
    for row in bind.execute(sa.select(rule_set.c.id, rule_set.c["values"])).all():
        values = row[1] if isinstance(row[1], dict) else json.loads(row[1] or "{}")
        kept = {k: v for k, v in values.items() if not (k in OLD_DEFAULTS and v == OLD_DEFAULTS[k])}
        if kept != values:
            bind.execute(rule_set.update().where(rule_set.c.id == row[0]).values({"values": kept}))


def downgrade():
    profile = sa.table("profile", sa.column("visa_needed", sa.String), sa.column("visa_preference", sa.String))
    op.execute(profile.update().where(profile.c.visa_needed == "either")
               .values(visa_needed=sa.func.coalesce(profile.c.visa_preference, "J-1")))
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.alter_column('visa_needed', existing_type=sa.String(length=10), type_=sa.String(length=5),
                              existing_nullable=True)
        batch_op.drop_column('visa_preference')
        batch_op.drop_column('mission_experience')
        batch_op.drop_column('ecfmg_certified')
        batch_op.drop_column('usce_inpatient_months')
        batch_op.drop_column('clinical_gap_months')
        batch_op.drop_column('step3_attempts')
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('ecfmg_by')
        batch_op.drop_column('yog_limit_kind')
        batch_op.drop_column('max_attempts_kind')
        batch_op.drop_column('step2_min_kind')
        batch_op.drop_column('non_us_img_percent')
