"""A profile per season: starting a season copies the applicant's profile, so a reapplicant's
analysis can say what changed between cycles

The profile that exists belongs to the current season (or, with none current, to the season of its
season_year; with neither, it stays unattached and is read as the current season's).

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('season_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_profile_season_id'), ['season_id'], unique=False)
        batch_op.create_foreign_key('fk_profile_season_id_season', 'season', ['season_id'], ['id'])
    conn = op.get_bind()
    current = conn.execute(sa.text("SELECT id FROM season WHERE current = :yes ORDER BY id LIMIT 1"),
                           {"yes": True}).scalar()
    for profile_id, year in conn.execute(sa.text("SELECT id, season_year FROM profile ORDER BY id")).all():
        season_id = current
        if season_id is None and year is not None:
            season_id = conn.execute(sa.text("SELECT id FROM season WHERE year = :year"), {"year": year}).scalar()
        if season_id is not None:
            conn.execute(sa.text("UPDATE profile SET season_id = :season WHERE id = :id"),
                         {"season": season_id, "id": profile_id})
            break  # one profile a season: the first one is the tracker's


def downgrade():
    # Back to one profile: the current season's stays, the others go.
    conn = op.get_bind()
    keep = conn.execute(sa.text(
        "SELECT profile.id FROM profile LEFT JOIN season ON season.id = profile.season_id "
        "ORDER BY CASE WHEN season.current = :yes THEN 0 ELSE 1 END, profile.id LIMIT 1"), {"yes": True}).scalar()
    if keep is not None:
        conn.execute(sa.text("DELETE FROM profile WHERE id != :id"), {"id": keep})
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_constraint('fk_profile_season_id_season', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_profile_season_id'))
        batch_op.drop_column('season_id')
