"""What a form validation error means to the person filling in the form: the field's label (its title), the values
it may take (by their labels), and the condition under which the rule applies (the `if` of a `then`/`else`, as the
person filled it in). The words themselves are the page's and the API's to choose, in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from .form_fields import (
    Part,
    data_at,
    field_label,
    pointer_text,
    resolve,
    schema_at,
    shown,
    ui_at,
    value_labels,
)
from .form_rule_facts import alternative_facts, describe_pattern, told_plainly

__all__ = ["FormError", "explain"]

# Keywords whose value is a map or a list of subschemas: the key after them is a name or an index, not a keyword.
_MAPS = ("properties", "patternProperties", "prefixItems", "$defs", "dependentSchemas", "allOf", "anyOf", "oneOf")
# Keywords whose subschema applies to a part of the value (one step further in the data).
_INTO = ("items", "additionalProperties", "unevaluatedItems", "unevaluatedProperties", "contains")


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
    subject = data_at(data, at)
    asked = [*dict.fromkeys([*(rule.get("required") or []), *(rule.get("properties") or {})])]
    found = []
    for name in asked:
        label = field_label(root, [*at, name])
        if not isinstance(subject, dict) or name not in subject:
            found.append({"label": label, "filled": False})
            continue
        test = (rule.get("properties") or {}).get(name)
        if isinstance(test, dict) and ("const" in test or "enum" in test):
            found.append({"label": label, "value": shown(subject[name], value_labels(root, ui, [*at, name]))})
        else:
            found.append({"label": label, "filled": True})
    return found


@dataclass
class _Case:
    """One validator error being explained: the form, the data, the field the error is at, where in the schema it
    arose and the condition under which its rule applies."""

    root: Any
    ui: Any
    data: Any
    error: ValidationError
    parts: list[Part]
    place: _Place
    when: list[dict[str, Any]]

    def made(self, at: list[Part], kind: str, value: Any = None, **detail: Any) -> FormError:
        """A form error of `kind` at the field `at`, with the condition of its rule."""
        said = f"'{at[-1]}' is a required property" if kind == "required" and at else self.error.message
        if self.when and "when" not in detail:
            detail["when"] = self.when
        if at and str(at[-1]).isdigit() and not any(n.get("title") for n in schema_at(self.root, at)):
            detail["item"] = int(at[-1]) + 1  # an untitled item is named by its list and its place in it
        if kind in ("required", "minItems") and (_is_choice(schema_at(self.root, at)) or _picked(self.ui, at)):
            detail["choice"] = True  # chosen, not typed: 请选择, not 请填写
        return FormError(pointer_text(at), kind, value, said, field_label(self.root, at), detail)

    def labels(self, at: list[Part] | None = None) -> dict[str, str]:
        """The labels of the values of the field at `at` (the error's own field by default)."""
        return value_labels(self.root, self.ui, self.parts if at is None else at)

    def as_is(self) -> list[FormError]:
        """The error as the validator put it, with nothing more to tell."""
        return [self.made(self.parts, str(self.error.validator), self.error.validator_value)]


def _is_choice(nodes: list[dict[str, Any]]) -> bool:
    """Whether the field these subschemas describe is answered by choosing (a yes/no, a list of options, or a list
    of check boxes) rather than typing."""

    def chosen(node: Any) -> bool:
        if not isinstance(node, dict):
            return False
        options = node.get("oneOf") or node.get("anyOf")
        consts = isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options)
        return bool(consts) or isinstance(node.get("enum"), list) or node.get("type") == "boolean"

    return any(chosen(node) or (node.get("type") == "array" and chosen(node.get("items"))) for node in nodes)


PICKERS = {"unit", "radio", "select", "checkboxes"}  # widgets answered by choosing, whatever the schema's type


def _picked(ui: Any, at: list[Part]) -> bool:
    """Whether the UI schema gives the field at `at` (or each item of it, for a list) a widget to choose with: a
    unit of the directory is picked, though the schema knows it only as text."""
    for node in (ui_at(ui, at), ui_at(ui, [*at, "0"])):
        if isinstance(node, dict) and node.get("ui:widget") in PICKERS:
            return True
    return False


def explain(root: Any, ui: Any, data: Any, error: ValidationError) -> list[FormError]:
    """The form errors a validator error stands for, each at the field it concerns."""
    place = _place(root, error)
    case = _Case(root, ui, data, error, list(error.absolute_path), place, _condition(root, ui, data, error, place))
    told = _TOLD.get(error.validator)
    return told(case) if told is not None else case.as_is()


def _required(case: _Case) -> list[FormError]:
    error = case.error
    if not isinstance(error.instance, dict):
        return case.as_is()
    return [case.made([*case.parts, m], "required") for m in error.validator_value if m not in error.instance]


def _dependent_required(case: _Case) -> list[FormError]:
    error, parts = case.error, case.parts
    if not isinstance(error.instance, dict):
        return case.as_is()
    needs = error.validator_value if isinstance(error.validator_value, dict) else {}
    given = [n for n in needs if n in error.instance]
    missing = [d for n in given for d in needs[n] if d not in error.instance]
    filled = [{"label": field_label(case.root, [*parts, n]), "filled": True} for n in given]
    return [case.made([*parts, m], "required", None, when=filled) for m in dict.fromkeys(missing)]


