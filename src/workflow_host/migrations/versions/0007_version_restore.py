"""A version's content may equal an older one's: restoring earlier diagrams makes a new, newest version.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_version") as batch:
        batch.drop_constraint("uq_process_version_content_hash", type_="unique")
        batch.create_index("ix_process_version_content_hash", ["content_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("process_version") as batch:
        batch.drop_index("ix_process_version_content_hash")
        batch.create_unique_constraint("uq_process_version_content_hash", ["content_hash"])
