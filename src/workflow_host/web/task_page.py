"""The task page rendered: the case summary beside the form, the documents offered, the form's fields with each
error beside its field, the case's last steps, and the claim and assign controls."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent, User
from ..services import attachments, case_view, documents, task_claims, task_reading
from ..services.directory import unit_choices
from ..services.document_offers import drafted_at, task_offers
from .display import DataRow, appearance_row, case_rows
from .formview import build_fields
from .i18n import _, local_datetime, number_label
from .people import person
from .task_context import TaskContext

__all__ = ["render_task"]

SUMMARY = {  # what a person needs of the case beside any step's form
    "case_no",
    "court",
    "plaintiff",
    "cause",
    "defendant",
    "defendant_unit",
    "handling_units",
    "notice_received_on",
    "complaint_served_on",
    "hearing_on",
    "instance_level",
    "outcome",
    # a judicial or procuratorial suggestion's (Art. 11): its number, who issued it, what it says, who answers it
    "document_no",
    "suggestion_kind",
    "issuer",
    "received_on",
    "summary",
    "designated_unit",
    "reply_due_on",
}


def render_task(
    db: Session, user: User, ctx: TaskContext, value: dict[str, Any], errors: dict[str, list[str]], status: int = 200
) -> tuple[str, int]:
    """The task page with `value` in its form and `errors` beside its fields (a form sent back: `status` 422)."""
    fields = build_fields(ctx.schema, ctx.ui, value, unit_choices(db)) if ctx.schema else None
    if fields is not None:
        errors = _attach_errors(fields, errors)
    units = dict(unit_choices(db))
    labels = case_view.data_labels(db, ctx.version, ctx.case.process_id)
    data = json.loads(ctx.case.data_json)
    named, _other = case_rows(data, labels, units)
    html = render_template(
        "task.html",
        user=user,
        task=ctx.task,
        case=ctx.case,
        summary=_summary([row for row in named if row.key in SUMMARY], data) + _appearance(ctx, data, units),
        info=ctx.info,
        fields=fields,
        errors=errors.get("", []),
        may_act=task_reading.may_work_on(db, user, ctx.task),
        colleagues=task_claims.assignable_users(db, user, ctx.task) if ctx.task.status == "ready" else [],
        unit_names=units,
        files={a["sha256"]: a for a in attachments.case_attachments(db, ctx.case.id)},
        offers=task_offers(db, ctx.task) if documents.takes_papers(ctx.case) else [],
        drafted_here=drafted_at(ctx.task),
        previous=_previous_note(ctx.previous),
        earlier=_earlier_steps(db, ctx.case.id, labels, units),
        unsaved=status >= 400,  # a form sent back with errors holds what was typed, and none of it is kept
    )
    return html, status


def _summary(rows: list[DataRow], data: dict[str, Any]) -> list[DataRow]:
    """The case summary beside a form, each value named for its instance once the case has several: every
    instance's number, and an earlier instance's decision as that instance's, not the current one's."""
    numbers = case_view.case_numbers(data)
    history = data.get("instance_history")
    last = history[-1] if isinstance(history, list) and history and isinstance(history[-1], dict) else {}
    earlier = {"first": _("First-instance outcome"), "second": _("Second-instance outcome")}.get(
        str(last.get("instance_level"))
    )
    summary: list[DataRow] = []
    for row in rows:
        if row.key == "case_no" and len(numbers) > 1:
            summary += [DataRow("case_no", number_label(level), number) for level, number in numbers]
        elif row.key == "outcome" and earlier and last.get("instance_level") != data.get("instance_level"):
            summary.append(DataRow("outcome", earlier, row.text))
        else:
            summary.append(row)
    return summary


def _appearance(ctx: TaskContext, data: dict[str, Any], units: dict[str, str]) -> list[DataRow]:
    """At the hearing's steps, who the appearance plan sends (Art. 17: the agents confirm they attend)."""
    row = appearance_row(data, units) if ctx.task.process_id == "hearing" else None
    return [row] if row else []


EARLIER_STEPS = 8


def _earlier_steps(db: Session, case_id: int, labels: Any, units: dict[str, str]) -> list[dict[str, Any]]:
    """The case's last steps done by people, newest first, with what each submitted (labelled as on the case
    page): the opinion a signer gave, the reasons materials were sent back, the grounds of an appeal, for whoever
    acts next to read beside the form."""
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id == case_id, AuditEvent.type == "task_completed")
        .order_by(AuditEvent.seq.desc())
        .limit(EARLIER_STEPS)
    ).all()
    steps = []
    for event in events:
        payload = json.loads(event.payload_json)
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        named, other = case_rows(data, labels, units)
        steps.append(
            {
                "title": payload.get("title") or payload.get("name") or "",
                "who": person(event.actor),
                "at": local_datetime(event.at),
                "rows": named,
                "other": other,
            }
        )
    return steps


def _previous_note(previous: dict[str, Any] | None) -> dict[str, str] | None:
    """Who submitted the values the form starts from, and when (Beijing time), for the page to say so."""
    if previous is None:
        return None
    at = previous["completed_at"]
    return {"who": person(previous["completed_by"]), "at": local_datetime(datetime.fromisoformat(at)) if at else ""}


def _attach_errors(fields: Any, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each field gets its errors; an error of a part the page shows no field for (an option of a list of check
    boxes, a hidden field) goes to the nearest field around it, or to the top of the form. The errors by the
    field they are shown beside."""
    shown: set[str] = set()
    todo = [fields]
    while todo:
        field = todo.pop()
        shown.add(field.dotted)
        todo.extend(field.children)
    placed: dict[str, list[str]] = {}
    for dotted, messages in errors.items():
        at = dotted
        while at and at not in shown:
            at = at.rpartition(".")[0]
        placed.setdefault(at, []).extend(m for m in messages if m not in placed.get(at, []))
    _set_errors(fields, placed)
    return placed


def _set_errors(field: Any, errors: dict[str, list[str]]) -> None:
    field.errors = errors.get(field.dotted, [])
    for child in field.children:
        _set_errors(child, errors)
