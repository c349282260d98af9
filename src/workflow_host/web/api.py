"""The JSON API, /api/v1: a view parses the request, calls one service in one transaction, returns JSON."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.orm import Session

from ..host import Host
from ..models import Instance, User
from ..services import (
    auth,
    case_list,
    deployment,
    history,
    instances,
    notifications,
    task_claims,
    task_completion,
    task_reading,
    termination,
    versions,
)
from ..services.directory import authenticate
from ..services.errors import BadRequest, Invalid, NotFound, Unauthorized
from ..services.permissions import require_any_role, require_view_instance
from ..services.verification import verify_instance
from .converters import MAX_ROW_ID
from .form_messages import localise_service_errors
from .openapi import OPENAPI
from .reading import read_view

__all__ = ["bp"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")
P = ParamSpec("P")
DEPLOYERS = {"analyst", "admin"}


def host() -> Host:
    return current_app.extensions["workflow_host"]  # type: ignore[no-any-return]


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise Unauthorized("send 'Authorization: Bearer TOKEN' (get one from POST /api/v1/auth/token)")
    return header[7:].strip()


def authenticated(
    view: Callable[Concatenate[Session, User, P], Any],
) -> Callable[P, Any]:
    """Run the view in one transaction with the caller's user; any error rolls everything back."""
    return _with_user(view, read_only=False)


def authenticated_read(
    view: Callable[Concatenate[Session, User, P], Any],
) -> Callable[P, Any]:
    """As `authenticated`, for a view that never writes (web.reading): its transaction reads beside a step instead
    of queuing behind it on SQLite, a write in it fails, and an auditor's reading of a case is recorded before it."""
    return _with_user(view, read_only=True)


def _with_user(view: Callable[Concatenate[Session, User, P], Any], read_only: bool) -> Callable[P, Any]:
    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        token = _bearer()
        database = host().database
        if read_only:

            def user_of(session: Session) -> User:
                return auth.user_for_token(session, token)  # raises for a bad token: never None

            return read_view(database, user_of, lambda session, user: view(session, user, *args, **kwargs))
        with database.transaction() as session:
            user = auth.user_for_token(session, token)
            return view(session, user, *args, **kwargs)

    return wrapper


MAX_JSON_DEPTH = 64  # forms nest a few levels; a deeper body only tests the recursion of what reads it


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in a decoded JSON value (counted without recursion)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        node, depth = todo.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            todo.extend((child, depth + 1) for child in children)
    return deepest


def json_problem(value: Any) -> str | None:
    """What Python's lenient JSON decoder lets through that no store or strict client can take: NaN and
    Infinity, and a lone surrogate ("\\ud800"), which is no Unicode text. None when the value has neither."""
    todo = [value]
    while todo:
        node = todo.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return "NaN and Infinity are not JSON numbers"
        texts = [node] if isinstance(node, str) else list(node) if isinstance(node, dict) else []
        if any(_SURROGATE.search(text) for text in texts):
            return "the request body holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text"
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_body() -> dict[str, Any]:
    """The request's JSON object; 400 for anything else."""
    if not request.get_data():
        return {}
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # past the JSON decoder's own limit, about a thousand levels
        raise Invalid(f"the request body is nested more than {MAX_JSON_DEPTH} levels deep") from None
    if body is None:
        raise BadRequest("the request body is not valid JSON")
    if not isinstance(body, dict):
        raise Invalid("the request body must be a JSON object")
    if json_depth(body) > MAX_JSON_DEPTH:
        raise Invalid(f"the request body is nested more than {MAX_JSON_DEPTH} levels deep")
    if problem := json_problem(body):
        raise Invalid(problem)
    return body


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(OPENAPI)


@bp.post("/auth/token")
def token() -> tuple[Response, int]:
    body = json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Invalid("'username' and 'password' are required")
    with host().database.transaction() as session:
        user = authenticate(session, username, password, request.remote_addr)
        issued = auth.issue_token(session, user, host().settings.token_hours) if user else None
    if issued is None:  # raised after the commit, so that the failure is counted
        raise Unauthorized("wrong username or password")
    return jsonify({"token": issued, "expires_in": host().settings.token_hours * 3600}), 200


@bp.post("/auth/revoke")
def revoke() -> Response:
    """Sign out of the API: the token this call carries stops working."""
    token = _bearer()
    with host().database.transaction() as session:
        auth.user_for_token(session, token)  # a token that no longer works cannot be revoked again: 401
        auth.revoke_token(session, token)
    return jsonify({"revoked": True})


@bp.get("/processes")
@authenticated_read
def list_processes(session: Session, user: User) -> Response:
    return jsonify({"processes": versions.list_processes(session)})


