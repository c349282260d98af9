"""The case row keeps the units a case concerns and the numbers of its instances, and is indexed by its last
change: the case list filters and searches those small columns instead of every case's whole data. The audit
events are indexed by (actor, instance_id) instead of actor: the cases a person worked on, from the index alone.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op

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


# What services/case_keys.py computed when this migration was written, kept here as it was: a later change to
# that module must not change what this migration wrote.
UNIT_NAMES = ("handling_units", "defendant_unit", "acting_units", "entrusting_unit", "successor_unit")
LEVELS = ("first", "second", "retrial")


def _keys(data_json: str | None) -> dict[str, str]:
    try:
        data = json.loads(data_json or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    units: set[str] = set()
    for name in UNIT_NAMES:
        value = data.get(name)
        values = value if isinstance(value, list) else [value]
        units.update(v for v in values if isinstance(v, str))
    numbers = [str(data["case_no"])] if data.get("case_no") else []
    history = data.get("instance_history")
    for entry in history if isinstance(history, list) else []:
        if isinstance(entry, dict) and entry.get("instance_level") in LEVELS and entry.get("case_no"):
            numbers.append(str(entry["case_no"]))
    return {"numbers": _joined(dict.fromkeys(numbers)), "units": _joined(sorted(units))}


def _joined(keys: Iterable[str]) -> str:
    found = [key.replace("\n", " ") for key in keys]
    return "\n" + "\n".join(found) + "\n" if found else ""


def downgrade() -> None:
    op.create_index("ix_audit_event_actor", "audit_event", ["actor"])
    op.drop_index("ix_audit_event_actor_instance", table_name="audit_event")
    op.drop_index("ix_instance_updated", table_name="instance")
    with op.batch_alter_table("instance") as batch:
        batch.drop_column("unit_keys")
        batch.drop_column("number_keys")
