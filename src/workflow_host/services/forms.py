"""Form schemas (JSON Schema 2020-12): check them at deploy time, validate submitted data against them."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from .errors import Invalid
from .form_explain import FormError, explain
from .form_fields import resolve
from .id_numbers import IdNumberInvalid, is_id_number

__all__ = [
    "FormError",
    "asked_form",
    "check_form_schema",
    "check_show_when",
    "declared_fields",
    "form_errors",
    "inline_refs",
    "ui_widget_fields",
    "undeclared_field_errors",
    "validate_form_data",
    "values_at",
]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


# Keywords whose subschemas apply to the same value (a $ref cycle through only these never ends).
IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas")


def _in_place_refs(node: Any) -> Iterator[str]:
    if not isinstance(node, dict):
        return
    if isinstance(node.get("$ref"), str):
        yield node["$ref"]
    for key in IN_PLACE:
        value = node.get(key)
        if isinstance(value, dict) and key == "dependentSchemas":
            value = list(value.values())
        for child in value if isinstance(value, list) else [value]:
            yield from _in_place_refs(child)


def _endless_ref(schema: dict[str, Any]) -> str | None:
    """A reference that leads back to itself without validating any part of the value, or None."""
    for start in ["#", *{r for r in _refs(schema) if r.startswith("#")}]:
        seen, todo = set(), [start]
        while todo:
            ref = todo.pop()
            for nxt in _in_place_refs(resolve(schema, ref)):
                if nxt == start:
                    return start
                if nxt not in seen and nxt.startswith("#"):
                    seen.add(nxt)
                    todo.append(nxt)
    return None


_RE_PARSER: Any = importlib.import_module("re._parser")  # the stdlib's own regex parser (sre_parse is deprecated)
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _nested_repeat(items: Any, inside: bool = False) -> bool:
    """Whether a parsed pattern repeats something that itself repeats without bound, like (a+)+ : the shape
    whose backtracking takes exponential time on a near-match (a form field could hang the server)."""
    for op, arg in items:
        kind = str(op)
        if kind in _REPEATS:
            unbounded = arg[1] == _RE_PARSER.MAXREPEAT or arg[1] > 100
            if (inside and unbounded) or _nested_repeat(arg[2], inside or unbounded):
                return True
            continue
        if kind == "BRANCH" and inside and not _distinct_letters(arg[1]):
            return True  # (a|a)+, (a|ab)*: the alternatives can share a start, so a near-match tries every split
        children = [arg[-1]] if kind == "SUBPATTERN" else arg[1] if kind == "BRANCH" else []
        if any(_nested_repeat(child, inside) for child in children):
            return True
    return False


def _distinct_letters(alternatives: Any) -> bool:
    """Whether every alternative is one literal character and no two are the same (like a class [ab])."""
    letters = [alt[0][1] for alt in alternatives if len(alt) == 1 and str(alt[0][0]) == "LITERAL"]
    return len(letters) == len(alternatives) == len(set(letters))


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        if isinstance(node.get("patternProperties"), dict):
            yield from node["patternProperties"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)


def _slow_pattern(schema: dict[str, Any]) -> str | None:
    for pattern in _patterns(schema):
        try:
            if _nested_repeat(_RE_PARSER.parse(pattern)):
                return pattern
        except re.error:
            continue  # check_schema reports a pattern that does not compile
    return None


def check_form_schema(name: str, schema: Any) -> None:
    """Refuse a form that is not a valid schema or that refers outside itself."""
    if not isinstance(schema, dict):
        raise Invalid(f"{name}: a form schema must be a JSON object", code="form_not_object", params={})
    if name.endswith(".uischema.json"):
        return
    for ref in _refs(schema):
        if not ref.startswith("#"):
            message = f"{name}: only local references ('#/...') are allowed, not '{ref}'"
            raise Invalid(message, code="form_ref_not_local", params={"ref": ref})
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        message = f"{name}: not a valid JSON Schema: {err.message}"
        raise Invalid(message, code="form_schema_invalid", params={"reason": err.message}) from None
    endless = _endless_ref(schema)
    if endless:
        message = f"{name}: the reference '{endless}' leads back to itself without end"
        raise Invalid(message, code="form_ref_endless", params={"ref": endless})
    slow = _slow_pattern(schema)
    if slow is not None:
        raise Invalid(
            f"{name}: the pattern '{slow}' repeats a repetition or a choice of several characters, which can take"
            " hours to check; simplify it (a character class such as [ab] instead of (a|b))",
            code="form_pattern_slow",
            params={"pattern": slow},
        )


_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})", re.ASCII)


def _formats() -> FormatChecker:
    """jsonschema's format checks, with "date-time" as the forms write it: a real date and time (no 30 February)
    with its offset, seconds optional (RFC 3339 wants them; a hearing is set to the minute); and "id-number", a
    citizen identity number whose check digit holds (GB 11643), the error saying what is wrong with it."""
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("id-number", raises=IdNumberInvalid)(is_id_number)
    return checker


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # "type" judges other values
    return bool(_DATE_TIME.fullmatch(value)) and datetime.fromisoformat(value).tzinfo is not None


FORMATS = _formats()


def _iter_errors(validator: Any, data: Any) -> list[Any]:
    """The validator's errors; a schema or data nested past Python's recursion limit is refused, not a 500."""
    try:
        return list(validator.iter_errors(data))
    except RecursionError:
        raise Invalid("the form data or its schema is nested too deeply to check") from None


def _explained(schema: dict[str, Any], data: Any, ui: Any) -> list[tuple[str, FormError]]:
    """Every validation error as (where the schema failed, the form error it stands for at its field). A pattern
    is not repeated where the format of the same field already failed (a date-time with both says one thing)."""
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    found: dict[tuple[str, str, str, str], tuple[str, FormError]] = {}
    for error in sorted(_iter_errors(validator, data), key=lambda e: list(map(str, e.absolute_path))):
        path = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)
        for explained in explain(schema, ui, data, error):
            said = json.dumps(explained.detail, sort_keys=True, default=str)  # two "contains" differ only there
            found.setdefault((explained.path, explained.validator, repr(explained.value), said), (path, explained))
    formats = {e.path for _path, e in found.values() if e.validator == "format"}
    return [(p, e) for p, e in found.values() if not (e.validator == "pattern" and e.path in formats)]


def validate_form_data(schema: dict[str, Any], data: Any, ui: Any = None) -> list[dict[str, Any]]:
    """Every validation error as {path, field, message, kind, label, value?, detail?}; empty when the data is
    valid. `path` is where the schema failed (for a missing property, the object that lacks it); `field` the
    pointer of the field the error concerns (the missing property's own), where a form shows it; `label` its
    title; `kind` the rule it broke, with its `value` and the `detail` a message in the user's words needs."""
    errors = []
    for path, error in _explained(schema, data, ui):
        found: dict[str, Any] = {"path": path, "field": error.path, "message": error.message}
        found.update(kind=error.validator, label=error.label)
        if error.value is not None:
            found["value"] = error.value
        if error.detail:
            found["detail"] = error.detail
        errors.append(found)
    return errors


def form_errors(schema: dict[str, Any], data: Any, ui: Any = None) -> list[FormError]:
    """Every validation error, each pointing at the field to show it beside."""
    return sorted((e for _path, e in _explained(schema, data, ui)), key=lambda e: (e.path, e.validator))


def values_at(data: Any, pointer: str) -> list[Any]:
    """The values a pointer of `attachment_fields` or `ui_widget_fields` (`/a/*/b`: `*` for every item) reaches."""
    found = [data]
    for part in (p for p in pointer.split("/") if p):
        if part == "*":
            found = [item for value in found if isinstance(value, list) for item in value]
        else:
            found = [value[part] for value in found if isinstance(value, dict) and part in value]
    return found


def ui_widget_fields(ui_schema: Any, widget: str, prefix: str = "") -> list[str]:
    """The pointers (with `*` for array items) of the fields a UI schema shows with `widget`."""
    if not isinstance(ui_schema, dict):
        return []
    found = [prefix or "/"] if ui_schema.get("ui:widget") == widget else []
    for name, sub in ui_schema.items():
        if not name.startswith("ui:"):
            found += ui_widget_fields(sub, widget, f"{prefix}/{'*' if name == 'items' else name}")
    return found


def declared_fields(schema: Any) -> set[str] | None:
    """The names a form declares at its top level: its properties and those of the subschemas that apply to the
    same object (if/then, allOf …, local references). None when it takes other names by design
    (patternProperties, additionalProperties given as a schema) or declares none at all."""
    names: set[str] = set()
    todo, seen = [schema], set()
    while todo:
        node = todo.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        if node.get("patternProperties") or isinstance(node.get("additionalProperties"), dict):
            return None
        names.update(node.get("properties") or {})
        for key in IN_PLACE:
            value = node.get(key)
            if isinstance(value, dict) and key == "dependentSchemas":
                value = list(value.values())
            todo.extend(value if isinstance(value, list) else [value])
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            todo.append(resolve(schema, ref))
    return names or None


def undeclared_field_errors(schema: Any, data: dict[str, Any]) -> list[dict[str, str]]:
    """A form error for each submitted name the form does not declare. Task data is merged into the case's data,
    so an undeclared name would overwrite whatever the case holds under it (who handles it, its dates)."""
    declared = declared_fields(schema)
    if declared is None:
        return []
    return [
        {"path": f"/{name}", "message": "not a field of this form", "kind": "additionalProperties", "value": name}
        for name in sorted(set(data) - declared)
    ]


def _applies(condition: Any, data: dict[str, Any]) -> bool:
    """Whether the case data meets a `ui:onlyWhen` condition: every name it lists holds one of its values."""
    if not isinstance(condition, dict):
        return True
    return all(
        data.get(name) in (values if isinstance(values, list) else [values]) for name, values in condition.items()
    )


def asked_form(schema: Any, ui: Any, data: dict[str, Any]) -> tuple[Any, Any]:
    """The form as a task asks it of the case with `data`. A top-level field whose UI schema has `ui:onlyWhen`
    ({case data name: [values]}, e.g. Art. 13 item 2 only at second instance) is asked only when the case holds one
    of those values; otherwise it is neither shown nor required (a value sent for it is still checked by its
    schema, and the diagram decides what it means). A top-level field whose UI schema has `ui:suggestFrom` (case
    data names) is offered what the case holds under them (`ui:suggestions`), never filled with it: the court an
    appeal was filed with, for the second instance's court. A list of choices whose items' UI schema has
    `ui:onlyWhen` ({choice: condition}) offers a choice only when the case meets its condition (the archive's
    区人民政府审签意见 only in a suit against the district government). A top-level field's `ui:helpWhen` entry with
    `ui:onlyWhen` is kept only when the case meets it (the appeal period's help at first instance only). Returns new
    objects; the stored form is left as it is."""
    if not isinstance(schema, dict) or not isinstance(ui, dict):
        return schema, ui
    ui = _helps_that_apply(_suggested(ui, data), data)
    schema = _offered_choices(schema, ui, data)
    skipped = [
        name
        for name, sub in ui.items()
        if isinstance(sub, dict) and "ui:onlyWhen" in sub and not _applies(sub["ui:onlyWhen"], data)
    ]
    if not skipped:
        return schema, ui
    required = schema.get("required")
    if isinstance(required, list):
        schema = {**schema, "required": [name for name in required if name not in skipped]}
    ui = {**ui, **{name: {**ui[name], "ui:widget": "hidden"} for name in skipped}}
    return schema, ui


def _offered_choices(schema: dict[str, Any], ui: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The schema with each top-level list's choices (`items.oneOf`) kept only where the case meets the condition
    its items' `ui:onlyWhen` names for them; a choice it does not name is always offered."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return schema
    changed = {}
    for name, sub in ui.items():
        items_ui = sub.get("items") if isinstance(sub, dict) else None
        when = items_ui.get("ui:onlyWhen") if isinstance(items_ui, dict) else None
        field = properties.get(name)
        items = field.get("items") if isinstance(field, dict) else None
        if not isinstance(field, dict) or not isinstance(when, dict) or not isinstance(items, dict):
            continue
        if not isinstance(items.get("oneOf"), list):
            continue
        kept = [c for c in items["oneOf"] if not isinstance(c, dict) or _applies(when.get(c.get("const")), data)]
        changed[name] = {**field, "items": {**items, "oneOf": kept}}
    return {**schema, "properties": {**properties, **changed}} if changed else schema


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _helps_that_apply(ui: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The UI schema without the `ui:helpWhen` entries whose `ui:onlyWhen` the case does not meet."""
    changed = {}
    for name, sub in ui.items():
        helps = sub.get("ui:helpWhen") if isinstance(sub, dict) else None
        if isinstance(helps, list) and any(isinstance(h, dict) and "ui:onlyWhen" in h for h in helps):
            kept = [h for h in helps if not isinstance(h, dict) or _applies(h.get("ui:onlyWhen"), data)]
            changed[name] = {**sub, "ui:helpWhen": kept}
    return {**ui, **changed} if changed else ui


def _suggested(ui: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The UI schema with each `ui:suggestFrom` resolved to the case's texts under those names (once each)."""
    resolved = {}
    for name, sub in ui.items():
        names = sub.get("ui:suggestFrom") if isinstance(sub, dict) else None
        if isinstance(names, list):
            texts = [str(data[n]).strip() for n in names if isinstance(n, str) and _text(data.get(n))]
            resolved[name] = {**sub, "ui:suggestions": list(dict.fromkeys(texts))}
    return {**ui, **resolved} if resolved else ui


MAX_REF_DEPTH = 6  # references followed inside one another: a form needs one or two; a self-reference stops here
MAX_REF_COPIES = 200  # definitions copied in all: a definition naming itself ten times would otherwise grow 10^6-fold


def inline_refs(schema: Any) -> Any:
    """A form schema with each local reference (`{"$ref": "#/$defs/agent"}`) replaced by the definition it names,
    for what walks a form by hand (its page fields, its labels); the validator follows references itself. A
    reference elsewhere, to nothing, deeper than MAX_REF_DEPTH or past MAX_REF_COPIES is left as it is."""
    defs = schema.get("$defs") if isinstance(schema, dict) else None
    if not isinstance(defs, dict):
        return schema
    copies = 0

    def walk(node: Any, depth: int) -> Any:
        nonlocal copies
        if isinstance(node, list):
            return [walk(item, depth) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and depth < MAX_REF_DEPTH and copies < MAX_REF_COPIES:
            target = defs.get(ref.removeprefix("#/$defs/"))
            if isinstance(target, dict):
                copies += 1
                return walk({**target, **{k: v for k, v in node.items() if k != "$ref"}}, depth + 1)
        return {key: walk(value, depth) for key, value in node.items() if key != "$defs"}

    return walk(schema, 0)


def check_show_when(schema: Any, ui: Any) -> list[tuple[str, str, str]]:
    """What is wrong with a UI schema's `ui:showWhen` and `ui:helpWhen` conditions against its form: each must name
    fields beside the field it is on (a misspelt name would hide that field, or that help, for good). (field path,
    the option, the name not found) for each."""
    problems: list[tuple[str, str, str]] = []

    def walk(props: Any, ui_level: Any, where: str) -> None:
        if not isinstance(ui_level, dict) or not isinstance(props, dict):
            return
        for name, sub in ui_level.items():
            if not isinstance(sub, dict) or name.startswith("ui:"):
                continue
            helps = sub.get("ui:helpWhen")
            conditions = [("ui:showWhen", sub.get("ui:showWhen"))]
            conditions += (
                [("ui:helpWhen", h.get("when")) for h in helps if isinstance(h, dict)]
                if isinstance(helps, list)
                else []
            )
            for option, condition in conditions:
                if condition is None:
                    continue
                unknown = sorted(set(condition) - set(props)) if isinstance(condition, dict) else ["(not an object)"]
                problems.extend((f"{where}{name}", option, other) for other in unknown)
            field = props.get(name)
            if isinstance(field, dict):
                walk(field.get("properties"), sub, f"{where}{name}.")
                items = field.get("items")
                if isinstance(items, dict):
                    walk(items.get("properties"), sub.get("items"), f"{where}{name}[].")

    whole = inline_refs(schema)
    walk(whole.get("properties") if isinstance(whole, dict) else None, ui, "")
    return problems
