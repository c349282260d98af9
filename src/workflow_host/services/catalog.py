"""What a process version says about its processes and user tasks, parsed once per version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from ..engine import ProcessInfo, UserTaskInfo, task_key
from ..models import ProcessVersion

__all__ = ["Catalog", "catalog_of"]


@dataclass(frozen=True)
class Catalog:
    """What a version says about its processes and user tasks."""

    processes: dict[str, ProcessInfo]
    user_tasks: dict[str, UserTaskInfo]

    def user_task(self, process_id: str, element_id: str) -> UserTaskInfo | None:
        return self.user_tasks.get(task_key(process_id, element_id))


@lru_cache(maxsize=64)
def _parse_catalog(content_hash: str, catalog_json: str) -> Catalog:
    raw = json.loads(catalog_json)
    return Catalog(
        {k: ProcessInfo(**v) for k, v in raw["processes"].items()},
        {k: UserTaskInfo(**v) for k, v in raw["user_tasks"].items()},
    )


def catalog_of(version: ProcessVersion) -> Catalog:
    """The parsed catalogue of a version (cached: versions never change)."""
    return _parse_catalog(version.content_hash, version.catalog_json)
