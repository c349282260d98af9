"""The inbox, and claiming, unclaiming and completing user tasks."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ, EngineError, Runtime, now
from ..models import AuditEvent, InboxCandidate, InboxTask, Instance, ProcessVersion, Unit, User
from .assignment import keys_for_user
from .attachments import check_attachment_values
from .audit import EventSpec, append_events
from .case_deadlines import met_on_errors
from .case_keys import key_list
from .catalog import catalog_of
from .directory import check_unit_values
from .errors import Conflict, Forbidden, Invalid, NotFound
from .form_asked import asked_form
from .form_fields import field_label, pointer_parts, ui_widget_fields
from .form_validation import undeclared_field_errors, validate_form_data
from .inbox_sync import OpenTask, read_open_tasks
from .memo import Memo
from .permissions import READ_ALL
from .steps import Case, case_of, lock_case_rows, require_json_object, save_case, step_clock
from .versions import form_file

__all__ = [
    "assign_task",
    "assignable_users",
    "claim_task",
    "complete_task",
    "earlier_instance_submission",
    "get_task",
    "is_candidate",
    "list_tasks",
    "may_see_draft",
    "may_work_on",
    "next_task_for",
    "open_tasks",
    "previous_submission",
    "save_draft",
    "task_summary",
    "unclaim_task",
]

INBOX_LIMIT = 200


# What the API shows of an inbox row: lists read just these columns (no ORM objects, nothing of the task's data).
_SUMMARY = tuple(getattr(InboxTask, name) for name in OpenTask._fields)


def task_summary(task: Any) -> dict[str, Any]:
    """An inbox row as the API shows it: an `InboxTask`, an `OpenTask`, or a row of the `_SUMMARY` columns."""
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "process_id": task.process_id,
        "name": task.element_id,
        "title": task.title,
        "lane": task.lane,
        "unit": task.unit,
        "units": key_list(task.units),
        "roles": key_list(task.roles),
        "case_no": task.case_no,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "due_kind": task.due_kind,
        "due_provisional": bool(task.due_provisional),
        "claimed_by": task.claimed_by,
        "created_at": task.created_at.isoformat(),
    }


def open_tasks(session: Session, instance_id: int) -> list[dict[str, Any]]:
    """A case's ready tasks, oldest first, as the API shows them."""
    return [task_summary(t) for t in read_open_tasks(session, instance_id)]


def list_tasks(session: Session, user: User, limit: int = INBOX_LIMIT, offset: int = 0) -> list[dict[str, Any]]:
    """The user's ready tasks: unclaimed ones they may take and those they claimed; soonest due first."""
    candidate = select(InboxCandidate.task_id).where(
        InboxCandidate.task_id == InboxTask.id, InboxCandidate.key.in_(keys_for_user(user))
    )
    query = (
        select(*_SUMMARY)
        .where(InboxTask.status == "ready", exists(candidate))
        .where((InboxTask.claimed_by.is_(None)) | (InboxTask.claimed_by == user.username))
        .order_by(InboxTask.due_at.is_(None), InboxTask.due_at, InboxTask.created_at, InboxTask.id)
        .limit(limit)
        .offset(offset)
    )
    return [task_summary(t) for t in session.execute(query)]


def _inbox_row(session: Session, task_id: str) -> InboxTask:
    """A ready task; NotFound for an unknown id, Conflict for one that is already done."""
    return _require_ready(session.get(InboxTask, task_id), task_id)


def _require_ready(task: InboxTask | None, task_id: str) -> InboxTask:
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    if task.status != "ready":
        who = f" by {task.completed_by}" if task.completed_by else ""
        raise Conflict(f"this task was already {task.status}{who}")
    return task


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
    task = _require_ready(task, task_id)
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


def is_candidate(session: Session, user: User, task: InboxTask) -> bool:
    query = select(exists().where(InboxCandidate.task_id == task.id, InboxCandidate.key.in_(keys_for_user(user))))
    return bool(session.scalar(query))


def may_work_on(session: Session, user: User, task: InboxTask) -> bool:
    """Whether the user may fill in and complete this task now."""
    return task.status == "ready" and is_candidate(session, user, task) and task.claimed_by in (None, user.username)


