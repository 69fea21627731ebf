"""accounts security: one-time password reset links and sign-in throttling counters

Revision ID: 0015_accounts_security
Revises: 0014_i18n_job_messages
Create Date: 2026-11-25

`password_reset` holds the SHA-256 of each one-time link an administrator issues. `sign_in_throttle` counts
failed sign-ins per (account, address), per address and per account, so that every web process sees the same
counts; it replaces the account lock (`app_user.failed_logins`, `app_user.locked_until`), with which five wrong
passwords from anybody locked the owner out. SQLite drops the two columns in place (ALTER TABLE … DROP COLUMN,
SQLite ≥ 3.35) instead of rebuilding `app_user`, which other tables reference.
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015_accounts_security"
down_revision: Union[str, Sequence[str], None] = "0014_i18n_job_messages"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_password_reset_user_id_app_user")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["app_user.id"],
                                name=op.f("fk_password_reset_issued_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
    )
    op.create_index(op.f("ix_password_reset_token_hash"), "password_reset", ["token_hash"], unique=True)
    op.create_index(op.f("ix_password_reset_user_id"), "password_reset", ["user_id"], unique=False)
    op.create_table(
        "sign_in_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttle")),
    )
    op.create_index(op.f("ix_sign_in_throttle_key_hash"), "sign_in_throttle", ["key_hash"], unique=True)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE app_user DROP COLUMN failed_logins")
        op.execute("ALTER TABLE app_user DROP COLUMN locked_until")
    else:
        op.drop_column("app_user", "failed_logins")
        op.drop_column("app_user", "locked_until")


def downgrade() -> None:
    op.add_column("app_user", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("app_user", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
    op.drop_index(op.f("ix_sign_in_throttle_key_hash"), table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
    op.drop_index(op.f("ix_password_reset_user_id"), table_name="password_reset")
    op.drop_index(op.f("ix_password_reset_token_hash"), table_name="password_reset")
    op.drop_table("password_reset")
