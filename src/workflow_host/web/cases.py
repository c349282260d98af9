"""Starting a case, the case page with its diagram, the case's files and its documents."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from ..models import ProcessVersion, User
from ..services import attachments, case_list, case_view, document_offers, documents, instances, task_reading
from ..services.assignment import unreachable_tasks
from ..services.catalog import catalog_of
from ..services.directory import unit_choices
from ..services.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound, ServiceError
from ..services.history import export_history
from ..services.history_view import HistoryFilters, history_page
from ..services.verification import verify_instance
from ..services.waiting import waiting_for
from .display import case_rows
from .form_messages import upload_problem
from .history_export import worded_csv
from .history_text import event_changes
from .i18n import _
from .parties import parties
from .signin import host, signed_in, signed_in_read
from .waiting_text import waiting_text

__all__ = ["bp"]

bp = Blueprint("cases", __name__)


def may_start_cases(user: User | None) -> bool:
    """Whether `user` may start any process of the newest version: the navigation offers "New case" only then
    (an auditor's or the district head's new-case page would list nothing)."""
    if user is None:
        return False
    page_db = g.get("db")  # the page's own transaction (web.signin), while its view renders
    if page_db is not None:
        return bool(instances.startable_processes(page_db, user))
    with host().database.read_transaction() as db:
        return bool(instances.startable_processes(db, user))


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"may_start_cases": may_start_cases, "waiting_text": waiting_text}


@bp.route("/cases/new", methods=["GET", "POST"])
@signed_in
def new_case(db: Session, user: User) -> Any:
    choices = instances.startable_processes(db, user)
    if request.method == "GET":
        return render_template("new_case.html", user=user, choices=choices)
    process_id = request.form.get("process_id", "")
    if process_id not in {p for p, _name, _part in choices}:
        flash(_("You may not start this process."), "error")
        return render_template("new_case.html", user=user, choices=choices), 403
    try:
        with db.begin_nested():
            started = instances.start_instance(db, host().runtime, user, process_id, {})
    except ServiceError as err:
        flash(_("This could not be done: %(reason)s", reason=err.message), "error")
        return render_template("new_case.html", user=user, choices=choices), 422
    next_task = task_reading.next_task_for(db, user, started["id"])
    if next_task:
        return redirect(url_for("tasks.task", task_id=next_task))
    return redirect(url_for("cases.case", instance_id=started["id"]))


@bp.get("/cases")
@signed_in_read
def cases(db: Session, user: User) -> Any:
    """The cases one may see, newest change first, a page at a time; found by number, plaintiff or subject."""
    text, status = request.args.get("q", "")[:128], request.args.get("status", "")[:32]
    form = {"text": text, "status": status, "statuses": case_list.STATUSES}
    try:
        cursor = case_list.parse_cursor(request.args.get("before", "")[:96])
        page = case_list.list_cases(db, user, case_list.CaseQuery(text, status, cursor))
    except BadRequest:
        problem = _("This list has no such page or status; start again from the newest cases.")
        return render_template("cases.html", user=user, listed=[], page=None, problem=problem, **form), 400
    names: dict[int, dict[str, str]] = {}
    for version_id in {item.row.version_id for item in page.cases}:
        version = db.get(ProcessVersion, version_id)
        if version is not None:
            names[version_id] = {p: info.name for p, info in catalog_of(version).processes.items()}
    unit_names = dict(unit_choices(db))
    listed = [
        {
            "case": item,
            "process": names.get(item.row.version_id, {}).get(item.row.process_id, item.row.process_id),
            "parties": parties(item.data, unit_names),
            "waiting": waiting_text(waiting_for(item.row, item.data, len(item.open_steps))),
        }
        for item in page.cases
    ]
    return render_template("cases.html", user=user, listed=listed, page=page, **form)


@bp.get("/cases/<int:instance_id>")
@signed_in_read
def case(db: Session, user: User, instance_id: int) -> Any:
    return case_response(db, user, instance_id)


def case_response(db: Session, user: User, instance_id: int, status: int = 200, **extra: Any) -> Any:
    """The case page (`extra` for its template: what a refused form sent, to show again), with `status`."""
    try:
        page = case_view.case_page(db, host().runtime, user, instance_id)
    except NotFound:
        return render_template("message.html", user=user, title=_("This case does not exist.")), 404
    except Forbidden:
        return render_template("message.html", user=user, title=_("You may not see this case.")), 403
    units = dict(unit_choices(db))
    named, other = case_rows(page["case"]["data"], page["labels"], units)
    offers = document_offers.case_offers(db, page["row"])
    uploads: dict[str, list[dict[str, Any]]] = {}
    for a in page["attachments"]:
        if (a["field"] or "").startswith(documents.UPLOAD_FIELD):
            uploads.setdefault(a["field"].removeprefix(documents.UPLOAD_FIELD), []).append(a)
    return render_template(
        "case.html",
        user=user,
        unit_names=units,
        named=named,
        other=other,
        offers=offers,
        uploads=uploads,
        takes_papers=documents.takes_papers(page["row"]),
        may_upload=bool(offers) and documents.may_upload(user, page["row"]) and documents.takes_papers(page["row"]),
        unreachable=unreachable_tasks(db, [t.id for t in page["steps"] if t.status == "ready"]),
        **page,
        **extra,
    ), status


@bp.get("/cases/<int:instance_id>/diagram/<process_id>.bpmn")
@signed_in_read
def diagram(db: Session, user: User, instance_id: int, process_id: str) -> Response:
    try:
        xml = case_view.diagram_xml(db, user, instance_id, process_id)
    except (NotFound, Forbidden):
        abort(404)
    return Response(xml, content_type="application/xml; charset=utf-8")


@bp.get("/cases/<int:instance_id>/files/<int:attachment_id>")
@signed_in_read
def download(db: Session, user: User, instance_id: int, attachment_id: int) -> Response:
    try:
        name, content_type, data = attachments.read_attachment(db, user, instance_id, attachment_id)
    except (NotFound, Forbidden):
        abort(404)  # the same answer whether the file is missing or not yours: nothing leaks
    return file_response(name, content_type, data)


def file_response(name: str, content_type: str, data: bytes) -> Response:
    """A file to save, never to show: its name in UTF-8 (and an ASCII stand-in), sandboxed."""
    response = Response(data, content_type=content_type)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.get("/cases/<int:instance_id>/documents/<key>")
@signed_in_read
def document(db: Session, user: User, instance_id: int, key: str) -> Response | tuple[str, int]:
    try:
        made = documents.prepare_for_case(db, user, instance_id, key, request.args.get("unit") or None)
    except (NotFound, Forbidden):
        abort(404)
    except Conflict:
        return no_new_papers(user)
    return document_response(user, made)


def no_new_papers(user: User) -> tuple[str, int]:
    """A terminated case's document asked for (a link of a page opened before): refused, the case says why."""
    return render_template("message.html", user=user, title=no_papers_text()), 409


