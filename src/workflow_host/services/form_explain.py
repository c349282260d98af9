"""What a form validation error means to the person filling in the form: the field's label (its title), the values
it may take (by their labels), and the condition under which the rule applies (the `if` of a `then`/`else`, as the
person filled it in). The words themselves are the page's and the API's to choose, in the user's language."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from jsonschema.exceptions import ValidationError, best_match

__all__ = ["FormError", "explain", "field_label", "pointer_parts", "schema_at"]

Part = str | int
QUOTED = 20  # characters of a typed value a message quotes
# Keywords whose subschemas apply to the same value (where a field's title and choices may be declared).
_SAME_VALUE = ("allOf", "then", "else")  # not anyOf/oneOf: the titles there name the alternatives
# Keywords whose value is a map or a list of subschemas: the key after them is a name or an index, not a keyword.
_MAPS = ("properties", "patternProperties", "prefixItems", "$defs", "dependentSchemas", "allOf", "anyOf", "oneOf")
# Keywords whose subschema applies to a part of the value (one step further in the data).
_INTO = ("items", "additionalProperties", "unevaluatedItems", "unevaluatedProperties", "contains")
# What an alternative of anyOf/oneOf may say and still be told in plain words.
_SIMPLE = {
    "title",
    "description",
    "type",
    "const",
    "enum",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
}


@dataclass(frozen=True)
class FormError:
    """A validation error at the JSON pointer of the field it concerns (a missing property's own pointer), with
    the validator that failed and its parameter, the field's label and what a message needs besides (`detail`:
    `when` the condition, `options` the allowed values, …), for messages in the user's language."""

    path: str
    validator: str
    value: Any
    message: str
    label: str = ""
    detail: dict[str, Any] = field(default_factory=dict, compare=False)


def pointer_parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p]


