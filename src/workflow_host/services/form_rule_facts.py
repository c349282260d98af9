"""A rule of a form as the plain facts a message tells: a pattern's characters and lengths, an alternative's
title, or its type, values, format and pattern. A rule too involved to tell truly is told nothing of."""

from __future__ import annotations

import re
from typing import Any

from .form_fields import shown

__all__ = ["alternative_facts", "describe_pattern", "told_plainly"]

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


def told_plainly(choice: dict[str, Any]) -> bool:
    """Whether an alternative says nothing a message could not tell in plain words."""
    return set(choice) <= _SIMPLE


def alternative_facts(choice: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
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
        facets.append({"kind": "options", "value": [shown(choice["const"], labels)]})
    if isinstance(choice.get("enum"), list):
        facets.append({"kind": "options", "value": [shown(v, labels) for v in choice["enum"]]})
    if isinstance(choice.get("pattern"), str):
        facets.append({"kind": "pattern", "value": describe_pattern(choice["pattern"])})
    return facets


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
    chars = _class_chars(body)
    if chars is None:
        return {}
    minimum = 1 if plus else int(low)
    maximum = None if plus or high == "" else int(high) if high is not None else minimum
    return {"shape": "chars", "chars": chars, "min": minimum, "max": maximum}


def _class_chars(body: str) -> list[str] | None:
    """The characters a class's body allows (its ranges by name), or None when they cannot be told truly."""
    chars: list[str] = []
    for name, range_ in ((n, r) for r, n in _NAMED_RANGES.items()):
        if range_ in body:
            chars.append(name)
            body = body.replace(range_, "")
    for single in re.findall(r"\\.|.", body):
        if single in ("-",) or (len(single) == 1 and not single.isprintable()):
            return None
        text = single[-1]
        if single.startswith("\\") and text.isalnum():
            return None  # \d, \w …: say nothing rather than something wrong
        chars.append("space" if text == " " else text)
    return chars
