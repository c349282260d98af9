"""The decision editor: a decision table of the newest version in dmn-js. Everyone who may open the modeller can
look and validate; analysts save, which deploys the edited DMN file as a new version like a diagram's save."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from sqlalchemy.orm import Session

from ..models import User
from ..services import decision_tables, versions
from ..services.errors import Conflict, Invalid, NotFound
from .i18n import _
from .modeller import SAVERS
from .saving import refused, saved, version_facts
from .signin import host, signed_in, signed_in_read

__all__ = ["bp"]

bp = Blueprint("decisions", __name__)


def _urls(decision_id: str) -> dict[str, str]:
    return {
        "source": url_for("decisions.source", decision_id=decision_id),
        "validate": url_for("decisions.validate", decision_id=decision_id),
        "save": url_for("decisions.save", decision_id=decision_id),
        "index": url_for("modeller.index"),
    }


@bp.get("/modeller/decisions/<decision_id>")
@signed_in_read
def editor(db: Session, user: User, decision_id: str) -> Any:
    found = {d.decision_id: d for d in decision_tables.list_decisions(db)}.get(decision_id)
    if found is None:
        return render_template("message.html", user=user, title=_("This decision does not exist.")), 404
    version = versions.latest_version(db)
    return render_template(
        "decision_editor.html",
        user=user,
        decision=found,
        version=version,
        facts=version_facts(db, version, [found.file]),
        can_save=bool(user.role_names & SAVERS),
        urls=_urls(decision_id),
    )


@bp.get("/modeller/decisions/<decision_id>/source.dmn")
@signed_in_read
def source(db: Session, user: User, decision_id: str) -> Any:
    try:
        _name, xml = decision_tables.decision_source(db, decision_id)
    except NotFound:
        return jsonify({"error": "not_found", "message": _("This decision does not exist.")}), 404
    return Response(xml, content_type="application/xml; charset=utf-8")


@bp.post("/modeller/decisions/<decision_id>/validate")
@signed_in
def validate(db: Session, user: User, decision_id: str) -> Any:
    try:
        decision_tables.check_decision(db, host().runtime, decision_id, request.get_data())
    except NotFound:
        return jsonify({"error": "not_found", "message": _("This decision does not exist.")}), 404
    except Invalid as err:
        return refused(err)
    return jsonify({"ok": True})


@bp.post("/modeller/decisions/<decision_id>/save")
@signed_in
def save(db: Session, user: User, decision_id: str) -> Any:
    if not user.role_names & SAVERS:
        return jsonify({"error": "forbidden", "message": _("Only analysts may save decision tables.")}), 403
    base = request.headers.get("X-Base-Version", type=int)
    try:
        with db.begin_nested():
            deployed = decision_tables.save_decision(
                db, host().runtime, decision_id, request.get_data(), user.username, base
            )
    except NotFound:
        return jsonify({"error": "not_found", "message": _("This decision does not exist.")}), 404
    except Conflict as err:
        latest = err.details.get("latest")
        message = _("Someone saved version %(id)s meanwhile; reload the page to edit it.", id=latest)
        return jsonify({"ok": False, "error": "conflict", "message": message, "latest": latest}), 409
    except Invalid as err:
        return refused(err)
    files = [d.file for d in decision_tables.list_decisions(db) if d.decision_id == decision_id]
    return saved(db, deployed, files)
