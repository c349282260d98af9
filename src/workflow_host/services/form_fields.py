"""The fields of a form: where a JSON pointer leads in the form's schema, its ui schema and its data, the label a
field goes by and the labels of the values it may take; the fields a form declares or shows with a widget, and
its schema with the local references written out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = [
    "IN_PLACE",
    "Part",
    "data_at",
    "declared_fields",
    "field_label",
    "inline_refs",
    "pointer_parts",
    "pointer_text",
    "resolve",
    "schema_at",
    "shown",
    "ui_at",
    "ui_widget_fields",
    "value_labels",
    "values_at",
]

Part = str | int
QUOTED = 20  # characters of a typed value a message quotes
# Keywords whose subschemas apply to the same value (where a field's title and choices may be declared).
_SAME_VALUE = ("allOf", "then", "else")  # not anyOf/oneOf: the titles there name the alternatives
# Keywords whose subschemas apply to the same value (a $ref cycle through only these never ends).
IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas")


def pointer_parts(pointer: str) -> list[str]:
    """The names and indexes of a JSON pointer, unescaped."""
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p]


def pointer_text(parts: list[Part]) -> str:
    """The JSON pointer of `parts`, escaped."""
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


def ui_at(ui: Any, parts: Sequence[Part]) -> Any:
    """The UI schema of the field at `parts` (a list's items under `items`), or None."""
    for part in parts:
        ui = ui.get("items" if str(part).isdigit() else str(part)) if isinstance(ui, dict) else None
    return ui


def data_at(data: Any, parts: list[Part]) -> Any:
    """The value at `parts` of the data, or None when there is none."""
    for part in parts:
        if isinstance(data, dict):
            data = data.get(str(part))
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def field_label(root: Any, parts: Sequence[Part]) -> str:
    """The title of the field at `parts` (an untitled item: its list's title), else its name."""
    for depth in range(len(parts), 0, -1):
        for node in schema_at(root, parts[:depth]):
            if node.get("title"):
                return str(node["title"])
        if not str(parts[depth - 1]).isdigit():
            return str(parts[depth - 1])
    return ""


def value_labels(root: Any, ui: Any, parts: list[Part]) -> dict[str, str]:
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
    own = ui_at(ui, parts)
    if isinstance(own, dict) and "ui:enumNames" in own:
        return own["ui:enumNames"]
    if parts and str(parts[-1]).isdigit():
        outer = ui_at(ui, parts[:-1])
        return outer.get("ui:enumNames") if isinstance(outer, dict) else None
    return None


def shown(value: Any, labels: dict[str, str]) -> str | bool:
    """A value as the form names it: its label, a boolean as itself (the page says yes or no), else its text (the
    start of a long one: a message quotes what was typed, it does not repeat pages of it)."""
    label = labels.get(json.dumps(value, ensure_ascii=False))
    if label is not None:
        return label
    if isinstance(value, bool):
        return value
    text = str(value)
    return text if len(text) <= QUOTED else text[:QUOTED] + "…"


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
