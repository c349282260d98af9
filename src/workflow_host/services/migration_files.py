"""The files a case's steps use beside their diagram: the form of a user task and the decision table of a
business rule task. A step the case ran or waits at keeps its element id and attributes when only such a file
changed, so the diagram comparison cannot see it; here the files themselves are compared between versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import called_decisions, decision_names
from ..models import ProcessVersion, VersionFile
from .catalog import catalog_of
from .versions import version_source

__all__ = ["Reason", "VersionFiles", "changed_files"]


@dataclass(frozen=True)
class Reason:
    """Why a case cannot move: a code the pages word in their language, with its values; English by str()."""

    code: str
    values: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return ENGLISH[self.code].format(**self.values)


ENGLISH = {
    "status": "the case is {status}",
    "same_version": "the case is already on this version",
    "missing_process": "process {process} is not part of version {version}",
    "steps_changed": "steps the case ran or waits at changed: {steps}",
    "form_changed": "the form {form} of step {step}, which the case ran or waits at, changed",
    "decision_changed": "the decision table {decision} that step {step} already ran changed",
    "not_rebuilt": "the case could not be rebuilt under the new version: {reason}",
    "looks_different": "the case would not look the same under the new version",
}


class VersionFiles:
    """What each version's files say, read once per version however many cases are checked."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._shas: dict[int, dict[str, str]] = {}
        self._decision_files: dict[int, dict[str, str]] = {}
        self._calls: dict[tuple[int, str], dict[str, str]] = {}

    def sha(self, version: ProcessVersion, name: str) -> str | None:
        """The content hash of a version's file, by file name."""
        if version.id not in self._shas:
            rows = self._session.execute(
                select(VersionFile.path, VersionFile.sha256).where(VersionFile.version_id == version.id)
            )
            self._shas[version.id] = {PurePosixPath(path).name: sha for path, sha in rows}
        return self._shas[version.id].get(name)

    def decision_sha(self, version: ProcessVersion, decision_id: str) -> str | None:
        """The content hash of the DMN file of a version that defines `decision_id`."""
        if version.id not in self._decision_files:
            rows = self._session.execute(
                select(VersionFile.path, VersionFile.content).where(
                    VersionFile.version_id == version.id, VersionFile.kind == "dmn"
                )
            )
            files: dict[str, str] = {}
            for path, content in rows:
                file = PurePosixPath(path).name
                files.update(dict.fromkeys(decision_names(bytes(content), file), file))  # validated when deployed
            self._decision_files[version.id] = files
        name = self._decision_files[version.id].get(decision_id)
        return self.sha(version, name) if name else None

    def calls(self, version: ProcessVersion, process_id: str) -> dict[str, str]:
        """The business rule tasks of a process in a version: element id → decision id."""
        key = (version.id, process_id)
        if key not in self._calls:
            name, xml = version_source(self._session, version, process_id)
            self._calls[key] = called_decisions(xml, name)
        return self._calls[key]


def changed_files(
    files: VersionFiles, old: ProcessVersion, new: ProcessVersion, process_id: str, elements: list[str]
) -> list[Reason]:
    """Reasons the steps `elements` of `process_id` (run or waited at) use a form or decision changed in `new`."""
    reasons = []
    catalog, calls = catalog_of(old), files.calls(old, process_id)
    for element in sorted(elements):
        task = catalog.user_task(process_id, element)
        step = f"{task.title} ({element})" if task and task.title else element
        form = task.form_schema if task else None
        if form and files.sha(old, form) != files.sha(new, form):
            reasons.append(Reason("form_changed", {"form": form, "step": step}))
        decision = calls.get(element)
        if decision and files.decision_sha(old, decision) != files.decision_sha(new, decision):
            reasons.append(Reason("decision_changed", {"decision": decision, "step": step}))
    return reasons
