"""Moving running cases to a newer version of their diagrams.

A case may move when nothing it has done or is doing changed: every element it completed or waits at is the
same in the new version (changes lie only downstream of its tokens), and so are the form schemas of the user
tasks among them and the decision tables of the business rule tasks it ran; its stored state rebuilds under the
new version, and what a person can observe (status, data, open tasks) is the same afterwards. A case that cannot
move stays on its version and says why. Each move is an audit event; replay rebinds the case at that event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..engine import EngineError, Runtime, now
from ..models import Instance, ProcessVersion, User
from .audit import append_events
from .catalog import catalog_of
from .errors import NotFound
from .migration_files import Reason, VersionFiles, changed_files
from .permissions import require_any_role
from .steps import load_case
from .version_diff import DiagramDiff, diagram_diff

__all__ = ["MIGRATORS", "MigrationCheck", "Reason", "check_migrations", "migrate_cases"]

MIGRATORS = {"analyst", "admin"}


@dataclass
class MigrationCheck:
    """Whether one case can move to the target version, and why not."""

    instance_id: int
    case_no: str | None
    version_id: int
    can_move: bool
    reasons: list[Reason] = field(default_factory=list)
    touched_changes: list[str] = field(default_factory=list)  # elements it ran or waits at that changed


def _target(session: Session, version_id: int) -> ProcessVersion:
    target = session.get(ProcessVersion, version_id)
    if target is None:
        raise NotFound(f"version {version_id} does not exist")
    return target


class _Comparisons:
    """One comparison per process and pair of versions, and one read of each version's files, however many
    cases share them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.files = VersionFiles(session)
        self._diffs: dict[tuple[str, int, int], DiagramDiff] = {}

    def diff(self, process_id: str, old_id: int, new_id: int) -> DiagramDiff:
        key = (process_id, old_id, new_id)
        if key not in self._diffs:
            self._diffs[key] = diagram_diff(self.session, process_id, old_id, new_id)
        return self._diffs[key]


def _untouched(
    check: MigrationCheck,
    states: dict[str, dict[str, str]],
    source: ProcessVersion,
    target: ProcessVersion,
    seen: _Comparisons,
) -> bool:
    """Whether every element the case ran or waits at, and the form or decision it uses, is the same in `target`
    (else the reasons are added to `check`)."""
    target_processes = catalog_of(target).processes
    for process_id, elements in states.items():
        if process_id not in target_processes:
            check.reasons.append(Reason("missing_process", {"process": process_id, "version": str(target.id)}))
            return False
        diff = seen.diff(process_id, check.version_id, target.id)
        moved = sorted(set(elements) & (set(diff.changed) | set(diff.removed)))
        check.touched_changes += [f"{process_id}:{element}" for element in moved]
        check.reasons += changed_files(seen.files, source, target, process_id, sorted(set(elements) - set(moved)))
    if check.touched_changes:
        check.reasons.insert(0, Reason("steps_changed", {"steps": ", ".join(check.touched_changes)}))
    return not check.reasons


def _check(
    session: Session, runtime: Runtime, row: Instance, target: ProcessVersion, seen: _Comparisons
) -> tuple[MigrationCheck, Any]:
    check = MigrationCheck(row.id, row.case_no, row.version_id, False)
    if row.status != "running":
        check.reasons.append(Reason("status", {"status": row.status}))
        return check, None
    if row.version_id == target.id:
        check.reasons.append(Reason("same_version"))
        return check, None
    case = load_case(session, runtime, row.id, lock=False)
    source = session.get(ProcessVersion, row.version_id)
    assert source is not None  # a case's version is never deleted
    if not _untouched(check, case.engine.element_states(), source, target, seen):
        return check, None
    try:
        rebound = runtime.rebind(case.engine, target.spec_json)
    except EngineError as err:
        check.reasons.append(Reason("not_rebuilt", {"reason": err.message}))
        return check, None
    if rebound.state_digest() != case.engine.state_digest():
        check.reasons.append(Reason("looks_different"))
        return check, None
    check.can_move = True
    return check, rebound


def check_migrations(
    session: Session, runtime: Runtime, user: User, process_id: str, version_id: int
) -> list[MigrationCheck]:
    """For every running case of `process_id` on another version: can it move to `version_id`?"""
    require_any_role(user, MIGRATORS, "migrate cases")
    target = _target(session, version_id)
    rows = session.scalars(
        select(Instance)
        .where(Instance.process_id == process_id, Instance.status == "running", Instance.version_id != target.id)
        .order_by(Instance.id)
    )
    seen = _Comparisons(session)
    return [_check(session, runtime, row, target, seen)[0] for row in rows]


def migrate_cases(
    session: Session, runtime: Runtime, user: User, instance_ids: list[int], version_id: int
) -> list[MigrationCheck]:
    """Move the cases that can move (checked again under the row lock); the others stay, with their reasons."""
    require_any_role(user, MIGRATORS, "migrate cases")
    target = _target(session, version_id)
    results: list[MigrationCheck] = []
    seen = _Comparisons(session)
    for instance_id in sorted(set(instance_ids)):
        row = session.scalar(select(Instance).where(Instance.id == instance_id).with_for_update())
        if row is None:
            raise NotFound(f"case {instance_id} does not exist")
        check, rebound = _check(session, runtime, row, target, seen)
        results.append(check)
        if not check.can_move or rebound is None:
            continue
        source = session.get(ProcessVersion, row.version_id)
        assert source is not None  # a case's version is never deleted
        payload = {"from_version": source.id, "from_hash": source.content_hash, "to_version": target.id}
        session.execute(
            update(Instance)
            .where(Instance.id == row.id)
            .values(version_id=target.id, revision=row.revision + 1, updated_at=now())
            .execution_options(synchronize_session=False)
        )
        append_events(session, row, [("version_migrated", user.username, payload)], now(), target.content_hash)
    return results
