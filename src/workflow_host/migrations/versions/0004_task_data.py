"""The data a user task was opened with, for its form (parallel tasks each have their own).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_task") as batch_op:
        batch_op.add_column(sa.Column("data_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox_task") as batch_op:
        batch_op.drop_column("data_json")
