"""Logged percentages carry their sign ("0.5%"), since a bare fraction below 1 now reads as a
share (0.45 is 45%): undo must put back the value that was logged

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

PERCENT_FIELDS = ("img_percent",)  # the catalogue's percent fields when this revision was written


def upgrade():
    change = sa.table("change", sa.column("field", sa.String), sa.column("old_value", sa.Text),
                      sa.column("new_value", sa.Text))
    for column in ("old_value", "new_value"):
        value = change.c[column]
        op.execute(change.update()
                   .where(change.c.field.in_(PERCENT_FIELDS), value.is_not(None), value != "",
                          sa.not_(value.like("%\\%", escape="\\")))
                   .values({column: value + "%"}))


def downgrade():
    change = sa.table("change", sa.column("field", sa.String), sa.column("old_value", sa.Text),
                      sa.column("new_value", sa.Text))
    for column in ("old_value", "new_value"):
        value = change.c[column]
        op.execute(change.update()
                   .where(change.c.field.in_(PERCENT_FIELDS), value.like("%\\%", escape="\\"))
                   .values({column: sa.func.rtrim(value, "%")}))
