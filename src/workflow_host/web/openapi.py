"""The OpenAPI 3.1 description of /api/v1 (tests/security/test_fuzz_api.py holds the app to it)."""

from __future__ import annotations

from typing import Any

from .openapi_schemas import SCHEMAS, ref

__all__ = ["OPENAPI"]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


ERR = _json(ref("Error"), "error")
ERRORS = {str(code): ERR for code in (400, 401, 403, 404, 409, 422)}
SECURE: list[dict[str, list[str]]] = [{"bearer": []}]
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
INSTANCE_ID = {"name": "instance_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PROCESS_ID = {"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}}
NOTIFICATION_ID = {"name": "notification_id", "in": "path", "required": True, "schema": {"type": "integer"}}
DEPLOY_BODY = {
    "required": True,
    "content": {
        "application/xml": {"schema": {"type": "string", "format": "binary", "description": "one BPMN or DMN file"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                },
            }
        },
    },
}
CREDENTIALS = {
    "type": "object",
    "required": ["username", "password"],
    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
}


def _op(summary: str, ok: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "security": SECURE, "responses": {**ok, **ERRORS}, **extra}


def _list(name: str, item: str) -> dict[str, Any]:
    return {"type": "object", "required": [name], "properties": {name: {"type": "array", "items": ref(item)}}}


PATHS: dict[str, Any] = {
    "/auth/token": {
        "post": {
            "summary": "Exchange a username and password for a bearer token",
            "description": (
                "Failed sign-ins are counted per username: five from one address refuse that address, fifty from"
                " all addresses together refuse every address, for 15 minutes. This call carries no device cookie,"
                " so unlike the sign-in page it has no exemption from the second rule: sign a service account in"
                " once per token lifetime (a token already issued keeps working while new sign-ins are refused)."
            ),
            "requestBody": _body(CREDENTIALS),
            "responses": {
                "200": _json(ref("Token"), "a token and its lifetime in seconds"),
                "400": ERR,
                "401": ERR,
                "422": ERR,
                "429": _json(ref("Error"), "too many failed sign-ins for this username; wait 15 minutes"),
            },
        }
    },
    "/auth/revoke": {
        "post": {
            "summary": "Revoke the token this call is made with (sign out of the API)",
            "security": SECURE,
            "responses": {
                "200": _json({"type": "object", "required": ["revoked"], "properties": {"revoked": {}}}, "revoked"),
                "401": ERR,
            },
        }
    },
    "/processes": {
        "get": _op(
            "Deployable processes and their current version", {"200": _json(_list("processes", "Process"), "list")}
        )
    },
    "/processes/{process_id}/versions": {
        "post": _op(
            "Deploy BPMN/DMN (XML body or multipart 'files') as a new version",
            {"201": _json(ref("Deployed"), "new version"), "200": _json(ref("Deployed"), "unchanged")},
            parameters=[PROCESS_ID],
            requestBody=DEPLOY_BODY,
        )
    },
    "/instances": {
        "get": _op(
            "The cases the caller may see, newest change first, 100 a page",
            {"200": _json(ref("CasePage"), "a page of cases and the cursor of the next")},
            parameters=[
                {
                    "name": "q",
                    "in": "query",
                    "schema": {"type": "string", "maxLength": 128},
                    "description": "part of a case number (of any instance), the plaintiff, the act challenged, or a "
                    "suggestion's issuer or summary",
                },
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"enum": ["running", "completed", "error", "suspended", "terminated"]},
                },
                {
                    "name": "before",
                    "in": "query",
                    "schema": {"type": "string", "pattern": "^[0-9]{1,20}_[0-9]{1,18}$"},
                    "description": "the `next` of the previous page",
                },
            ],
        ),
        "post": _op(
            "Start a case",
            {"201": _json(ref("Instance"), "the new case")},
            requestBody=_body(
                {
                    "type": "object",
                    "required": ["process_id"],
                    "properties": {"process_id": {"type": "string"}, "data": {"type": "object"}},
                }
            ),
        ),
    },
    "/instances/{instance_id}": {
        "get": _op("A case", {"200": _json(ref("Instance"), "the case")}, parameters=[INSTANCE_ID])
    },
    "/instances/{instance_id}/events": {
        "get": _op(
            "The case's audit events in order",
            {"200": _json(_list("events", "Event"), "events")},
            parameters=[INSTANCE_ID],
        )
    },
    "/instances/{instance_id}/export": {
        "get": _op(
            "The case's full history with the chain's head hash (auditors' exports are recorded)",
            {"200": {"description": "JSON or CSV", "content": {"application/json": {}, "text/csv": {}}}},
            parameters=[INSTANCE_ID, {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}}],
        )
    },
    "/instances/{instance_id}/verify": {
        "post": _op(
            "Verify the case's audit chain and replay it",
            {"200": _json(ref("Verification"), "result")},
            parameters=[INSTANCE_ID],
        )
    },
    "/instances/{instance_id}/terminate": {
        "post": _op(
            "Terminate a running case (or one stopped by an error) for good, with a reason: it leaves every inbox,"
            " fires no timer, sends no reminder and is left out of the Art. 19 report; its history stays. An"
            " administrator may; so may the user who registered it, until a step of it is completed (403 otherwise)."
            " 409 for a closed or already terminated case, 422 for a missing or wrong-sized reason",
            {"200": _json(ref("Instance"), "the case, now terminated")},
            parameters=[INSTANCE_ID],
            requestBody=_body(
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {
                        "reason": {
                            "type": "string",
                            "minLength": 2,
                            "maxLength": 500,
                            "description": "why (2 to 500 characters once trimmed), kept in the audit event",
                        }
                    },
                }
            ),
        )
    },
    "/tasks": {
        "get": _op(
            "The caller's ready tasks",
            {"200": _json(_list("tasks", "Task"), "tasks")},
            parameters=[
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            ],
        )
    },
    "/tasks/{task_id}": {
        "get": _op(
            "A task with its form (`form.schema`, `form.ui_schema`), the case data and the saved draft, if any",
            {"200": _json(ref("TaskDetail"), "task")},
            parameters=[TASK_ID],
        )
    },
    "/notifications": {
        "get": _op(
            "The caller's reminders and escalations, newest first",
            {"200": _json(_list("notifications", "Notification"), "list")},
        )
    },
    "/notifications/{notification_id}/read": {
        "post": _op(
            "Mark a notification read",
            {"200": _json(ref("Notification"), "notification")},
            parameters=[NOTIFICATION_ID],
        )
    },
    "/tasks/{task_id}/claim": {
        "post": _op("Claim a task", {"200": _json(ref("Task"), "claimed")}, parameters=[TASK_ID])
    },
    "/tasks/{task_id}/unclaim": {
        "post": _op("Give a claimed task back", {"200": _json(ref("Task"), "unclaimed")}, parameters=[TASK_ID])
    },
    "/tasks/{task_id}/complete": {
        "post": _op(
            "Complete a task with its form data",
            {"200": _json(ref("Completion"), "completed")},
            parameters=[TASK_ID],
            requestBody=_body({"type": "object", "properties": {"data": {"type": "object"}}}),
        )
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Shiguai litigation-response workflow host", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
    "paths": PATHS,
}
