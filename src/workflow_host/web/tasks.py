"""A task page's routes: the page (instructions, case summary, the form, claim and assign controls; rendered by
`task_page`), its documents, and posting its form to save a draft or complete the task."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from ..models import User
from ..services import attachments, documents, task_completion, task_reading
from ..services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from ..services.form_explain import FormError
from ..services.form_fields import field_label, pointer_parts
from ..services.form_validation import form_errors
from ..services.signed_in import signed_in_values
from .cases import document_response, no_new_papers
from .form_messages import as_form_error, localise_errors
from .form_posted import parse_form, resize_arrays
from .i18n import _
from .inbox import task_problem
from .people import person
from .show_when import without_hidden
from .signin import host, signed_in, signed_in_read
from .task_context import TaskContext
from .task_page import render_task

__all__ = ["bp"]

bp = Blueprint("tasks", __name__)


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
    return render_task(db, user, context, value, {})


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
                return render_task(db, user, ctx, value, {})
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
        return render_task(db, user, ctx, bad.value, localise_errors(bad.errors), 422)
    except Invalid as err:
        checked = _field_errors(err)  # what the service checks beyond the schema: units, the date of a filing
        if checked:
            flash(_("The form has errors; nothing was saved. Correct the fields marked below."), "error")
            return render_task(db, user, ctx, value, localise_errors(checked), 422)
        if err.details.get("reason"):  # the diagram's own words for the user (e.g. a date out of order)
            flash(str(err.details["reason"]), "error")
        else:
            flash(_("This could not be done: %(reason)s", reason=err.message), "error")
        return render_task(db, user, ctx, value, {}, 422)
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
