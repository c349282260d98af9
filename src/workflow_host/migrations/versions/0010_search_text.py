"""The case row keeps the words a case is searched by besides its numbers (its plaintiff, the act challenged, who
issued a suggestion and what it is about), so the case list finds "the case of 张某" without reading every case's
data.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.add_column("instance", sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    instance = sa.table("instance", sa.column("id", sa.Integer), sa.column("data_json", sa.Text),
                        sa.column("search_text", sa.Text))  # fmt: skip
    connection = op.get_bind()
    last = 0
    while True:  # in batches by id, so a large table is never held in memory at once
        rows = connection.execute(
            sa.select(instance.c.id, instance.c.data_json).where(instance.c.id > last).order_by(instance.c.id)
            .limit(BATCH)
        ).all()  # fmt: skip
        if not rows:
            break
        texts = [{"row_id": row.id, "text": _text(row.data_json)} for row in rows]
        connection.execute(
            sa.update(instance).where(instance.c.id == sa.bindparam("row_id")).values(search_text=sa.bindparam("text")),
            texts,
        )
        last = rows[-1].id


# What services/case_keys.py computed when this migration was written, kept here as it was: a later change to
# that module must not change what this migration wrote.
NAMES = ("plaintiff", "cause", "issuer", "summary")
LIMIT = 2000


def _text(data_json: str | None) -> str:
    try:
        data = json.loads(data_json or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        return ""
    found = [str(data[name]).strip()[:LIMIT] for name in NAMES if isinstance(data.get(name), str)]
    words = [word.replace("\n", " ") for word in found if word]
    return "\n" + "\n".join(words) + "\n" if words else ""


def downgrade() -> None:
    with op.batch_alter_table("instance") as batch:
        batch.drop_column("search_text")
