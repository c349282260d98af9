"""An inbox task keeps every unit and every role it is for, not only the first unit and the lane: a joint act's
task is shown as the task of all its units, and the inbox's unit filter finds it under each of them.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbox_task", sa.Column("units", sa.Text(), nullable=False, server_default=""))
    op.add_column("inbox_task", sa.Column("roles", sa.Text(), nullable=False, server_default=""))
    task = sa.table("inbox_task", sa.column("unit", sa.Text), sa.column("lane", sa.Text),
                    sa.column("units", sa.Text), sa.column("roles", sa.Text))  # fmt: skip
    # tasks stored before knew one unit and one role: they keep what they showed ("\nunit\n", as keys are stored)
    connection = op.get_bind()
    connection.execute(
        sa.update(task).where(task.c.unit.is_not(None)).values(units=sa.literal("\n") + task.c.unit + sa.literal("\n"))
    )
    connection.execute(
        sa.update(task).where(task.c.lane.is_not(None)).values(roles=sa.literal("\n") + task.c.lane + sa.literal("\n"))
    )


def downgrade() -> None:
    with op.batch_alter_table("inbox_task") as batch:
        batch.drop_column("roles")
        batch.drop_column("units")
