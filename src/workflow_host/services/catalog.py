"""What a process version says about its processes and user tasks, parsed once per version."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..engine import ProcessInfo, UserTaskInfo, task_key
from ..models import ProcessVersion
from .memo import Memo

__all__ = ["Catalog", "catalog_of"]


@dataclass(frozen=True)
class Catalog:
    """What a version says about its processes and user tasks."""

    processes: dict[str, ProcessInfo]
    user_tasks: dict[str, UserTaskInfo]

    def user_task(self, process_id: str, element_id: str) -> UserTaskInfo | None:
        return self.user_tasks.get(task_key(process_id, element_id))


def _parse_catalog(catalog_json: str) -> Catalog:
    raw = json.loads(catalog_json)
    return Catalog(
        {k: ProcessInfo(**v) for k, v in raw["processes"].items()},
        {k: UserTaskInfo(**v) for k, v in raw["user_tasks"].items()},
    )


_CATALOGS: Memo[str, Catalog] = Memo(64)  # by content hash: a version never changes, so neither does its catalogue


def catalog_of(version: ProcessVersion) -> Catalog:
    """The parsed catalogue of a version, read and parsed once per process (its column may be left unloaded)."""
    return _CATALOGS.get_or_make(version.content_hash, lambda: _parse_catalog(version.catalog_json))
