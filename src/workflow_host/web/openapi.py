"""The OpenAPI 3.1 description of /api/v1."""

from __future__ import annotations

from typing import Any

__all__ = ["OPENAPI"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERR = _json(_ref("Error"), "error")
ERRORS = {str(code): ERR for code in (400, 401, 403, 404, 409, 422)}
SECURE: list[dict[str, list[str]]] = [{"bearer": []}]
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
INSTANCE_ID = {"name": "instance_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _op(summary: str, ok: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "security": SECURE, "responses": {**ok, **ERRORS}, **extra}


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Shiguai litigation-response workflow host", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error", "message"],
                "properties": {
                    "error": {"type": "string"},
                    "message": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                },
            },
            "Task": {
                "type": "object",
                "required": ["id", "instance_id", "name", "title", "lane", "unit", "due_at", "claimed_by"],
                "properties": {
                    "id": {"type": "string"},
                    "instance_id": {"type": "integer"},
                    "process_id": {"type": "string"},
                    "name": {"type": "string", "description": "BPMN element id"},
                    "title": {"type": "string"},
                    "lane": {"type": ["string", "null"]},
                    "unit": {"type": ["string", "null"]},
                    "case_no": {"type": ["string", "null"]},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                    "due_kind": {
                        "enum": ["days", "working_days", "months", None],
                        "description": "what the deadline's period counts; the inbox counts working days down",
                    },
                    "due_provisional": {
                        "type": "boolean",
                        "description": "computed before the year's holidays were published; recomputed when they are",
                    },
                    "claimed_by": {"type": ["string", "null"]},
                    "created_at": {"type": "string", "format": "date-time"},
                },
            },
            "Instance": {
                "type": "object",
                "required": ["id", "process_id", "status", "version", "data", "tasks", "deadlines"],
                "properties": {
                    "id": {"type": "integer"},
                    "process_id": {"type": "string"},
                    "status": {"enum": ["running", "completed", "error", "suspended", "terminated"]},
                    "revision": {"type": "integer"},
                    "version": {"type": "object"},
                    "data": {"type": "object"},
                    "tasks": {"type": "array", "items": _ref("Task")},
                    "deadlines": {"type": "array", "items": {"type": "object"}},
                },
            },
            "Event": {
                "type": "object",
                "required": ["seq", "type", "actor", "at", "payload", "hash", "prev_hash"],
                "properties": {
                    "seq": {"type": "integer"},
                    "type": {"type": "string"},
                    "actor": {"type": ["string", "null"]},
                    "at": {"type": "string", "format": "date-time"},
                    "payload": {"type": "object"},
                    "hash": {"type": "string"},
                    "prev_hash": {"type": "string"},
                },
            },
        },
    },
    "paths": {
        "/auth/token": {
            "post": {
                "summary": "Exchange a username and password for a bearer token",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["username", "password"],
                                "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object", "required": ["token"]}, "a token"),
                    "400": ERR,
                    "401": ERR,
                    "422": ERR,
                },
            }
        },
        "/processes": {"get": _op("Deployable processes and their current version", {"200": _json({}, "list")})},
        "/processes/{process_id}/versions": {
            "post": _op(
                "Deploy BPMN/DMN (XML body or multipart 'files') as a new version",
                {"201": _json({}, "new version"), "200": _json({}, "unchanged")},
                parameters=[{"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            )
        },
        "/instances": {
            "post": _op(
                "Start a case",
                {"201": _json(_ref("Instance"), "the new case")},
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["process_id"],
                                "properties": {"process_id": {"type": "string"}, "data": {"type": "object"}},
                            }
                        }
                    },
                },
            )
        },
        "/instances/{instance_id}": {
            "get": _op("A case", {"200": _json(_ref("Instance"), "the case")}, parameters=[INSTANCE_ID])
        },
        "/instances/{instance_id}/events": {
            "get": _op(
                "The case's audit events in order",
                {
                    "200": _json(
                        {"type": "object", "properties": {"events": {"type": "array", "items": _ref("Event")}}},
                        "events",
                    )
                },
                parameters=[INSTANCE_ID],
            )
        },
        "/instances/{instance_id}/export": {
            "get": _op(
                "The case's full history with the chain's head hash (auditors' exports are recorded)",
                {"200": {"description": "JSON or CSV", "content": {"application/json": {}, "text/csv": {}}}},
                parameters=[
                    INSTANCE_ID,
                    {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
                ],
            )
        },
        "/instances/{instance_id}/verify": {
            "post": _op("Verify the case's audit chain", {"200": _json({}, "result")}, parameters=[INSTANCE_ID])
        },
        "/tasks": {
            "get": _op(
                "The caller's ready tasks",
                {
                    "200": _json(
                        {"type": "object", "properties": {"tasks": {"type": "array", "items": _ref("Task")}}}, "tasks"
                    )
                },
                parameters=[
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                ],
            )
        },
        "/tasks/{task_id}": {
            "get": _op(
                "A task with its form (`form.schema`, `form.ui_schema`), the case data and the saved draft, if any",
                {"200": _json({}, "task")},
                parameters=[TASK_ID],
            )
        },
        "/notifications": {
            "get": _op(
                "The caller's reminders and escalations, newest first",
                {"200": _json({"type": "object", "properties": {"notifications": {"type": "array"}}}, "list")},
            )
        },
        "/notifications/{notification_id}/read": {
            "post": _op(
                "Mark a notification read",
                {"200": _json({}, "notification")},
                parameters=[{"name": "notification_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            )
        },
        "/tasks/{task_id}/claim": {
            "post": _op("Claim a task", {"200": _json(_ref("Task"), "claimed")}, parameters=[TASK_ID])
        },
        "/tasks/{task_id}/unclaim": {
            "post": _op("Give a claimed task back", {"200": _json(_ref("Task"), "unclaimed")}, parameters=[TASK_ID])
        },
        "/tasks/{task_id}/complete": {
            "post": _op(
                "Complete a task with its form data",
                {"200": _json({}, "completed")},
                parameters=[TASK_ID],
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"type": "object", "properties": {"data": {"type": "object"}}}}
                    },
                },
            )
        },
    },
}
