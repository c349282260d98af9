"""The inbox: my tasks by tab with filters, sort, pages and counts; claim, unclaim, assign; reminders."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ..models import User
from ..services import notifications, task_claims
from ..services.directory import unit_choices
from ..services.errors import Conflict, Forbidden, NotFound, ServiceError
from ..services.inbox import InboxQuery, inbox_page
from .holders import task_holder
from .i18n import _, countdown
from .people import person
from .signin import host, safe_next, signed_in, signed_in_read

__all__ = ["bp", "task_problem"]

bp = Blueprint("inbox", __name__)


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "countdown": lambda due_at, kind: countdown(due_at, kind, host().calendar.current()),
        "task_holder": task_holder,  # who a task is for, wherever a page lists tasks (templates/_holder.html)
    }


@bp.get("/inbox")
@signed_in_read
def inbox(db: Session, user: User) -> str:
    query = InboxQuery.from_args(request.args)
    return render_template(
        "inbox.html",
        user=user,
        page=inbox_page(db, user, query),
        q=query,
        unit_names=dict(unit_choices(db)),
        notifications=notifications.unread_notifications(db, user),
    )


@bp.post("/tasks/<task_id>/claim")
@signed_in
def claim(db: Session, user: User, task_id: str) -> Response:
    return _act(db, lambda: task_claims.claim_task(db, user, task_id), _("You have claimed this task."), task_id)


@bp.post("/tasks/<task_id>/unclaim")
@signed_in
def unclaim(db: Session, user: User, task_id: str) -> Response:
    done = _("The task is back with its unit for anyone to claim.")
    return _act(db, lambda: task_claims.unclaim_task(db, user, task_id), done, task_id)


@bp.post("/tasks/<task_id>/assign")
@signed_in
def assign(db: Session, user: User, task_id: str) -> Response:
    assignee = request.form.get("assignee", "")
    done = _("Assigned to %(name)s.", name=assignee)
    return _act(db, lambda: task_claims.assign_task(db, user, task_id, assignee), done, task_id)


@bp.post("/notifications/<int:notification_id>/read")
@signed_in
def read_notification(db: Session, user: User, notification_id: int) -> Response:
    try:
        with db.begin_nested():
            notifications.mark_read(db, user, notification_id)
    except ServiceError as err:
        flash(task_problem(err), "error")
    return redirect(safe_next(request.form.get("back") or url_for("inbox.inbox")))


def _act(db: Session, action: Any, done: str, task_id: str) -> Response:
    """Run a claim-like action in a savepoint; say what happened; back to where the button was."""
    try:
        with db.begin_nested():
            action()
        flash(done, "success")
    except ServiceError as err:
        flash(task_problem(err), "error")
    return redirect(safe_next(request.form.get("back") or url_for("tasks.task", task_id=task_id)))


def task_problem(err: ServiceError) -> str:
    """What went wrong with a task action, in the user's language."""
    text = err.message

    def who() -> str:  # the service's message ends with a username; people read names
        return person(text.rsplit(" ", 1)[-1])

    if isinstance(err, Conflict):
        if "case was terminated" in text:  # the step waited for the case while it was terminated
            return _("This case was terminated: nothing more is done in it.")
        if "already cancelled" in text:  # its case was terminated, or went on without the step
            return _(
                "This step was withdrawn (the case was terminated or went on without it); it can no longer be done."
            )
        if "completed by" in text:
            return _("Someone else completed this task a moment ago (%(who)s).", who=who())
        if "already" in text:
            return _("This task is already done.")
        if "claimed by" in text:
            return _("This task is claimed by %(who)s.", who=who())
        return _("Someone else changed this task a moment ago; the page shows it as it is now.")
    if isinstance(err, Forbidden):
        return _("This task is claimed by %(who)s.", who=who()) if "claimed by" in text else _("You may not do this.")
    if isinstance(err, NotFound):
        return _("This task does not exist.")
    return _("This could not be done: %(reason)s", reason=text)