def _not_allowed(case: _Case) -> list[FormError]:
    """A `false` subschema: the value may not be given here. Under "properties" jsonschema reports it at the
    object, not at the property that has it: every property given there whose schema is `false` is named."""
    node, parts, subject = case.place.node, case.parts, data_at(case.data, case.parts)
    if isinstance(node, dict) and isinstance(node.get("properties"), dict) and isinstance(subject, dict):
        banned = [n for n, sub in node["properties"].items() if sub is False and n in subject]
        if banned:
            return [case.made([*parts, name], "not_allowed") for name in banned]
    return [case.made(parts, "not_allowed")]


def _alternatives(case: _Case) -> list[FormError]:
    error, parts = case.error, case.parts
    choices = [c for c in error.validator_value if isinstance(c, dict)]
    labels = case.labels()
    if choices and len(choices) == len(error.validator_value) and all("const" in c for c in choices):
        options = [str(c.get("title") or shown(c["const"], labels)) for c in choices]
        return [case.made(parts, "enum", None, options=options)]
    if not error.context:  # oneOf: more than one alternative fits
        return [case.made(parts, "oneOf_many")]
    if len(choices) == len(error.validator_value) and all(told_plainly(c) for c in choices):
        alternatives = [alternative_facts(c, labels) for c in choices]
        return [case.made(parts, "alternatives", None, alternatives=alternatives)]
    closest = best_match(error.context)
    if closest is None:
        return [case.made(parts, str(error.validator))]
    return explain(case.root, case.ui, case.data, closest)


def _not(case: _Case) -> list[FormError]:
    rule, parts = case.error.validator_value, case.parts
    if isinstance(rule, dict) and set(rule) == {"required"} and isinstance(case.error.instance, dict):
        names = [str(n) for n in rule["required"]]
        together = [field_label(case.root, [*parts, n]) for n in names]
        return [case.made([*parts, names[-1]], "not_together", None, labels=together)]
    if isinstance(rule, dict) and set(rule) <= {"const", "enum", "title"} and ("const" in rule or "enum" in rule):
        labels = case.labels()
        refused = [rule["const"]] if "const" in rule else list(rule["enum"])
        return [case.made(parts, "not_value", None, options=[shown(v, labels) for v in refused])]
    return [case.made(parts, "not")]


def _contains(case: _Case) -> list[FormError]:
    rule, parts = case.error.validator_value, case.parts
    item = [*parts, 0]
    if not isinstance(rule, dict):  # `contains: true` (any item will do) or false
        return [case.made(parts, "contains")]
    if "const" in rule:
        return [case.made(parts, "contains_value", None, options=[shown(rule["const"], case.labels(item))])]
    found = rule.get("properties")
    tests = {n: s for n, s in found.items() if isinstance(s, dict) and "const" in s} if isinstance(found, dict) else {}
    if len(tests) == 1:
        [(name, test)] = tests.items()
        value = shown(test["const"], case.labels([*item, name]))
        member = field_label(case.root, [*item, name])
        return [case.made(parts, "contains_member", None, member=member, options=[value])]
    return [case.made(parts, "contains")]


def _enum_or_const(case: _Case) -> list[FormError]:
    error, labels = case.error, case.labels()
    if error.validator == "const" and isinstance(error.validator_value, bool | str | int):
        return [case.made(case.parts, "const", error.validator_value, expected=shown(error.validator_value, labels))]
    allowed = error.validator_value if error.validator == "enum" else [error.validator_value]
    return [case.made(case.parts, "enum", None, options=[shown(v, labels) for v in allowed])]


def _type(case: _Case) -> list[FormError]:
    wanted = case.error.validator_value
    answers = case.labels() if wanted == "boolean" else {}
    if "true" in answers and "false" in answers:  # the form's own words for yes and no
        return [case.made(case.parts, "type", "boolean", options=[answers["true"], answers["false"]])]
    return [case.made(case.parts, "type", wanted if isinstance(wanted, str) else str(wanted))]


def _format(case: _Case) -> list[FormError]:
    error = case.error
    reason = getattr(error.cause, "reason", None)
    if reason and isinstance(error.instance, str):
        return [case.made(case.parts, "format", error.validator_value, reason=reason, length=len(error.instance))]
    return [case.made(case.parts, "format", error.validator_value)]


def _pattern(case: _Case) -> list[FormError]:
    pattern = case.error.validator_value
    return [case.made(case.parts, "pattern", pattern, **describe_pattern(str(pattern)))]


def _max_length(case: _Case) -> list[FormError]:
    error = case.error
    if not isinstance(error.instance, str):
        return case.as_is()
    return [case.made(case.parts, "maxLength", error.validator_value, length=len(error.instance))]


def _additional_properties(case: _Case) -> list[FormError]:
    error, node = case.error, case.place.node
    if not isinstance(error.instance, dict):
        return case.as_is()
    declared = set((node or {}).get("properties") or {}) if isinstance(node, dict) else set()
    named = [name for name in error.instance if name not in declared]
    return [case.made([*case.parts, name], "additionalProperties", name) for name in named]


# How each validator's error is told; a `false` subschema fails with no validator (None).
_TOLD: dict[Any, Callable[[_Case], list[FormError]]] = {
    "required": _required,
    "dependentRequired": _dependent_required,
    None: _not_allowed,
    "oneOf": _alternatives,
    "anyOf": _alternatives,
    "not": _not,
    "contains": _contains,
    "enum": _enum_or_const,
    "const": _enum_or_const,
    "type": _type,
    "format": _format,
    "pattern": _pattern,
    "maxLength": _max_length,
    "additionalProperties": _additional_properties,
}