def no_papers_text() -> str:
    """Why a terminated case offers no document and takes no sealed copy."""
    return _("This case was terminated: it takes no new documents or sealed copies.")


def document_response(user: User, made: documents.Generated) -> Response | tuple[str, int]:
    """A document filled in the page's read transaction, handed out once its generation is recorded in a short
    transaction of its own (the rendering stays outside SQLite's write lock).

    A download another site starts (a link or a script there: the session cookie goes with a top-level GET) is
    refused, so that no other site can add `document_generated` events under the user's name; the browser says
    where a request comes from in `Sec-Fetch-Site`. A link opened from a chat or a mail client has none."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        title = _("Open the document from the case or task page: a download started by another site is refused.")
        return render_template("message.html", user=user, title=title), 403
    with host().database.transaction() as writing:
        documents.record_generation(writing, user, made)
    return file_response(made.filename, documents.DOCX_TYPE, made.data)


@bp.post("/cases/<int:instance_id>/documents")
@signed_in
def upload_document(db: Session, user: User, instance_id: int) -> Any:
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        flash(_("Choose the file to upload."), "error")
        return redirect(url_for("cases.case", instance_id=instance_id, _anchor="documents"))
    upload = attachments.Upload(sent.filename, sent.read())
    try:
        with db.begin_nested():
            documents.upload_signed_copy(db, user, instance_id, request.form.get("document", ""), upload)
    except (NotFound, Forbidden):
        abort(404)
    except Conflict:
        flash(no_papers_text(), "error")
        return case_response(db, user, instance_id, 409)
    except Invalid as err:
        reason = err.details.get("reason")
        if isinstance(reason, str):  # the file's own problem, in the page's words
            name = attachments.clean_name(sent.filename)
            said = _("“%(label)s”: %(problem)s", label=name, problem=upload_problem(reason))
        else:
            said = err.message
        flash(_("This could not be done: %(reason)s", reason=said), "error")
    else:
        flash(_("The sealed copy is kept with the case."), "success")
    return redirect(url_for("cases.case", instance_id=instance_id, _anchor="documents"))


@bp.get("/cases/<int:instance_id>/history")
@signed_in_read
def history(db: Session, user: User, instance_id: int) -> Any:
    filters = HistoryFilters.from_args(request.args)
    at = request.args.get("at", type=int)
    try:
        page = history_page(db, host().runtime, user, instance_id, at, filters)
    except NotFound:
        return render_template("message.html", user=user, title=_("This case does not exist.")), 404
    except Forbidden:
        return render_template("message.html", user=user, title=_("You may not see this case.")), 403
    units = dict(unit_choices(db))
    named, other = case_rows(page.data, page.labels, units)
    return render_template(
        "history.html",
        user=user,
        case=page.case,
        page=page,
        filters=filters,
        named=named,
        other=other,
        unit_names=units,
        changes={entry.event.seq: event_changes(entry.changes, page.labels, units) for entry in page.entries},
    )


@bp.post("/cases/<int:instance_id>/verify")
@signed_in_read
def verify(db: Session, user: User, instance_id: int) -> Any:
    """Check the case's hash chain and replay every step (as `workflow-host audit verify`), then say how it went
    on the history page."""
    try:
        case_view.visible_case(db, user, instance_id)
    except NotFound:
        return render_template("message.html", user=user, title=_("This case does not exist.")), 404
    except Forbidden:
        return render_template("message.html", user=user, title=_("You may not see this case.")), 403
    result = verify_instance(db, host().runtime, instance_id)
    if result["ok"]:
        message = _(
            "Verified: the hash chain of its %(events)s events is unbroken, and replaying its %(steps)s steps gives"
            " every state recorded.",
            events=result["events_checked"],
            steps=result["steps_replayed"],
        )
        flash(message, "success")
    else:
        mismatch = result.get("mismatch") or {}
        message = _(
            "Verification failed at event %(seq)s: %(reason)s. The history may have been altered; keep this page"
            " and tell the administrator.",
            seq=mismatch.get("seq", "?"),
            reason=mismatch.get("reason", ""),
        )
        flash(message, "error")
    return redirect(url_for("cases.history", instance_id=instance_id))


@bp.get("/cases/<int:instance_id>/history/export")
@signed_in_read
def export(db: Session, user: User, instance_id: int) -> Response:
    """The history as a file: CSV in the page's words (Chinese, Beijing time, for Excel) unless `raw=1` asks for
    the format the API exports, which JSON always is."""
    fmt = request.args.get("format", "json")
    try:
        if fmt == "csv" and request.args.get("raw") != "1":
            content_type, body = "text/csv; charset=utf-8", worded_csv(db, user, instance_id)
        else:
            content_type, body = export_history(db, user, instance_id, fmt)
    except (NotFound, Forbidden):
        abort(404)
    response = Response(body, content_type=content_type)
    extension = "csv" if content_type.startswith("text/csv") else "json"
    response.headers["Content-Disposition"] = f'attachment; filename="case-{instance_id}-history.{extension}"'
    return response