def next_task_for(session: Session, user: User, instance_id: int) -> str | None:
    """The id of the user's oldest ready task of this case, if any (to go on with after completing one)."""
    candidate = select(InboxCandidate.task_id).where(InboxCandidate.key.in_(keys_for_user(user)))
    return session.scalar(
        select(InboxTask.id)
        .where(InboxTask.instance_id == instance_id, InboxTask.status == "ready", InboxTask.id.in_(candidate))
        .where((InboxTask.claimed_by.is_(None)) | (InboxTask.claimed_by == user.username))
        .order_by(InboxTask.created_at, InboxTask.id)
        .limit(1)
    )


def may_see_draft(session: Session, user: User, task: InboxTask) -> bool:
    """A task's draft is work in progress of its candidates: theirs to see, and auditors' and admins'."""
    return bool(user.role_names & READ_ALL) or is_candidate(session, user, task)


def get_task(session: Session, user: User, task_id: str) -> dict[str, Any]:
    """A task with its form and the case's current data."""
    task = _inbox_row(session, task_id)
    if not may_see_draft(session, user, task):
        raise Forbidden("this task is not yours")
    instance = session.get(Instance, task.instance_id)
    assert instance is not None
    version = session.get(ProcessVersion, instance.version_id)
    assert version is not None
    info = catalog_of(version).user_task(task.process_id, task.element_id)
    data = json.loads(task.data_json or instance.data_json)
    schema, ui_schema = asked_form(
        form_file(session, version, info.form_schema) if info and info.form_schema else None,
        form_file(session, version, info.ui_schema) if info and info.ui_schema else None,
        data,
    )
    return {
        **task_summary(task),
        "instructions": info.instructions if info else None,
        "form": {"schema": schema, "ui_schema": ui_schema, "start_blank": list(info.start_blank) if info else []},
        "data": data,
        "draft": json.loads(task.draft_json) if task.draft_json else None,
        "previous": previous_submission(session, task)
        if info and info.start_from_last and task.status == "ready"
        else None,
    }


def previous_submission(session: Session, task: InboxTask) -> dict[str, Any] | None:
    """What was submitted the last time this step was done in this case, by the same unit: a step done again
    (materials sent back for supplement, a hearing record sent back) whose user task says
    `startFromLastSubmission` starts from it instead of a blank form.
    {"task_id", "data", "completed_at", "completed_by"}, or None when the step is done for the first time."""
    found = _last_submission(session, task)
    return None if found is None or found[1] else found[0]


def earlier_instance_submission(session: Session, task: InboxTask) -> dict[str, Any] | None:
    """What the same unit submitted the last time it did this step before the case went on elsewhere: at a later
    instance, the first instance's (as previous_submission), or None."""
    found = _last_submission(session, task)
    return found[0] if found is not None and found[1] else None


def _last_submission(session: Session, task: InboxTask) -> tuple[dict[str, Any], bool] | None:
    """The last submission of this step by the same unit, and whether the case did another process's step since
    (a later instance's step, not one sent back)."""
    same_unit = InboxTask.unit.is_(None) if task.unit is None else InboxTask.unit == task.unit
    earlier = {
        row.id: row
        for row in session.execute(
            select(InboxTask.id, InboxTask.completed_at, InboxTask.completed_by).where(
                InboxTask.instance_id == task.instance_id,
                InboxTask.process_id == task.process_id,
                InboxTask.element_id == task.element_id,
                InboxTask.status == "completed",
                InboxTask.id != task.id,
                same_unit,
            )
        )
    }
    if not earlier:
        return None
    # the last of them in the case's own order (completion times may be equal under a fixed clock)
    events = session.scalars(
        select(AuditEvent.payload_json)
        .where(
            AuditEvent.instance_id == task.instance_id,
            AuditEvent.type == "task_completed",
            AuditEvent.payload_json.contains(task.element_id),
        )
        .order_by(AuditEvent.seq.desc())
    )
    for payload in map(json.loads, events):
        found = earlier.get(payload.get("task_id"))
        if found is not None and isinstance(payload.get("data"), dict):
            submitted = {
                "task_id": found.id,
                "data": payload["data"],
                "completed_at": found.completed_at.isoformat() if found.completed_at else None,
                "completed_by": found.completed_by,
            }
            return submitted, _left_since(session, task, found.completed_at)
    return None


def _left_since(session: Session, task: InboxTask, since: Any) -> bool:
    """Whether the case did a step of another process after `since`: a send-back stays inside the step's own
    process (defence, hearing, sign-off…), while the same step in a later instance comes after others."""
    if since is None:
        return True
    other = select(InboxTask.id).where(
        InboxTask.instance_id == task.instance_id,
        InboxTask.status == "completed",
        InboxTask.process_id != task.process_id,
        InboxTask.completed_at > since,
    )
    return session.scalar(select(exists(other))) or False


