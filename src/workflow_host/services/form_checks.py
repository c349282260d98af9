"""A form's files checked at deploy time: a schema must be valid JSON Schema 2020-12, refer only inside itself,
never lead back to itself without end, and hold no pattern that backtracks for hours; a UI schema's conditions
must name fields of its form."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from .errors import Invalid
from .form_fields import IN_PLACE, inline_refs, resolve

__all__ = ["check_form_schema", "check_show_when"]


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
