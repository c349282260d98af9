"""Browsers a user signed in from are remembered (a device cookie) and their sign-ins counted per device, so that
guessing from many addresses does not lock the real user out of their own browser.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trusted_device",
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["user_account.username"], name=op.f("fk_trusted_device_username_user_account")
        ),
        sa.PrimaryKeyConstraint("device_hash", name=op.f("pk_trusted_device")),
    )
    op.create_index(op.f("ix_trusted_device_username"), "trusted_device", ["username"], unique=False)
    # failures recorded before came from no trusted device: they keep counting per address and for every address
    op.add_column("login_failure", sa.Column("device", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login_failure") as batch:
        batch.drop_column("device")
    op.drop_index(op.f("ix_trusted_device_username"), table_name="trusted_device")
    op.drop_table("trusted_device")
