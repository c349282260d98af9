"""A task page: instructions, case summary, the form (draft, complete), claim and assign controls."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent, InboxTask, Instance, ProcessVersion, User
from ..services import (
    attachments,
    case_view,
    documents,
    task_claims,
    task_completion,
    task_reading,
    task_submissions,
)
from ..services.catalog import catalog_of
from ..services.directory import unit_choices
from ..services.document_offers import drafted_at, task_offers
from ..services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from ..services.form_asked import asked_form
from ..services.form_explain import FormError
from ..services.form_fields import field_label, pointer_parts
from ..services.form_start import form_start
from ..services.form_validation import form_errors
from ..services.signed_in import signed_in_values
from ..services.versions import form_file
from .cases import document_response, no_new_papers
from .display import DataRow, appearance_row, case_rows
from .form_messages import as_form_error, localise_errors
from .form_posted import parse_form, resize_arrays
from .formview import build_fields
from .i18n import _, local_datetime, number_label
from .inbox import task_problem
from .people import person
from .show_when import without_hidden
from .signin import host, signed_in, signed_in_read

__all__ = ["bp"]

bp = Blueprint("tasks", __name__)
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
}


class TaskContext:
    """A task with its case, version, user-task info and form files."""

    def __init__(self, db: Session, user: User, task_id: str) -> None:
        task = db.get(InboxTask, task_id)
        if task is None:
            raise NotFound("task")
        self.task = task
        self.case: Instance = case_view.visible_case(db, user, task.instance_id)
        version = db.get(ProcessVersion, self.case.version_id)
        assert version is not None
        self.version = version
        self.info = catalog_of(version).user_task(task.process_id, task.element_id)
        schema = form_file(db, version, self.info.form_schema) if self.info and self.info.form_schema else None
        ui = form_file(db, version, self.info.ui_schema) if self.info and self.info.ui_schema else {}
        schema, ui = asked_form(schema, ui, json.loads(task.data_json or self.case.data_json))
        self.schema: dict[str, Any] | None = schema
        self.ui: dict[str, Any] = ui if isinstance(ui, dict) else {}
        self.previous: dict[str, Any] | None = None  # the last submission the form starts from (start_value)

    def start_value(self, db: Session, with_draft: bool) -> dict[str, Any]:
        """The draft (for those who may see it), or the values the case already holds for the form's fields (but
        those the step registers anew, `startBlank`: an appeal's case number is not the first instance's) and,
        for a step done again, what was submitted the last time for those the case no longer holds (`previous`
        says when and by whom, for the page to tell); beneath them, a defence's certificate and power of attorney
        as the documents would print them, its legal basis and evidence at a later instance, a loss report's
        ruling as recorded (form_start)."""
        if self.task.draft_json and with_draft:
            return dict(json.loads(self.task.draft_json))
        fields = self.schema.get("properties", {}) if self.schema else {}
        blank = set(self.info.start_blank) if self.info else set()
        start = form_start(db, self.task, fields) if self.task.status == "ready" else {}
        # a value the step's preScript emptied (decision_no = '') leaves what the form starts with beneath it
        known = {
            k: v
            for k, v in json.loads(self.task.data_json or "{}").items()
            if k in fields and k not in blank and not (k in start and v in ("", None))
        }
        again = self.info is not None and self.info.start_from_last and self.task.status == "ready" and fields
        previous = task_submissions.previous_submission(db, self.task) if again else None
        if previous is None:
            return {**start, **known}
        earlier = {k: v for k, v in previous["data"].items() if k in fields and k not in known}
        if earlier:
            self.previous = previous
        return {**start, **earlier, **known}


def _context_or_page(db: Session, user: User, task_id: str) -> TaskContext | tuple[str, int]:
    try:
        return TaskContext(db, user, task_id)
    except NotFound:
        return render_template("message.html", user=user, title=_("This task does not exist.")), 404
    except Forbidden:
        return render_template("message.html", user=user, title=_("You may not see this task.")), 403


@bp.get("/tasks/<task_id>")
@signed_in_read
def task(db: Session, user: User, task_id: str) -> Any:
    context = _context_or_page(db, user, task_id)
    if not isinstance(context, TaskContext):
        return context
    value = context.start_value(db, task_reading.may_see_draft(db, user, context.task))
    info = context.info
    if (
        info
        and info.start_from_user
        and not context.task.draft_json
        and task_reading.may_work_on(db, user, context.task)
    ):
        value = signed_in_values(db, user, context.schema, info.start_from_user, value)
    return _render(db, user, context, value, {})


def _render(
    db: Session, user: User, ctx: TaskContext, value: dict[str, Any], errors: dict[str, list[str]], status: int = 200
) -> tuple[str, int]:
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


@bp.get("/tasks/<task_id>/documents/<key>")
@signed_in_read
def document(db: Session, user: User, task_id: str, key: str) -> Response | tuple[str, int]:
    try:
        made = documents.prepare_for_task(db, user, task_id, key, request.args.get("unit") or None)
    except (NotFound, Forbidden):
        abort(404)
    except Conflict:
        return no_new_papers(user)
    return document_response(user, made)


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


class _FormInvalid(Exception):
    def __init__(self, errors: list[FormError], value: dict[str, Any]) -> None:
        super().__init__("the form has errors")
        self.errors = errors
        self.value = value


def _not_ready(task: Any) -> str:
    """Why a task that is no longer ready cannot be sent: someone completed it, or it was withdrawn (its case was
    terminated, or went on without it)."""
    if task.status == "cancelled":
        return _("This step was withdrawn (the case was terminated or went on without it); it can no longer be done.")
    return _("Someone else completed this task a moment ago (%(who)s).", who=person(task.completed_by))


@bp.post("/tasks/<task_id>")
@signed_in
def submit(db: Session, user: User, task_id: str) -> Any:
    context = _context_or_page(db, user, task_id)
    if not isinstance(context, TaskContext):
        return context
    ctx = context
    if ctx.task.status != "ready":
        flash(_not_ready(ctx.task), "error")
        return redirect(url_for("cases.case", instance_id=ctx.case.id))
    if not task_reading.may_work_on(db, user, ctx.task):
        holder = person(ctx.task.claimed_by)
        flash(_("This task is claimed by %(who)s.", who=holder) if holder else _("You may not do this."), "error")
        return redirect(url_for("tasks.task", task_id=task_id))
    action = request.form.get("action", "complete")
    value: dict[str, Any] = {}
    try:
        # Files are kept even when the form has errors (stored once by content; the page lists them as attached).
        value = _posted_value(db, user, ctx)
        with db.begin_nested():
            if action.startswith(("add:", "remove:")):
                value = resize_arrays(value, action)
                task_completion.save_draft(db, user, task_id, value)
                return _render(db, user, ctx, value, {})
            if action == "draft":
                task_completion.save_draft(db, user, task_id, value)
                flash(_("Draft saved."), "success")
                return redirect(url_for("tasks.task", task_id=task_id))
            # what the answers hide is not completed; a page sent back keeps it, as typed without the script
            sent = without_hidden(value, ctx.ui)
            problems = _problems(db, ctx, sent)
            if problems:
                raise _FormInvalid(problems, value)
            task_completion.complete_task(db, host().runtime, user, task_id, sent)
    except _FormInvalid as bad:
        flash(_("The form has errors; nothing was saved. Correct the fields marked below."), "error")
        return _render(db, user, ctx, bad.value, localise_errors(bad.errors), 422)
    except Invalid as err:
        checked = _field_errors(err)  # what the service checks beyond the schema: units, the date of a filing
        if checked:
            flash(_("The form has errors; nothing was saved. Correct the fields marked below."), "error")
            return _render(db, user, ctx, value, localise_errors(checked), 422)
        if err.details.get("reason"):  # the diagram's own words for the user (e.g. a date out of order)
            flash(str(err.details["reason"]), "error")
        else:
            flash(_("This could not be done: %(reason)s", reason=err.message), "error")
        return _render(db, user, ctx, value, {}, 422)
    except ServiceError as err:
        flash(task_problem(err), "error")
        return redirect(url_for("cases.case", instance_id=ctx.case.id))
    flash(_("Done: %(title)s.", title=ctx.task.title), "success")
    next_task = task_reading.next_task_for(db, user, ctx.case.id)
    if next_task:
        return redirect(url_for("tasks.task", task_id=next_task))
    return redirect(url_for("cases.case", instance_id=ctx.case.id))


def _posted_value(db: Session, user: User, ctx: TaskContext) -> dict[str, Any]:
    """The posted form as data; uploaded files are stored first (a file that is refused is a form error)."""
    if not ctx.schema:
        return {}
    refused: list[FormError] = []

    def store(dotted: str, upload: attachments.Upload) -> str:
        try:
            with db.begin_nested():
                return attachments.store_upload(db, ctx.case, user, upload, ctx.task.id, dotted).sha256
        except Invalid as err:
            path, label = "/" + dotted.replace(".", "/"), field_label(ctx.schema, dotted.split("."))
            refused.append(FormError(path, "upload", err.details.get("reason"), err.message, label))
            return ""

    value = parse_form(ctx.schema, ctx.ui, request.form, request.files, store, keep_hidden=True)
    if refused:
        raise _FormInvalid(refused, value)
    return value


def _field_errors(err: Invalid) -> list[FormError]:
    """A service's field errors ({path, field, message, kind, value}) as the page shows them beside the fields."""
    found = err.details.get("errors")
    if not isinstance(found, list):
        return []
    return [as_form_error(e) for e in found if isinstance(e, dict) and isinstance(e.get("path"), str)]


def _problems(db: Session, ctx: TaskContext, value: dict[str, Any]) -> list[FormError]:
    if not ctx.schema:
        return []
    problems = form_errors(ctx.schema, value, ctx.ui)
    for bad in attachments.check_attachment_values(db, ctx.case.id, ctx.schema, value):
        field = bad.get("field") or bad["path"]
        problems.append(
            FormError(field, "attachment", None, bad["message"], field_label(ctx.schema, pointer_parts(field)))
        )
    return problems
