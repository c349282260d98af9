"""The component schemas of the OpenAPI document: the shapes of what /api/v1 answers."""

from __future__ import annotations

from typing import Any

__all__ = ["SCHEMAS", "ref"]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


STRING, INTEGER, BOOLEAN, OBJECT = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "object"}
TIME = {"type": "string", "format": "date-time"}
MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}
MAYBE_STRING = {"type": ["string", "null"]}

TASK = _object(
    ["id", "instance_id", "name", "title", "lane", "unit", "due_at", "claimed_by"],
    id=STRING,
    instance_id=INTEGER,
    process_id=STRING,
    name={"type": "string", "description": "BPMN element id"},
    title=STRING,
    lane={
        "type": ["string", "null"],
        "description": "the role the task was given to (a lane id of the process map); for a task the case data"
        " gave to several roles, the lane of its diagram (see roles)",
    },
    unit={
        "type": ["string", "null"],
        "description": "the unit id the task is for; for a joint act's task (several units, see units) the first of"
        " them in the case data's order, as before units was added; null when the task is for no particular unit",
    },
    units={
        "type": "array",
        "items": STRING,
        "description": "every unit id the task is for, in the case data's order: one for most tasks, all the units"
        " of a joint act (handling_units with two or more units); empty when unit is null",
    },
    roles={
        "type": "array",
        "items": STRING,
        "description": "every role the task is for: the lane, or the roles the case data named (e.g. the principal"
        " head or the head in charge may each take it); empty for a task of no role",
    },
    case_no={
        "type": ["string", "null"],
        "description": "the number the matter is known by: the court's number of the case's current instance, or a"
        " judicial or procuratorial suggestion's document number (Art. 11)",
    },
    due_at=MAYBE_TIME,
    due_kind={
        "enum": ["days", "working_days", "months", None],
        "description": "what the deadline's period counts; the inbox counts working days down",
    },
    due_provisional={
        "type": "boolean",
        "description": "computed before the year's holidays were published; recomputed when they are",
    },
    claimed_by=MAYBE_STRING,
    created_at=TIME,
)
VERSION = _object(["id", "hash", "created_at"], id=INTEGER, hash=STRING, created_at=TIME)

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        ["error", "message"],
        error={"type": "string", "description": "a stable code, e.g. not_found, invalid, token_expired"},
        message=STRING,
        reason={
            "type": "string",
            "description": "when a diagram's script refused the step in its own words (a ValueError it raised,"
            " e.g. a date out of order), those words alone, for a person to read",
        },
        errors={
            "type": "array",
            "items": OBJECT,
            "description": "a form's errors, each {path, field, message, kind, label, value?, detail?}: path where"
            " the schema failed (for a missing property, the object lacking it), field the pointer of the field"
            " concerned, message in the caller's language (Accept-Language; Chinese by default) naming the field by"
            " its label, kind the rule it broke (required, enum, format …) with its value, detail what else the"
            " message says (when: the condition a rule applies under; options: the values allowed); a diagram's"
            " errors, each {file, element_id, line, message, code?, params?}: code names a problem the pages word"
            " in the reader's language (lane_not_role, flow_end_missing, call_not_deployed, calls_itself,"
            " unreadable, expression_refused, show_when_unknown), params what it is about",
        },
    ),
    "Token": _object(["token", "expires_in"], token=STRING, expires_in={"type": "integer", "description": "seconds"}),
    "Task": TASK,
    "TaskDetail": {
        "allOf": [
            ref("Task"),
            _object(
                ["form", "data", "draft"],
                instructions=MAYBE_STRING,
                form=_object(
                    ["schema", "ui_schema"],
                    schema={"type": ["object", "null"]},
                    ui_schema={},
                    start_blank={
                        "type": "array",
                        "items": STRING,
                        "description": "fields a form starts blank although the case data holds them: what the step"
                        " registers anew (a second instance's case number, court and date of service)",
                    },
                ),
                data=OBJECT,
                draft={"type": ["object", "null"]},
                previous={
                    "type": ["object", "null"],
                    "description": "for a step done again (sent back), the last submission of the same step and"
                    " unit in this case: {task_id, data, completed_at, completed_by}; null the first time",
                },
            ),
        ]
    },
    "Completion": _object(
        ["instance_id", "status", "task_id", "tasks"],
        instance_id=INTEGER,
        status=STRING,
        task_id=STRING,
        tasks={"type": "array", "items": ref("Task")},  # the case's ready tasks after the step
    ),
    "Instance": _object(
        ["id", "process_id", "status", "version", "data", "tasks", "deadlines"],
        id=INTEGER,
        process_id=STRING,
        status={
            "enum": ["running", "completed", "error", "suspended", "terminated"],
            "description": "terminated: stopped for good (POST /instances/{id}/terminate; its event gives who and why)",
        },
        revision=INTEGER,
        version=OBJECT,
        data=OBJECT,
        tasks={"type": "array", "items": ref("Task")},
        deadlines={"type": "array", "items": OBJECT},
    ),
    "CasePage": _object(
        ["instances", "next"],
        instances={"type": "array", "items": ref("CaseSummary")},
        next={"type": ["string", "null"], "description": "pass as `before` for the next, older page; null on the last"},
    ),
    "CaseSummary": _object(
        ["id", "process_id", "status", "case_no", "case_numbers", "open_steps", "created_at", "updated_at"],
        id=INTEGER,
        process_id=STRING,
        status={"enum": ["running", "completed", "error", "suspended", "terminated"]},
        case_no=MAYBE_STRING,
        case_numbers={
            "type": "array",
            "items": _object(["instance_level", "case_no"], instance_level=STRING, case_no=STRING),
        },
        plaintiff={},
        defendant={},
        defendant_unit={},
        issuer={},
        designated_unit={},
        open_steps={"type": "array", "items": STRING, "description": "titles of the steps the case waits at"},
        created_at=TIME,
        updated_at=TIME,
    ),
    "Event": _object(
        ["seq", "type", "actor", "at", "payload", "hash", "prev_hash"],
        seq=INTEGER,
        type=STRING,
        actor=MAYBE_STRING,
        at=TIME,
        payload=OBJECT,
        hash=STRING,
        prev_hash=STRING,
    ),
    "Verification": _object(
        ["ok", "events_checked", "steps_replayed"],
        ok=BOOLEAN,
        events_checked=INTEGER,
        steps_replayed=INTEGER,
        mismatch=_object(["seq", "reason"], seq=INTEGER, reason=STRING),
    ),
    "Process": _object(
        ["process_id", "name", "version"], process_id=STRING, name=STRING, documentation={}, version=VERSION
    ),
    "Deployed": _object(
        ["id", "hash", "created", "process_id"],
        id=INTEGER,
        hash=STRING,
        created={"type": "boolean", "description": "false when the files equal the current version"},
        process_id=STRING,
    ),
    "Notification": _object(
        ["id", "instance_id", "kind", "level", "message", "created_at", "read_at"],
        id=INTEGER,
        instance_id=INTEGER,
        kind={"type": "string", "description": "reminder or escalation"},
        level={"type": "integer", "description": "how many steps up the escalation has gone"},
        message=STRING,
        created_at=TIME,
        read_at=MAYBE_TIME,
    ),
}
