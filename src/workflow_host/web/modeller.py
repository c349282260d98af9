"""The modeller page for analysts: the newest diagram of a process in bpmn-js, what it may refer to, and
validate / save (a new version) from the browser. Everyone who may sign in can look; analysts save."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, flash, jsonify, render_template, request, url_for
from sqlalchemy.orm import Session

from ..models import User
from ..services import decision_tables, deployment, versions
from ..services.directory import unit_choices
from ..services.errors import Invalid, NotFound
from ..services.form_checks import check_form_schema
from ..services.form_list import form_entry, list_forms
from ..services.migration import MIGRATORS, MigrationCheck, check_migrations, migrate_cases
from ..services.version_diff import diagram_diff, process_name, process_versions, version_of
from .formview import Field, build_fields
from .i18n import _
from .migration_text import reason_text
from .modeller_text import element_label
from .problem_text import problem_text
from .saving import refused, saved, version_facts
from .signin import host, signed_in, signed_in_read

__all__ = ["bp"]

bp = Blueprint("modeller", __name__)
SAVERS = {"analyst", "admin"}
MAX_DIAGRAM_BYTES = 5 * 1024 * 1024


def _urls(process_id: str) -> dict[str, str]:
    return {
        "source": url_for("modeller.source", process_id=process_id),
        "catalog": url_for("modeller.catalog", process_id=process_id),
        "validate": url_for("modeller.validate", process_id=process_id),
        "save": url_for("modeller.save", process_id=process_id),
        "versions": url_for("modeller.versions_page", process_id=process_id),
        "decision": url_for("decisions.editor", decision_id="__decision__"),
    }


@bp.get("/modeller/<process_id>")
@signed_in_read
def modeller(db: Session, user: User, process_id: str) -> Any:
    try:
        version = versions.latest_version(db, process_id)
    except NotFound:
        return render_template("message.html", user=user, title=_("This process is not deployed.")), 404
    file_name, _xml = versions.version_source(db, version, process_id)
    return render_template(
        "modeller.html",
        user=user,
        process_id=process_id,
        process_name=process_name(db, process_id),
        can_save=bool(user.role_names & SAVERS),
        version={"hash": version.content_hash, **version_facts(db, version, [file_name])},
        urls=_urls(process_id),
    )


@bp.get("/modeller/<process_id>/source.bpmn")
@signed_in_read
def source(db: Session, user: User, process_id: str) -> Response:
    _name, xml = versions.version_source(db, versions.latest_version(db, process_id), process_id)
    return Response(xml, content_type="application/xml; charset=utf-8")


@bp.get("/modeller/<process_id>/catalog")
@signed_in_read
def catalog(db: Session, user: User, process_id: str) -> Response:
    return jsonify(versions.version_catalog(db, versions.latest_version(db, process_id)))


def _upload(db: Session, process_id: str) -> dict[str, bytes]:
    """The posted diagram under the file name the process is deployed in (so it replaces that file)."""
    body = request.get_data()
    if not body:
        raise Invalid("send the BPMN XML as the request body")
    if len(body) > MAX_DIAGRAM_BYTES:
        raise Invalid("the diagram is larger than 5 MiB")
    name, _xml = versions.version_source(db, versions.latest_version(db, process_id), process_id)
    return {name: body}


@bp.post("/modeller/<process_id>/validate")
@signed_in
def validate(db: Session, user: User, process_id: str) -> Any:
    try:
        deployment.check_upload(db, host().runtime, process_id, _upload(db, process_id))
    except Invalid as err:
        return refused(err)
    return jsonify({"ok": True})


@bp.post("/modeller/<process_id>/save")
@signed_in
def save(db: Session, user: User, process_id: str) -> Any:
    if not user.role_names & SAVERS:
        return jsonify({"error": "forbidden", "message": _("Only analysts may save diagrams.")}), 403
    deployment.lock_versions(db)  # the check below and the version built next see the same newest version
    latest = versions.latest_version(db, process_id).id
    base = request.headers.get("X-Base-Version", type=int)
    if base is not None and base != latest:  # a colleague saved meanwhile: never overwrite their version
        message = _("Someone saved version %(id)s meanwhile; reload the page to edit it.", id=latest)
        return jsonify({"ok": False, "error": "conflict", "message": message, "latest": latest}), 409
    try:
        with db.begin_nested():
            deployed = deployment.deploy_upload(db, host().runtime, process_id, _upload(db, process_id), user.username)
    except Invalid as err:
        return refused(err)
    return saved(db, deployed, [versions.version_source(db, deployed.version, process_id)[0]])


@bp.get("/modeller/<process_id>/versions")
@signed_in_read
def versions_page(db: Session, user: User, process_id: str) -> Any:
    listed = process_versions(db, process_id)
    if not listed:
        return render_template("message.html", user=user, title=_("This process is not deployed.")), 404
    may_migrate = bool(user.role_names & MIGRATORS)
    return render_template(
        "versions.html",
        user=user,
        process_id=process_id,
        process_name=process_name(db, process_id),
        listed=listed,
        may_migrate=may_migrate,
    )


@bp.get("/modeller/<process_id>/versions/<int:version_id>.bpmn")
@signed_in_read
def version_xml(db: Session, user: User, process_id: str, version_id: int) -> Response:
    _name, xml = versions.version_source(db, version_of(db, process_id, version_id), process_id)
    return Response(xml, content_type="application/xml; charset=utf-8")


@bp.get("/modeller/<process_id>/diff")
@signed_in_read
def diff(db: Session, user: User, process_id: str) -> Any:
    old_id, new_id = request.args.get("from", type=int), request.args.get("to", type=int)
    if old_id is None or new_id is None:
        return render_template("message.html", user=user, title=_("Choose two versions to compare.")), 400
    try:
        found = diagram_diff(db, process_id, old_id, new_id)
    except NotFound:
        return render_template("message.html", user=user, title=_("This version does not exist.")), 404
    name = process_name(db, process_id)
    return render_template(
        "diff.html", user=user, process_id=process_id, process_name=name, diff=found, element_label=element_label
    )


@bp.route("/modeller/<process_id>/migrate", methods=["GET", "POST"])
@signed_in
def migrate(db: Session, user: User, process_id: str) -> Any:
    if not user.role_names & MIGRATORS:
        return render_template("message.html", user=user, title=_("Only analysts may migrate cases.")), 403
    target = request.values.get("to", type=int) or versions.latest_version(db, process_id).id
    moved: list[MigrationCheck] = []
    if request.method == "POST":
        chosen = [int(v) for v in request.form.getlist("instance") if v.isdigit()]
        with db.begin_nested():
            moved = migrate_cases(db, host().runtime, user, chosen, target)
        flash(_("%(n)s cases moved to version %(id)s.", n=sum(m.can_move for m in moved), id=target), "success")
    checks = check_migrations(db, host().runtime, user, process_id, target)
    return render_template(
        "migrate.html",
        user=user,
        process_id=process_id,
        target=target,
        checks=checks,
        moved=moved,
        reason_text=reason_text,
    )


@bp.get("/modeller")
@signed_in_read
def index(db: Session, user: User) -> str:
    processes = versions.list_processes(db)
    forms = list_forms(db)
    decisions = decision_tables.list_decisions(db)
    return render_template("processes.html", user=user, processes=processes, forms=forms, decisions=decisions)


def _form_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,100}", name):
        raise NotFound("no such form")
    return name


@bp.get("/modeller/forms/<name>")
@signed_in_read
def form_editor(db: Session, user: User, name: str) -> Any:
    try:
        schema, ui = versions.form_source(db, _form_name(name))
    except NotFound:
        return render_template("message.html", user=user, title=_("This form does not exist.")), 404
    return render_template(
        "form_editor.html",
        user=user,
        name=name,
        form=form_entry(db, name),
        version=version_facts(db, versions.latest_version(db), [f"{name}.schema.json", f"{name}.uischema.json"]),
        schema_text=schema.decode(),
        ui_text=ui.decode() if ui else "{}",
        can_save=bool(user.role_names & SAVERS),
        fields=_preview_fields(db, schema.decode(), ui.decode() if ui else "{}")[0],
    )


def _preview_fields(db: Session, schema_text: str, ui_text: str) -> tuple[Field | None, list[str]]:
    """The form's fields as a task page would show them, or the problems that stop it from being a form."""
    try:
        schema, ui = json.loads(schema_text), json.loads(ui_text or "{}")
        check_form_schema("form.schema.json", schema)
        if not isinstance(ui, dict):
            raise Invalid("the UI schema must be a JSON object")
    except ValueError as err:
        return None, [_("Not valid JSON: %(reason)s", reason=str(err))]
    except Invalid as err:
        return None, [problem_text(err.message)]
    return build_fields(schema, ui, {}, unit_choices(db)), []


@bp.post("/modeller/forms/<name>/preview")
@signed_in
def form_preview(db: Session, user: User, name: str) -> Response:
    fields, problems = _preview_fields(db, request.form.get("schema", ""), request.form.get("ui_schema", "{}"))
    html = render_template("_form_preview.html", fields=fields) if fields else ""
    return jsonify({"html": html, "problems": problems})


@bp.post("/modeller/forms/<name>/save")
@signed_in
def form_save(db: Session, user: User, name: str) -> Any:
    if not user.role_names & SAVERS:
        return jsonify({"error": "forbidden", "message": _("Only analysts may save forms.")}), 403
    name = _form_name(name)
    schema_text, ui_text = request.form.get("schema", ""), request.form.get("ui_schema", "")
    uploads = {f"{name}.schema.json": schema_text.encode()}
    if ui_text.strip():
        uploads[f"{name}.uischema.json"] = ui_text.encode()
    try:
        with db.begin_nested():
            deployed = deployment.deploy_forms(db, host().runtime, uploads, user.username)
    except Invalid as err:
        return refused(err)
    return saved(db, deployed, [f"{name}.schema.json", f"{name}.uischema.json"])
