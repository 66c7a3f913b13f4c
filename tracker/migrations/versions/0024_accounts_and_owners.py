"""Accounts for a hosted tracker (applicants, mentors, administrators), mentors' access by
invitation, sign-in attempts (the rate limit), and an owner on every row of an applicant's data

Existing rows get no owner: they are the one-person tracker's (tracker.tenancy). Season years,
saved views' names and remembered import mappings become unique per owner.

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0022'
branch_labels = None
depends_on = None

NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
# Tables that keep SQLite's AUTOINCREMENT (0013) when a batch rebuilds them
AUTOINCREMENT = {'program', 'change', 'undo_step', 'import_batch'}
OWNED = ('season', 'program', 'change', 'mentor_comment', 'undo_step', 'profile', 'rule_set', 'grid_layout',
         'import_batch', 'import_mapping', 'saved_view')
# table -> (the column unique on its own until now, the new per-owner constraint)
PER_OWNER = {'season': ('year', 'uq_season_owner_year'),
             'saved_view': ('name', 'uq_saved_view_owner_name'),
             'import_mapping': ('signature', 'uq_import_mapping_owner_signature')}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _batch(table: str):
    kwargs = {"sqlite_autoincrement": True} if _sqlite() and table in AUTOINCREMENT else {}
    return op.batch_alter_table(table, schema=None, table_kwargs=kwargs, naming_convention=NAMING,
                                recreate="always" if _sqlite() and table in PER_OWNER else "auto")


def _unique_name(table: str, column: str) -> str:
    """The name of the unique constraint on ``table.column`` (SQLite's has none: NAMING gives it one)."""
    if _sqlite():
        return f"uq_{table}_{column}"
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if constraint['column_names'] == [column]:
            return constraint['name']
    raise RuntimeError(f"{table}.{column} has no unique constraint to drop")


def upgrade():
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('session_key', sa.String(length=32), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('calendar_token', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('calendar_token'),
    sa.UniqueConstraint('email')
    )
    op.create_table('mentor_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['account.id'], name='fk_mentor_access_applicant_id_account',
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['account.id'], name='fk_mentor_access_mentor_id_account',
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('mentor_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_access_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_access_mentor_id'), ['mentor_id'], unique=False)
    op.create_table('sign_in_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=True),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_attempt_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_attempt_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_attempt_email'), ['email'], unique=False)

    for table in OWNED:
        with _batch(table) as batch_op:
            batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
            batch_op.create_index(f'ix_{table}_owner_id', ['owner_id'], unique=False)
            batch_op.create_foreign_key(f'fk_{table}_owner_id_account', 'account', ['owner_id'], ['id'],
                                        ondelete='CASCADE')
            if table in PER_OWNER:
                column, name = PER_OWNER[table]
                batch_op.drop_constraint(_unique_name(table, column), type_='unique')
                batch_op.create_unique_constraint(name, ['owner_id', column])


def downgrade():
    # Back to one tracker: the accounts' own rows go with them (the one-person tracker's stay).
    conn = op.get_bind()
    for table in ('mentor_comment', 'change', 'undo_step', 'import_batch', 'import_mapping', 'saved_view',
                  'grid_layout', 'rule_set', 'profile', 'program', 'season'):
        conn.execute(sa.text(f"DELETE FROM {table} WHERE owner_id IS NOT NULL"))
    for table in reversed(OWNED):
        with _batch(table) as batch_op:
            if table in PER_OWNER:
                column, name = PER_OWNER[table]
                batch_op.drop_constraint(name, type_='unique')
                batch_op.create_unique_constraint(f"uq_{table}_{column}", [column])
            batch_op.drop_constraint(f'fk_{table}_owner_id_account', type_='foreignkey')
            batch_op.drop_index(f'ix_{table}_owner_id')
            batch_op.drop_column('owner_id')
    op.drop_table('sign_in_attempt')
    op.drop_table('mentor_access')
    op.drop_table('account')