def _pointer_text(parts: list[Part]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(schema: Any, ref: str) -> Any:
    """The subschema a local '#/a/b' reference names, or None."""
    node = schema
    for part in pointer_parts(ref[1:]) if ref != "#" else []:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            node = node.get(part) if isinstance(node, dict) else None
    return node


def _applying(root: Any, node: Any) -> list[dict[str, Any]]:
    """`node` and the subschemas that apply to the same value (allOf, then, else, local references …)."""
    found: list[dict[str, Any]] = []
    todo, seen = [node], set()
    while todo:
        current = todo.pop(0)
        if not isinstance(current, dict) or id(current) in seen:
            continue
        seen.add(id(current))
        found.append(current)
        ref = current.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            todo.append(resolve(root, ref))
        for key in _SAME_VALUE:
            value = current.get(key)
            todo.extend(value if isinstance(value, list) else [value])
    return found


def schema_at(root: Any, parts: Sequence[Part]) -> list[dict[str, Any]]:
    """Every subschema that describes the value at `parts` of the data."""
    nodes = _applying(root, root)
    for part in parts:
        found: list[Any] = []
        for node in nodes:
            found.append((node.get("properties") or {}).get(str(part)) if isinstance(node, dict) else None)
            if str(part).isdigit():
                prefix = node.get("prefixItems")
                index = int(part)
                found.append(prefix[index] if isinstance(prefix, list) and index < len(prefix) else node.get("items"))
        nodes = [n for f in found for n in _applying(root, f)]
    return nodes


def _ui_at(ui: Any, parts: Sequence[Part]) -> Any:
    for part in parts:
        ui = ui.get("items" if str(part).isdigit() else str(part)) if isinstance(ui, dict) else None
    return ui


def field_label(root: Any, parts: Sequence[Part]) -> str:
    """The title of the field at `parts` (an untitled item: its list's title), else its name."""
    for depth in range(len(parts), 0, -1):
        for node in schema_at(root, parts[:depth]):
            if node.get("title"):
                return str(node["title"])
        if not str(parts[depth - 1]).isdigit():
            return str(parts[depth - 1])
    return ""


def _value_labels(root: Any, ui: Any, parts: list[Part]) -> dict[str, str]:
    """JSON text of a value → its label, for the field at `parts` (`oneOf` const + title, `enum` + ui:enumNames, a
    yes/no field's two answers as ui:enumNames words them)."""
    labels: dict[str, str] = {}
    names = _enum_names(ui, parts)
    for node in schema_at(root, parts):
        for option in (node.get("oneOf") or []) + (node.get("anyOf") or []):
            if isinstance(option, dict) and "const" in option and option.get("title"):
                labels.setdefault(json.dumps(option["const"], ensure_ascii=False), str(option["title"]))
        if isinstance(node.get("enum"), list) and isinstance(names, list):
            for value, name in zip(node["enum"], names, strict=False):
                labels.setdefault(json.dumps(value, ensure_ascii=False), str(name))
        elif node.get("type") == "boolean" and isinstance(names, list) and len(names) == 2:  # "同意上诉" / "不上诉"
            labels.setdefault("true", str(names[0]))
            labels.setdefault("false", str(names[1]))
    return labels


def _enum_names(ui: Any, parts: Sequence[Part]) -> Any:
    """The ui:enumNames of the field at `parts`; an item of a list of check boxes has them on its list."""
    own = _ui_at(ui, parts)
    if isinstance(own, dict) and "ui:enumNames" in own:
        return own["ui:enumNames"]
    if parts and str(parts[-1]).isdigit():
        outer = _ui_at(ui, parts[:-1])
        return outer.get("ui:enumNames") if isinstance(outer, dict) else None
    return None


def _shown(value: Any, labels: dict[str, str]) -> str | bool:
    """A value as the form names it: its label, a boolean as itself (the page says yes or no), else its text (the
    start of a long one: a message quotes what was typed, it does not repeat pages of it)."""
    label = labels.get(json.dumps(value, ensure_ascii=False))
    if label is not None:
        return label
    if isinstance(value, bool):
        return value
    text = str(value)
    return text if len(text) <= QUOTED else text[:QUOTED] + "…"


def _data_at(data: Any, parts: list[Part]) -> Any:
    for part in parts:
        if isinstance(data, dict):
            data = data.get(str(part))
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


class Made(Protocol):
    def __call__(self, at: list[Part], kind: str, value: Any = None, **detail: Any) -> FormError: ...


@dataclass
class _Place:
    """Where in the schema an error arose: the node holding the failed keyword and the last then/else passed."""

    node: Any
    branch_owner: dict[str, Any] | None = None  # the schema with the `if` whose then/else applied
    branch_depth: int = 0  # how many steps into the data that schema applies


def _step(root: Any, node: Any, key: Any) -> tuple[Any, Any]:
    """(the schema that has `key`, following references jsonschema leaves out of its paths; what `key` holds)."""
    for _hop in range(16):  # a chain of references to a reference
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            return node, node[key]
        if isinstance(node, dict) and key in node:
            return node, node[key]
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            break
        node = resolve(root, ref)
    return None, None


def _place(root: Any, error: ValidationError) -> _Place:
    place = _Place(root)
    depth, in_map, previous = 0, False, None
    for key in list(error.absolute_schema_path)[:-1]:
        parent, place.node = _step(root, place.node, key)
        if in_map:
            in_map = False
            depth += previous in ("properties", "patternProperties", "prefixItems")
        elif key in _MAPS:
            in_map = True
        elif key in _INTO:
            depth += 1
        elif key in ("then", "else") and isinstance(parent, dict) and "if" in parent:
            place.branch_owner, place.branch_depth = parent, depth
        previous = key
    return place


def _condition(root: Any, ui: Any, data: Any, error: ValidationError, place: _Place) -> list[dict[str, Any]]:
    """The fields the `if` of the applying then/else asks about, as the person filled them in."""
    owner = place.branch_owner
    if owner is None or not isinstance(owner.get("if"), dict):
        return []
    rule: dict[str, Any] = owner["if"]
    at = list(error.absolute_path)[: place.branch_depth]
    subject = _data_at(data, at)
    asked = [*dict.fromkeys([*(rule.get("required") or []), *(rule.get("properties") or {})])]
    found = []
    for name in asked:
        label = field_label(root, [*at, name])
        if not isinstance(subject, dict) or name not in subject:
            found.append({"label": label, "filled": False})
            continue
        test = (rule.get("properties") or {}).get(name)
        if isinstance(test, dict) and ("const" in test or "enum" in test):
            found.append({"label": label, "value": _shown(subject[name], _value_labels(root, ui, [*at, name]))})
        else:
            found.append({"label": label, "filled": True})
    return found


def explain(root: Any, ui: Any, data: Any, error: ValidationError) -> list[FormError]:
    """The form errors a validator error stands for, each at the field it concerns."""
    parts: list[Part] = list(error.absolute_path)
    place = _place(root, error)
    when = _condition(root, ui, data, error, place)

    def made(at: list[Part], kind: str, value: Any = None, **detail: Any) -> FormError:
        said = f"'{at[-1]}' is a required property" if kind == "required" and at else error.message
        if when and "when" not in detail:
            detail["when"] = when
        if at and str(at[-1]).isdigit() and not any(n.get("title") for n in schema_at(root, at)):
            detail["item"] = int(at[-1]) + 1  # an untitled item is named by its list and its place in it
        return FormError(_pointer_text(at), kind, value, said, field_label(root, at), detail)

    kind = error.validator
    if kind == "required" and isinstance(error.instance, dict):
        return [made([*parts, m], "required") for m in error.validator_value if m not in error.instance]
    if kind == "dependentRequired" and isinstance(error.instance, dict):
        needs = error.validator_value if isinstance(error.validator_value, dict) else {}
        given = [n for n in needs if n in error.instance]
        missing = [d for n in given for d in needs[n] if d not in error.instance]
        filled = [{"label": field_label(root, [*parts, n]), "filled": True} for n in given]
        return [made([*parts, m], "required", None, when=filled) for m in dict.fromkeys(missing)]
    if kind is None:  # a `false` subschema: the value may not be given here
        return _not_allowed(place, _data_at(data, parts), parts, made)
    if kind in ("oneOf", "anyOf"):
        return _alternatives(root, ui, data, error, parts, made)
    if kind == "not":
        return _not(root, ui, error, parts, made)
    if kind == "contains":
        return _contains(root, ui, error, parts, made)
    if kind in ("enum", "const"):
        labels = _value_labels(root, ui, parts)
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        if kind == "const" and isinstance(error.validator_value, bool | str | int):
            return [made(parts, "const", error.validator_value, expected=_shown(error.validator_value, labels))]
        return [made(parts, "enum", None, options=[_shown(v, labels) for v in allowed])]
    if kind == "type":
        wanted = error.validator_value
        answers = _value_labels(root, ui, parts) if wanted == "boolean" else {}
        if "true" in answers and "false" in answers:  # the form's own words for yes and no
            return [made(parts, "type", "boolean", options=[answers["true"], answers["false"]])]
        return [made(parts, "type", wanted if isinstance(wanted, str) else str(wanted))]
    if kind == "format":
        reason = getattr(error.cause, "reason", None)
        if reason and isinstance(error.instance, str):
            return [made(parts, "format", error.validator_value, reason=reason, length=len(error.instance))]
        return [made(parts, "format", error.validator_value)]
    if kind == "pattern":
        return [made(parts, "pattern", error.validator_value, **describe_pattern(str(error.validator_value)))]
    if kind == "maxLength" and isinstance(error.instance, str):
        return [made(parts, "maxLength", error.validator_value, length=len(error.instance))]
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        declared = set((place.node or {}).get("properties") or {}) if isinstance(place.node, dict) else set()
        return [made([*parts, name], "additionalProperties", name) for name in error.instance if name not in declared]
    return [made(parts, str(kind), error.validator_value)]


def _not_allowed(place: _Place, subject: Any, parts: list[Part], made: Made) -> list[FormError]:
    """A `false` subschema. Under "properties" jsonschema reports it at the object, not at the property that has
    it: every property given there whose schema is `false` is named."""
    node = place.node
    if isinstance(node, dict) and isinstance(node.get("properties"), dict) and isinstance(subject, dict):
        banned = [n for n, sub in node["properties"].items() if sub is False and n in subject]
        if banned:
            return [made([*parts, name], "not_allowed") for name in banned]
    return [made(parts, "not_allowed")]


def _alternatives(root: Any, ui: Any, data: Any, error: ValidationError, parts: list[Part], made: Made) -> list[Any]:
    choices = [c for c in error.validator_value if isinstance(c, dict)]
    labels = _value_labels(root, ui, parts)
    if choices and len(choices) == len(error.validator_value) and all("const" in c for c in choices):
        return [made(parts, "enum", None, options=[str(c.get("title") or _shown(c["const"], labels)) for c in choices])]
    if not error.context:  # oneOf: more than one alternative fits
        return [made(parts, "oneOf_many")]
    if len(choices) == len(error.validator_value) and all(set(c) <= _SIMPLE for c in choices):
        return [made(parts, "alternatives", None, alternatives=[_facets(c, labels) for c in choices])]
    closest = best_match(error.context)
    return explain(root, ui, data, closest) if closest is not None else [made(parts, str(error.validator))]


def _facets(choice: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    """An alternative as the plain facts a message tells: its title, or its type, values, format, pattern …"""
    if choice.get("title"):
        return [{"kind": "title", "value": str(choice["title"])}]
    facets: list[dict[str, Any]] = []
    said = set(choice) - {"title", "description", "type"}
    if "type" in choice and not (choice["type"] == "string" and said):  # "text" goes without saying beside a format
        facets.append({"kind": "type", "value": choice["type"]})
    for key in ("format", "minLength", "maxLength", "minimum", "maximum"):
        if key in choice:
            facets.append({"kind": key, "value": choice[key]})
    if "const" in choice:
        facets.append({"kind": "options", "value": [_shown(choice["const"], labels)]})
    if isinstance(choice.get("enum"), list):
        facets.append({"kind": "options", "value": [_shown(v, labels) for v in choice["enum"]]})
    if isinstance(choice.get("pattern"), str):
        facets.append({"kind": "pattern", "value": describe_pattern(choice["pattern"])})
    return facets


def _not(root: Any, ui: Any, error: ValidationError, parts: list[Part], made: Made) -> list[FormError]:
    rule = error.validator_value
    if isinstance(rule, dict) and set(rule) == {"required"} and isinstance(error.instance, dict):
        names = [str(n) for n in rule["required"]]
        together = [field_label(root, [*parts, n]) for n in names]
        return [made([*parts, names[-1]], "not_together", None, labels=together)]
    if isinstance(rule, dict) and set(rule) <= {"const", "enum", "title"} and ("const" in rule or "enum" in rule):
        labels = _value_labels(root, ui, parts)
        refused = [rule["const"]] if "const" in rule else list(rule["enum"])
        return [made(parts, "not_value", None, options=[_shown(v, labels) for v in refused])]
    return [made(parts, "not")]


def _contains(root: Any, ui: Any, error: ValidationError, parts: list[Part], made: Made) -> list[FormError]:
    rule = error.validator_value
    item = [*parts, 0]
    if not isinstance(rule, dict):  # `contains: true` (any item will do) or false
        return [made(parts, "contains")]
    if "const" in rule:
        return [made(parts, "contains_value", None, options=[_shown(rule["const"], _value_labels(root, ui, item))])]
    found = rule.get("properties")
    tests = {n: s for n, s in found.items() if isinstance(s, dict) and "const" in s} if isinstance(found, dict) else {}
    if len(tests) == 1:
        [(name, test)] = tests.items()
        value = _shown(test["const"], _value_labels(root, ui, [*item, name]))
        return [made(parts, "contains_member", None, member=field_label(root, [*item, name]), options=[value])]
    return [made(parts, "contains")]


_CLASS_LENGTH = re.compile(r"\^\[((?:\\.|[^\]\\])+)\](?:\{(\d+)(?:,(\d*))?\}|(\+))\$")
_NAMED_RANGES = {"0-9": "digits", "a-z": "lowercase", "A-Z": "uppercase"}


def describe_pattern(pattern: str) -> dict[str, Any]:
    """A pattern in plain facts where it has a simple shape: `not_blank` (\\S), or `chars` (the characters a
    class allows, spaces as "space") with `min`/`max` lengths; empty when it is not that simple."""
    if pattern in ("\\S", "^.*\\S.*$", "[^\\s]"):
        return {"shape": "not_blank"}
    shape = _CLASS_LENGTH.fullmatch(pattern)
    if not shape:
        return {}
    body, low, high, plus = shape.groups()
    if body.startswith("^"):
        return {}  # [^…]: the characters it refuses, which "may hold only" would turn around
    chars: list[str] = []
    for name, range_ in ((n, r) for r, n in _NAMED_RANGES.items()):
        if range_ in body:
            chars.append(name)
            body = body.replace(range_, "")
    for single in re.findall(r"\\.|.", body):
        if single in ("-",) or (len(single) == 1 and not single.isprintable()):
            return {}
        text = single[-1]
        if single.startswith("\\") and text.isalnum():
            return {}  # \d, \w …: say nothing rather than something wrong
        chars.append("space" if text == " " else text)
    minimum = 1 if plus else int(low)
    maximum = None if plus or high == "" else int(high) if high is not None else minimum
    return {"shape": "chars", "chars": chars, "min": minimum, "max": maximum}
