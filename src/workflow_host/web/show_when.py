"""A field shown by another field's answer in the same form (`ui:showWhen`), and the required stars that follow
the answers.

`"ui:showWhen": {"unit_head_appears": [true]}` on a field of the UI schema names fields beside it (of the same
object: the form's top level, or the same row of a list) and the answers under which it is shown; with several
names every one must hold one of its answers. The task page (static/show_when.js) hides the field while the answers
do not meet it; without JavaScript every field is shown. A field the answers hide is not part of what the page
sends: the script disables it, and `drop_hidden` leaves it out of a posted form, so a page without JavaScript
keeps the same data. The schema stays the judge of what is accepted; the JSON API takes what it is sent.

`"ui:helpWhen": [{"when": {...}, "help": "..."}]` adds help shown under the same kind of condition (an entry with
`"ui:onlyWhen"` on the case's data is left out of the form by services.form_asked.asked_form where the case does
not meet it: the appeal period's help at first instance only). A field the
schema requires only in a `then`/`else` branch of a simple `if` (one field equal to a value or one of an enum)
gets a star that the page shows while the answers take that branch (`required_when`).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "answers_meet",
    "condition",
    "drop_hidden",
    "help_when",
    "option_value",
    "required_when",
    "without_hidden",
]

Path = tuple[str | int, ...]
Condition = dict[str, list[str]]  # the HTML name of a field → the answers (as the page's options send them)


def option_value(value: Any) -> str:
    """How an answer travels in HTML (booleans and numbers as their JSON text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _html_name(parent: Path, name: str) -> str:
    return "f." + ".".join(str(p) for p in (*parent, name))


def _answers(values: Any) -> list[str]:
    return [option_value(v) for v in (values if isinstance(values, list) else [values])]


def condition(raw: Any, parent: Path) -> Condition:
    """A `ui:showWhen` (sibling name → answers) as the page checks it: by the siblings' HTML names."""
    if not isinstance(raw, dict):
        return {}
    return {_html_name(parent, str(name)): _answers(values) for name, values in raw.items()}


def help_when(raw: Any, parent: Path) -> list[tuple[Condition, str]]:
    """The `ui:helpWhen` texts with the conditions that show them."""
    if not isinstance(raw, list):
        return []
    return [
        (condition(entry["when"], parent), str(entry["help"]))
        for entry in raw
        if isinstance(entry, dict) and isinstance(entry.get("when"), dict) and isinstance(entry.get("help"), str)
    ]


def answers_meet(raw: Any, values: dict[str, Any]) -> bool:
    """Whether the answers beside a field meet its `ui:showWhen` (an answer in a list of choices: any of them)."""
    if not isinstance(raw, dict):
        return True
    for name, wanted in raw.items():
        value = values.get(name)
        given = value if isinstance(value, list) else [] if value is None else [value]
        if not {option_value(v) for v in given} & set(_answers(wanted)):
            return False
    return True


def drop_hidden(values: dict[str, Any], ui: dict[str, Any]) -> dict[str, Any]:
    """The posted answers of one object without the fields its answers hide (a hidden field that shows another
    hides that one too)."""
    result = dict(values)
    changed = True
    while changed:
        changed = False
        for name in list(result):
            sub = ui.get(name)
            if isinstance(sub, dict) and "ui:showWhen" in sub and not answers_meet(sub["ui:showWhen"], result):
                del result[name]
                changed = True
    return result


def without_hidden(values: Any, ui: Any) -> Any:
    """A posted form's answers without what its answers hide, at every level (the form's top, its groups, each
    row of a list): what a task is completed with. A draft and a page sent back with errors keep all that was
    typed, so that a page without the script loses nothing typed before the answer that shows it."""
    if isinstance(values, list):
        rows = ui.get("items") if isinstance(ui, dict) else None
        return [without_hidden(row, rows) for row in values]
    if not isinstance(values, dict) or not isinstance(ui, dict):
        return values
    kept = drop_hidden(values, ui)
    return {name: without_hidden(value, ui.get(name)) for name, value in kept.items()}


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The object's own if/then/else and those of its allOf."""
    found = [schema] if "if" in schema else []
    parts = schema.get("allOf")
    found += [p for p in parts if isinstance(p, dict) and "if" in p] if isinstance(parts, list) else []
    return found


def _domain(schema: Any) -> list[Any] | None:
    """The answers a field can have, when they are few: a yes/no or a choice."""
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "boolean":
        return [True, False]
    return list(schema["enum"]) if isinstance(schema.get("enum"), list) else None


def _simple_if(rule: Any) -> tuple[str, list[Any]] | None:
    """(field, answers) of an `if` that tests one field for a value or a choice of values, else None."""
    props = rule.get("properties") if isinstance(rule, dict) else None
    if not isinstance(props, dict) or len(props) != 1 or set(rule) - {"required", "properties"}:
        return None
    [(name, test)] = props.items()
    if not isinstance(test, dict) or len(test) != 1:
        return None
    if "const" in test:
        return name, [test["const"]]
    return (name, list(test["enum"])) if isinstance(test.get("enum"), list) else None


def required_when(schema: dict[str, Any], parent: Path) -> dict[str, list[Condition]]:
    """Field name → the conditions under which a `then`/`else` of the object's schema requires it."""
    found: dict[str, list[Condition]] = {}
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    for rule in _branches(schema):
        tested = _simple_if(rule["if"])
        if tested is None:
            continue
        name, answers = tested
        domain = _domain(properties.get(name))
        other = [v for v in domain if v not in answers] if domain is not None else []
        for branch, values in (("then", answers), ("else", other)):
            needed = rule.get(branch, {}).get("required") if isinstance(rule.get(branch), dict) else None
            if not values or not isinstance(needed, list):
                continue
            for field in needed:
                found.setdefault(str(field), []).append({_html_name(parent, name): _answers(values)})
    return found
