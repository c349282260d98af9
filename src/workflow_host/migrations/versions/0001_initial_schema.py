"""Initial schema, with triggers that keep the audit log append-only.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "process_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column("catalog_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_version")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_process_version_content_hash")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=True),
        sa.Column("supervisor", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
    )
    op.create_table(
        "instance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("process_id", sa.String(length=128), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.String(length=128), nullable=True),
        sa.Column("meta_json", sa.Text(), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.Column("audit_head", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["process_version.id"], name=op.f("fk_instance_version_id_process_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance")),
    )
    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instance_case_no"), ["case_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_instance_next_due_at"), ["next_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_instance_process_id"), ["process_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_instance_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_instance_version_id"), ["version_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_user_account_unit_id_unit")),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_user_account")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "version_file",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["process_version.id"], name=op.f("fk_version_file_version_id_process_version")
        ),
        sa.PrimaryKeyConstraint("version_id", "path", name=op.f("pk_version_file")),
    )
    op.create_table(
        "version_process",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("documentation", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"], ["process_version.id"], name=op.f("fk_version_process_version_id_process_version")
        ),
        sa.PrimaryKeyConstraint("version_id", "process_id", name=op.f("pk_version_process")),
    )
    with op.batch_alter_table("version_process", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_version_process_process_id"), ["process_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"], ["user_account.username"], name=op.f("fk_api_token_username_user_account")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_api_token")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_username"), ["username"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_hash", sa.String(length=64), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instance.id"], name=op.f("fk_audit_event_instance_id_instance")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("instance_id", "seq", name=op.f("uq_audit_event_instance_id")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_type"), ["type"], unique=False)

    op.create_table(
        "inbox_task",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=128), nullable=False),
        sa.Column("element_id", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("lane", sa.String(length=64), nullable=True),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("case_no", sa.String(length=128), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completed_by", sa.String(length=64), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["instance.id"], name=op.f("fk_inbox_task_instance_id_instance")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_task")),
    )
    with op.batch_alter_table("inbox_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_task_claimed_by"), ["claimed_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_task_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_task_due_at"), ["due_at"], unique=False)
        batch_op.create_index("ix_inbox_task_instance_status", ["instance_id", "status"], unique=False)

    op.create_table(
        "instance_state_row",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instance.id"], name=op.f("fk_instance_state_row_instance_id_instance")
        ),
        sa.PrimaryKeyConstraint("instance_id", "key", name=op.f("pk_instance_state_row")),
    )
    op.create_table(
        "user_role",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["user_account.username"], name=op.f("fk_user_role_username_user_account")
        ),
        sa.PrimaryKeyConstraint("username", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "inbox_candidate",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=140), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["inbox_task.id"], name=op.f("fk_inbox_candidate_task_id_inbox_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", "key", name=op.f("pk_inbox_candidate")),
    )
    with op.batch_alter_table("inbox_candidate", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_candidate_key_task", ["key", "task_id"], unique=False)

    _audit_append_only()


def _audit_append_only() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit events are append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{action.lower()} BEFORE {action} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse_change()")
    with op.batch_alter_table("inbox_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_candidate_key_task")

    op.drop_table("inbox_candidate")
    op.drop_table("user_role")
    op.drop_table("instance_state_row")
    with op.batch_alter_table("inbox_task", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_task_instance_status")
        batch_op.drop_index(batch_op.f("ix_inbox_task_due_at"))
        batch_op.drop_index(batch_op.f("ix_inbox_task_created_at"))
        batch_op.drop_index(batch_op.f("ix_inbox_task_claimed_by"))

    op.drop_table("inbox_task")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_type"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor"))

    op.drop_table("audit_event")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_username"))

    op.drop_table("api_token")
    with op.batch_alter_table("version_process", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_version_process_process_id"))

    op.drop_table("version_process")
    op.drop_table("version_file")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_unit_id"))

    op.drop_table("user_account")
    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instance_version_id"))
        batch_op.drop_index(batch_op.f("ix_instance_status"))
        batch_op.drop_index(batch_op.f("ix_instance_process_id"))
        batch_op.drop_index(batch_op.f("ix_instance_next_due_at"))
        batch_op.drop_index(batch_op.f("ix_instance_case_no"))

    op.drop_table("instance")
    op.drop_table("unit")
    op.drop_table("process_version")