def save_draft(session: Session, user: User, task_id: str, data: Any) -> dict[str, Any]:
    """Keep what the user has typed so far, unvalidated, for them or a colleague to finish later."""
    data = require_json_object(data)
    task = _actor_task(session, user, task_id)
    task.draft_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return task_summary(task)


def _headed_units(session: Session, user: User, task: InboxTask) -> set[str]:
    """The units of the task (every unit of a joint act's) that the user heads."""
    units = key_list(task.units) or ([task.unit] if task.unit else [])
    return set(session.scalars(select(Unit.id).where(Unit.head == user.username, Unit.id.in_(units))))


def assignable_users(session: Session, user: User, task: InboxTask) -> list[User]:
    """The colleagues a unit head may hand this task to: active users of the task's units the head heads who may
    take it."""
    headed = _headed_units(session, user, task)
    if not headed:
        return []
    colleagues = session.scalars(select(User).where(User.unit_id.in_(headed), User.active).order_by(User.username))
    candidates = set(session.scalars(select(InboxCandidate.key).where(InboxCandidate.task_id == task.id)))
    return [c for c in colleagues if set(keys_for_user(c)) & candidates]


def assign_task(session: Session, user: User, task_id: str, assignee: Any) -> dict[str, Any]:
    """A unit head hands one of the unit's ready tasks to a colleague (claimed in the colleague's name)."""
    if not isinstance(assignee, str) or not assignee:
        raise Invalid("'assignee' is required")
    task, instance = _locked_task(session, task_id)
    if not _headed_units(session, user, task):
        raise Forbidden("only the head of the task's unit may assign it")
    chosen = next((u for u in assignable_users(session, user, task) if u.username == assignee), None)
    if chosen is None:
        raise Invalid(f"{assignee} cannot take this task")
    result = session.execute(
        update(InboxTask)
        .where(InboxTask.id == task.id, InboxTask.status == "ready")
        .values(claimed_by=chosen.username)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("someone else changed this task a moment ago")
    payload = {"task_id": task.id, "name": task.element_id, "assignee": chosen.username}
    _record(session, instance, ("task_assigned", user.username, payload))
    session.refresh(task)
    return task_summary(task)


def _locked_task(session: Session, task_id: str) -> tuple[InboxTask, Instance]:
    """A ready task and its case's row, locked in the order every step takes them (the case, then its tasks):
    the other order deadlocks against a completion of the same case on PostgreSQL."""
    task = _inbox_row(session, task_id)
    locked = select(Instance).where(Instance.id == task.instance_id).with_for_update()
    instance = session.scalar(locked.execution_options(populate_existing=True))  # its audit head as stored now
    assert instance is not None
    session.refresh(task)  # as it is now that the case is ours: a step may have closed it meanwhile
    return _require_ready(task, task_id), instance


def _set_claim(session: Session, user: User, task_id: str, claim: bool) -> dict[str, Any]:
    """Claim or unclaim in one conditional UPDATE, record it, and return the task."""
    task, instance = _locked_task(session, task_id)
    if not is_candidate(session, user, task):
        raise Forbidden("this task is not yours")
    if claim and task.claimed_by == user.username:
        return task_summary(task)
    expected = None if claim else user.username
    if task.claimed_by != expected:
        who = task.claimed_by
        raise Conflict(f"this task is claimed by {who}" if who else "this task is not claimed")
    owner_is = InboxTask.claimed_by.is_(None) if claim else InboxTask.claimed_by == expected
    result = session.execute(
        update(InboxTask)
        .where(InboxTask.id == task.id, owner_is)
        .values(claimed_by=user.username if claim else None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("someone else changed this task a moment ago")
    payload = {"task_id": task.id, "name": task.element_id}
    _record(session, instance, ("task_claimed" if claim else "task_unclaimed", user.username, payload))
    session.refresh(task)
    return task_summary(task)


def _record(session: Session, instance: Instance, event: EventSpec) -> None:
    version = session.get(ProcessVersion, instance.version_id)
    assert version is not None
    append_events(session, instance, [event], now(), version.content_hash)


def claim_task(session: Session, user: User, task_id: str) -> dict[str, Any]:
    """Take a task so that nobody else works on it."""
    return _set_claim(session, user, task_id, claim=True)


def unclaim_task(session: Session, user: User, task_id: str) -> dict[str, Any]:
    """Give a claimed task back to its candidates."""
    return _set_claim(session, user, task_id, claim=False)


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