def _uploaded_files(process_id: str) -> dict[str, bytes]:
    if request.files:
        return {f.filename or "upload": f.read() for f in request.files.getlist("files") or request.files.values()}
    body = request.get_data()
    if not body:
        raise Invalid("send the BPMN/DMN XML as the body, or as multipart 'files'")
    suffix = ".dmn" if b"omg.org/spec/DMN" in body[:4096] else ".bpmn"
    return {f"{process_id}{suffix}": body}


@bp.post("/processes/<process_id>/versions")
@authenticated
def deploy_version(session: Session, user: User, process_id: str) -> tuple[Response, int]:
    require_any_role(user, DEPLOYERS, "deploy process versions")
    result = deployment.deploy_upload(session, host().runtime, process_id, _uploaded_files(process_id), user.username)
    version = result.version
    body = {"id": version.id, "hash": version.content_hash, "created": result.created, "process_id": process_id}
    return jsonify(body), 201 if result.created else 200


@bp.post("/instances")
@authenticated
def start_instance(session: Session, user: User) -> tuple[Response, int]:
    body = json_body()
    view = instances.start_instance(session, host().runtime, user, body.get("process_id"), body.get("data"))
    return jsonify(view), 201


@bp.get("/instances")
@authenticated_read
def list_instances(session: Session, user: User) -> Response:
    query = case_list.CaseQuery(
        request.args.get("q", "")[:128],
        request.args.get("status", "")[:32],
        case_list.parse_cursor(request.args.get("before", "")[:96]),
    )
    return jsonify(case_list.page_view(case_list.list_cases(session, user, query)))


@bp.get("/instances/<int:instance_id>")
@authenticated_read
def get_instance(session: Session, user: User, instance_id: int) -> Response:
    return jsonify(instances.get_instance(session, user, instance_id))


@bp.get("/instances/<int:instance_id>/events")
@authenticated_read
def instance_events(session: Session, user: User, instance_id: int) -> Response:
    return jsonify({"events": instances.instance_events(session, user, instance_id)})


@bp.get("/instances/<int:instance_id>/export")
@authenticated_read
def export(session: Session, user: User, instance_id: int) -> Response:
    content_type, body = history.export_history(session, user, instance_id, request.args.get("format", "json"))
    extension = "csv" if content_type.startswith("text/csv") else "json"
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="case-{instance_id}-history.{extension}"'
    return response


@bp.post("/instances/<int:instance_id>/verify")
@authenticated
def verify(session: Session, user: User, instance_id: int) -> Response:
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    require_view_instance(session, user, row)
    return jsonify(verify_instance(session, host().runtime, instance_id))


@bp.post("/instances/<int:instance_id>/terminate")
@authenticated
def terminate(session: Session, user: User, instance_id: int) -> Response:
    body = json_body()
    return jsonify(termination.terminate_case(session, user, instance_id, body.get("reason")))


@bp.get("/tasks")
@authenticated_read
def list_tasks(session: Session, user: User) -> Response:
    limit = min(max(request.args.get("limit", 200, type=int) or 200, 1), 1000)
    offset = min(max(request.args.get("offset", 0, type=int) or 0, 0), MAX_ROW_ID)  # a database integer
    return jsonify({"tasks": task_reading.list_tasks(session, user, limit, offset)})


@bp.get("/tasks/<task_id>")
@authenticated_read
def get_task(session: Session, user: User, task_id: str) -> Response:
    return jsonify(task_reading.get_task(session, user, task_id))


@bp.post("/tasks/<task_id>/claim")
@authenticated
def claim(session: Session, user: User, task_id: str) -> Response:
    return jsonify(task_claims.claim_task(session, user, task_id))


@bp.post("/tasks/<task_id>/unclaim")
@authenticated
def unclaim(session: Session, user: User, task_id: str) -> Response:
    return jsonify(task_claims.unclaim_task(session, user, task_id))


@bp.get("/notifications")
@authenticated_read
def list_notifications(session: Session, user: User) -> Response:
    return jsonify({"notifications": notifications.list_notifications(session, user)})


@bp.post("/notifications/<int:notification_id>/read")
@authenticated
def read_notification(session: Session, user: User, notification_id: int) -> Response:
    return jsonify(notifications.mark_read(session, user, notification_id))


@bp.post("/tasks/<task_id>/complete")
@authenticated
def complete(session: Session, user: User, task_id: str) -> Response:
    body = json_body()
    try:
        return jsonify(task_completion.complete_task(session, host().runtime, user, task_id, body.get("data", {})))
    except Invalid as err:  # a form's errors in the caller's language (Accept-Language; Chinese by default)
        localise_service_errors(err.details.get("errors") or [])
        raise
