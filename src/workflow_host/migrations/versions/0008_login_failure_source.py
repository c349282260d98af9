"""Failed sign-ins are counted per source address too, so one guesser cannot lock a user out everywhere.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # failures recorded before have no source; they still count for the username (at most 15 minutes more)
    op.add_column("login_failure", sa.Column("address", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login_failure") as batch:
        batch.drop_column("address")
