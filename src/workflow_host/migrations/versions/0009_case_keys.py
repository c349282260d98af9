"""The case row keeps the units a case concerns and the numbers of its instances, and is indexed by its last
change: the case list filters and searches those small columns instead of every case's whole data. The audit
events are indexed by (actor, instance_id) instead of actor: the cases a person worked on, from the index alone.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from workflow_host.services.case_keys import number_keys, unit_keys

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.add_column("instance", sa.Column("number_keys", sa.Text(), nullable=False, server_default=""))
    op.add_column("instance", sa.Column("unit_keys", sa.Text(), nullable=False, server_default=""))
    op.create_index("ix_instance_updated", "instance", ["updated_at", "id"])
    op.create_index("ix_audit_event_actor_instance", "audit_event", ["actor", "instance_id"])
    op.drop_index("ix_audit_event_actor", table_name="audit_event")
    instance = sa.table(
        "instance", sa.column("id", sa.Integer), sa.column("data_json", sa.Text),
        sa.column("number_keys", sa.Text), sa.column("unit_keys", sa.Text),
    )  # fmt: skip
    connection = op.get_bind()
    last = 0
    while True:  # in batches by id, so a large table is never held in memory at once
        rows = connection.execute(
            sa.select(instance.c.id, instance.c.data_json).where(instance.c.id > last).order_by(instance.c.id)
            .limit(BATCH)
        ).all()  # fmt: skip
        if not rows:
            break
        keys = [{"row_id": row.id, **_keys(row.data_json)} for row in rows]
        connection.execute(
            sa.update(instance).where(instance.c.id == sa.bindparam("row_id"))
            .values(number_keys=sa.bindparam("numbers"), unit_keys=sa.bindparam("units")),
            keys,
        )  # fmt: skip
        last = rows[-1].id


def _keys(data_json: str | None) -> dict[str, str]:
    try:
        data = json.loads(data_json or "{}")
    except ValueError:
        data = {}
    return {"numbers": number_keys(data), "units": unit_keys(data)}


def downgrade() -> None:
    op.create_index("ix_audit_event_actor", "audit_event", ["actor"])
    op.drop_index("ix_audit_event_actor_instance", table_name="audit_event")
    op.drop_index("ix_instance_updated", table_name="instance")
    with op.batch_alter_table("instance") as batch:
        batch.drop_column("unit_keys")
        batch.drop_column("number_keys")
