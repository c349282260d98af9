"""Errors the engine reports about diagrams and running instances."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DiagramError", "DiagramErrors", "EngineError", "ScriptError"]


@dataclass
class DiagramError(Exception):
    """One problem in one diagram file, located by element and line where known.

    `line` is the XML line, except for a refused script or expression, where it is the line within it. `code` and
    `params` name the problem and what it is about, for the pages to word it in the reader's language (the message
    is the API's and the command line's English)."""

    file: str
    message: str
    element_id: str | None = None
    line: int | None = None
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        where = self.file
        if self.element_id:
            where += f" [{self.element_id}]"
        if self.line:
            where += f" line {self.line}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"file": self.file, "element_id": self.element_id, "line": self.line}
        found["message"] = self.message
        if self.code:
            found.update(code=self.code, params=self.params)
        return found


class DiagramErrors(Exception):
    """All problems found in a set of diagrams; nothing of it may be deployed."""

    def __init__(self, errors: list[DiagramError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class ScriptError(Exception):
    """A script or expression was refused by the sandbox or failed while running. `said`: the text of a
    ValueError the script raised itself (`raise ValueError('…')`), which the diagram wrote for the user."""

    def __init__(self, message: str, line: int | None = None, said: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.said = said


class EngineError(Exception):
    """Running an instance failed; the step that caused it must not be kept."""

    def __init__(self, message: str, element_id: str | None = None, said: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.element_id = element_id
        self.said = said  # what a script told the user (ScriptError.said)
