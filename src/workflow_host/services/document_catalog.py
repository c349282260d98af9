"""The catalogue of court and district documents (`documents/catalog.yaml`): each document's title, template and
article, whether it is made once per unit, and which tasks and case pages offer it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

__all__ = ["DOCUMENTS_DIR", "DocumentInfo", "catalog"]

DOCUMENTS_DIR = Path(__file__).resolve().parents[3] / "documents"


@dataclass(frozen=True)
class DocumentInfo:
    """One document of the catalogue."""

    key: str
    title: str
    template: str
    article: str
    per_unit: bool
    tasks: tuple[str, ...]
    cases: tuple[str, ...]


@cache
def _load(path: Path) -> dict[str, DocumentInfo]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        key: DocumentInfo(
            key,
            str(entry["title"]),
            str(entry["template"]),
            str(entry.get("article", "")),
            bool(entry.get("per_unit")),
            tuple(entry.get("tasks") or ()),
            # a process run as a case of its own (as its tests do) offers its tasks' documents on its page too
            tuple(entry.get("cases") or ()) + tuple(sorted({t.split("/")[0] for t in entry.get("tasks") or ()})),
        )
        for key, entry in raw.items()
    }


def catalog(root: Path = DOCUMENTS_DIR) -> dict[str, DocumentInfo]:
    """The documents of `documents/catalog.yaml`, by key."""
    return _load(root / "catalog.yaml")
