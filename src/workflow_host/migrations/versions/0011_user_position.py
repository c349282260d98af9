"""A user's post (职务: 区长, 局长, 科员 …) as the directory file gives it, for the documents and forms that ask for it.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # users loaded before have no post until the directory is loaded again with one
    op.add_column("user_account", sa.Column("position", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("position")
