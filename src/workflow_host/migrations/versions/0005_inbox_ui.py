"""What the inbox pages need: drafts, the kind of a task's deadline (and whether it is provisional), and case
attachments.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_task") as batch_op:
        batch_op.add_column(sa.Column("draft_json", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("due_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("due_provisional", sa.Boolean(), nullable=True))
    op.create_index("ix_inbox_task_status_due", "inbox_task", ["status", "due_at"], unique=False)
    op.create_table(
        "attachment_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_attachment_blob")),
    )
    op.create_table(
        "case_attachment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("field", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instance.id"], name=op.f("fk_case_attachment_instance_id_instance")),
        sa.ForeignKeyConstraint(
            ["sha256"], ["attachment_blob.sha256"], name=op.f("fk_case_attachment_sha256_attachment_blob")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachment")),
    )
    op.create_index("ix_case_attachment_instance_sha", "case_attachment", ["instance_id", "sha256"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_attachment_instance_sha", table_name="case_attachment")
    op.drop_table("case_attachment")
    op.drop_table("attachment_blob")
    op.drop_index("ix_inbox_task_status_due", table_name="inbox_task")
    with op.batch_alter_table("inbox_task") as batch_op:
        batch_op.drop_column("due_provisional")
        batch_op.drop_column("due_kind")
        batch_op.drop_column("draft_json")
