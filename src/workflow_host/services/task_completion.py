"""Saving a draft of a task's form and completing the task: the form checked, the task completed and the case run
to its next wait state and saved, as one step."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ, EngineError, Runtime, now
from ..models import InboxCandidate, InboxTask, Instance, ProcessVersion, User
from .assignment import keys_for_user
from .attachments import check_attachment_values
from .case_deadlines import met_on_errors
from .directory import check_unit_values
from .errors import Conflict, Forbidden, Invalid
from .form_asked import asked_form
from .form_fields import field_label, pointer_parts, ui_widget_fields
from .form_validation import undeclared_field_errors, validate_form_data
from .memo import Memo
from .steps import Case, case_of, lock_case_rows, require_json_object, save_case, step_clock
from .task_reading import require_ready, task_summary
from .versions import form_file

__all__ = ["complete_task", "save_draft"]

_MINE = (
    exists()
    .where(InboxCandidate.task_id == InboxTask.id, InboxCandidate.key.in_(bindparam("keys", expanding=True)))
    .label("mine")
)
_ACTOR_TASK = select(InboxTask, _MINE).where(InboxTask.id == bindparam("task_id"))
# The same with the task's case, locked for the step that completes it: one round trip instead of two. Should the
# lock wait for another step of the case, PostgreSQL reads the case anew but may give the task as it was before;
# what that step changed is caught after (the engine's task no longer ready, the inbox's claim read under the lock).
_ACTOR_CASE = lock_case_rows(
    select(InboxTask, _MINE, Instance, ProcessVersion)
    .join(Instance, Instance.id == InboxTask.instance_id)
    .join(ProcessVersion, ProcessVersion.id == Instance.version_id)
    .where(InboxTask.id == bindparam("task_id"))
)


def _actor_task(session: Session, user: User, task_id: str) -> InboxTask:
    """A ready task the user may complete now, read with the candidate check in one statement."""
    found = session.execute(_ACTOR_TASK, {"task_id": task_id, "keys": keys_for_user(user)}).first()
    return _actor_check(user, task_id, found.InboxTask if found else None, bool(found and found.mine))


def _actor_check(user: User, task_id: str, task: InboxTask | None, mine: bool) -> InboxTask:
    task = require_ready(task, task_id)
    if not mine:
        raise Forbidden("this task is not yours")
    if task.claimed_by not in (None, user.username):
        raise Forbidden(f"this task is claimed by {task.claimed_by}")
    return task


def _actor_case(session: Session, runtime: Runtime, user: User, task_id: str) -> tuple[InboxTask, Case]:
    """A ready task the user may complete now, and its case loaded and locked for the step."""
    found = session.execute(_ACTOR_CASE, {"task_id": task_id, "keys": keys_for_user(user)}).first()
    task = _actor_check(user, task_id, found.InboxTask if found else None, bool(found and found.mine))
    assert found is not None
    return task, case_of(session, runtime, found.Instance, found.ProcessVersion)


def save_draft(session: Session, user: User, task_id: str, data: Any) -> dict[str, Any]:
    """Keep what the user has typed so far, unvalidated, for them or a colleague to finish later."""
    data = require_json_object(data)
    task = _actor_task(session, user, task_id)
    task.draft_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return task_summary(task)


_UNIT_FIELDS: Memo[tuple[str, str], list[str]] = Memo(512)


def _unit_fields(session: Session, version: ProcessVersion, ui_schema: str | None) -> list[str]:
    """The pointers of a form's unit pickers that route the case: a field of the form, or a list of units
    (`/acting_units/*`); a unit inside a record of people (`/attendees/*/unit`) says where someone came from and
    may name the district government itself. Kept per version and form: a version never changes."""
    if not ui_schema:
        return []

    def routing() -> list[str]:
        pointers = ui_widget_fields(form_file(session, version, ui_schema), "unit")
        return [p for p in pointers if p.count("/") == 1 or (p.count("/") == 2 and p.endswith("/*"))]

    return _UNIT_FIELDS.get_or_make((version.content_hash, ui_schema), routing)


def _labelled(schema: Any, error: dict[str, Any]) -> dict[str, Any]:
    """A form error with the title of its field (`label`), for a message that names the field as the form does."""
    if "label" not in error and error["field"] != "/":
        error["label"] = field_label(schema, pointer_parts(error["field"]))
    return error


def complete_task(session: Session, runtime: Runtime, user: User, task_id: str, data: Any) -> dict[str, Any]:
    """Validate the form, complete the task and run the case to its next wait state, as one step."""
    data = require_json_object(data)
    task, case = _actor_case(session, runtime, user, task_id)
    info = case.catalog.user_task(task.process_id, task.element_id)
    if info and info.form_schema:
        schema, ui = asked_form(
            form_file(session, case.version, info.form_schema),
            form_file(session, case.version, info.ui_schema) if info.ui_schema else None,
            json.loads(task.data_json) if task.data_json else case.engine.data,
        )
        errors = (
            undeclared_field_errors(schema, data)
            or validate_form_data(schema, data, ui)
            or check_attachment_values(session, task.instance_id, schema, data)
            or check_unit_values(session, _unit_fields(session, case.version, info.ui_schema), data)
        )
        if not errors and info.deadline_variable and (field := info.deadline_met_on_variable):
            deadline = case.engine.data.get(info.deadline_variable)
            errors = met_on_errors(field, data.get(field), deadline, now().astimezone(LOCAL_TZ).date())
        if errors:
            raise Invalid("the form has errors", errors=[_labelled(schema, {"field": e["path"], **e}) for e in errors])
    with step_clock():
        try:
            case.engine.complete(task_id, data)
        except EngineError as err:
            if err.message == "task is not ready":
                raise Conflict("this task was already completed") from None
            said = {"reason": err.said} if err.said else {}  # what the diagram tells the user, as it wrote it
            raise Invalid(f"the step failed: {err.message}", element_id=err.element_id, **said) from None
        case.completed_task = (task.process_id, task.element_id)
        payload = {"task_id": task_id, "name": task.element_id, "title": task.title, "data": data}
        save_case(session, case, [("task_completed", user.username, payload)], completed=(task_id, user.username))
    # What the case waits for now (what GET /instances/{id} would show), so a client can go on without asking.
    assert case.open_tasks is not None  # set by save_case
    return {
        "instance_id": case.row.id,
        "status": case.row.status,
        "task_id": task_id,
        "tasks": [task_summary(t) for t in case.open_tasks],
    }
