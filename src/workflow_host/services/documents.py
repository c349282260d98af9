"""Court and district documents (Art. 6, 7, 8, 11, 16) generated as DOCX from the templates in `documents/`
(built by documents/build_templates.py, rendered by docxtpl), pre-filled from a case's data.

Which task and which case page offers which document is `documents/catalog.yaml`. A generation is an audit
event (`document_generated`, with the file's SHA-256); the copy signed and sealed on paper comes back as a file
of the case (`document_uploaded`), stored by the attachments service.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from docxtpl import DocxTemplate  # type: ignore[import-untyped]
from jinja2 import Undefined
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ, now
from ..models import InboxTask, Instance, ProcessVersion, Unit, User, UserRole
from .attachments import Upload, clean_name, store_upload
from .audit import append_events
from .decided_start import decided_start
from .document_context import BLANK, CONTEXTS, Names, cell, common, formalities, ruling_text
from .errors import Forbidden, Invalid, NotFound
from .permissions import can_file_for_instance, require_view_instance
from .tasks import earlier_instance_submission, may_see_draft

__all__ = [
    "DOCUMENTS_DIR",
    "DOCX_TYPE",
    "UPLOAD_FIELD",
    "DocumentInfo",
    "Generated",
    "Offer",
    "case_offers",
    "catalog",
    "drafted_at",
    "form_start",
    "may_upload",
    "prepare_for_case",
    "prepare_for_task",
    "record_generation",
    "render",
    "task_offers",
    "upload_signed_copy",
]

DOCUMENTS_DIR = Path(__file__).resolve().parents[3] / "documents"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UPLOAD_FIELD = "document:"  # the attachment's field: document:<key>


@dataclass(frozen=True)
class DocumentInfo:
    key: str
    title: str
    template: str
    article: str
    per_unit: bool
    tasks: tuple[str, ...]
    cases: tuple[str, ...]


@dataclass(frozen=True)
class Offer:
    """A document a page offers: which, for which unit (per-unit documents), and the unit's name."""

    key: str
    title: str
    article: str
    unit: str | None = None
    unit_name: str = ""


@dataclass(frozen=True)
class Generated:
    """A filled document, and the `document_generated` event that must be recorded before it is handed out."""

    filename: str
    data: bytes
    sha256: str
    instance_id: int
    event: dict[str, Any]  # the payload of its `document_generated` event


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


class _Blank(Undefined):
    """A name the context lacks prints as a line to fill in."""

    def __str__(self) -> str:
        return BLANK


def _environment() -> SandboxedEnvironment:
    environment = SandboxedEnvironment(undefined=_Blank, autoescape=True)
    environment.filters["cell"] = cell
    return environment


def render(key: str, data: dict[str, Any], unit: str | None, names: Names, today: date) -> bytes:
    """The document `key` filled from `data` (a case's data, with a task's on top) as DOCX bytes."""
    info = catalog()[key]
    context = common(data, names, today) | CONTEXTS[key](data, unit, names)
    template = DocxTemplate(str(DOCUMENTS_DIR / info.template))
    template.render(context, _environment(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _names(session: Session) -> Names:
    units = list(session.scalars(select(Unit)))
    heads = {u.head for u in units if u.head}
    people = {u.username: u for u in session.scalars(select(User).where(User.username.in_(heads)))}
    headed = {u.id: people[u.head] for u in units if u.head in people}
    district = select(User).join(UserRole).where(UserRole.role == "district_head", User.active.is_(True))
    found = session.scalars(district.limit(2)).all()
    head = found[0] if len(found) == 1 else None  # one district head: the government's legal representative
    return Names(
        {u.id: u.name for u in units},
        {unit: person.name for unit, person in headed.items()},
        head.name if head else None,
        {unit: person.position for unit, person in headed.items() if person.position},
        head.position if head else None,
    )


def _task_unit(task: InboxTask, data: dict[str, Any]) -> str | None:
    if task.element_id == "prepare_reconsideration_part":
        return "justice_bureau"
    for name in ("unit", "arranging_unit", "reviewed_unit"):
        if isinstance(data.get(name), str):
            return str(data[name])
    return task.unit


def _parts(data: dict[str, Any]) -> list[str]:
    """The units that prepare a part of the defence: the handling units, and the justice bureau for the
    reconsideration part."""
    units = [u for u in data.get("handling_units") or [] if isinstance(u, str)]
    if data.get("reconsideration") == "upheld" and "justice_bureau" not in units:
        units.append("justice_bureau")
    return units


def _offers(infos: list[DocumentInfo], unit: str | None, data: dict[str, Any], names: Names) -> list[Offer]:
    offers = []
    for info in infos:
        units: list[str | None] = [None]
        if info.per_unit:
            units = [unit] if unit else [*_parts(data)] or [None]
        offers += [Offer(info.key, info.title, info.article, u, names.units.get(u or "", "")) for u in units]
    return offers


def task_offers(session: Session, task: InboxTask) -> list[Offer]:
    """The documents the task's page offers (for the task's unit, or each unit, where a document is per unit)."""
    where = f"{task.process_id}/{task.element_id}"
    row = session.get(Instance, task.instance_id)
    data = (_case_data(row) if row else {}) | _task_data(task, with_draft=False)
    infos = [d for d in catalog().values() if where in d.tasks]
    return _offers(infos, _task_unit(task, data), data, _names(session))


def drafted_at(task: InboxTask) -> bool:
    """Whether a document the task offers is drafted at this step (the first its catalogue entry names: the unit
    preparing its defence, writing its loss report, its appeal opinion), so that it prints this form's saved draft;
    a later step's documents print what the drafting step recorded."""
    where = f"{task.process_id}/{task.element_id}"
    return any(d.tasks[:1] == (where,) for d in catalog().values())


def case_offers(session: Session, row: Instance) -> list[Offer]:
    """The documents the case page offers: those of the steps the case has reached (no loss report before a
    judgment), per-unit ones once for each unit preparing a part."""
    reached = {
        f"{process_id}/{element_id}"
        for process_id, element_id in session.execute(
            select(InboxTask.process_id, InboxTask.element_id).where(InboxTask.instance_id == row.id).distinct()
        )
    }
    infos = [d for d in catalog().values() if row.process_id in d.cases and reached & set(d.tasks)]
    return _offers(infos, None, _case_data(row), _names(session))


FORMALITIES = ("legal_representative_certificate", "power_of_attorney")
# the act a later instance is about is the same: so are the legal basis and the evidence it was made on
CARRIED_OVER = ("legal_basis", "evidence")
DECIDED = ("decision_no", "obligations")  # decided_start


def form_start(session: Session, task: InboxTask, fields: Any) -> dict[str, Any]:
    """What a form with these `fields` starts with, beneath what the case or a send-back holds. A defence: at a
    later instance what the same unit gave at the earlier one — certificate, power of attorney (with the matter
    entrusted at this instance), legal basis and evidence; its defence text is written anew — else the
    certificate and power of attorney as the documents print them from the directory and the case. A loss report:
    the court's ruling as the recorded decision says it. The decision's number, and the obligations it ordered
    (decided_start). An appearance arrangement (Art. 16): the unit's head, with their post, as the directory has
    them."""
    wanted = [name for name in (*FORMALITIES, *CARRIED_OVER, "court_ruling", "unit_head", *DECIDED) if name in fields]
    if not wanted:
        return {}
    row = session.get(Instance, task.instance_id)
    data = (_case_data(row) if row else {}) | _task_data(task, with_draft=False)
    start: dict[str, Any] = decided_start(data, fields)
    if "unit_head" in wanted:
        start |= _unit_head(_task_unit(task, data), _names(session))
    if "court_ruling" in wanted and ruling_text(data):
        start["court_ruling"] = ruling_text(data)
    if not set(wanted) & {*FORMALITIES, *CARRIED_OVER}:
        return start
    earlier = earlier_instance_submission(session, task)
    given = earlier["data"] if earlier else {}
    start |= {name: given[name] for name in CARRIED_OVER if name in wanted and given.get(name)}
    made = formalities(data, _task_unit(task, data), _names(session))
    for name in (n for n in FORMALITIES if n in wanted):
        typed = given.get(name)
        matter = {k: v for k, v in made[name].items() if k == "entrusted_matters"}
        start[name] = typed | matter if isinstance(typed, dict) else made[name]
    return start


def _unit_head(unit: str | None, names: Names) -> dict[str, Any]:
    """The unit's head as an arrangement names them, `{unit_head: {name, position}}`; nothing for a unit without."""
    head = names.heads.get(unit or "")
    if head is None:
        return {}
    post = names.posts.get(unit or "")
    return {"unit_head": {"name": head} | ({"position": post} if post else {})}


def _choose(offers: list[Offer], key: str, unit: str | None) -> Offer:
    matching = [o for o in offers if o.key == key]
    chosen = next((o for o in matching if o.unit == unit), matching[0] if matching and not unit else None)
    if chosen is None:
        raise NotFound("no such document here")
    return chosen


def _case_data(row: Instance) -> dict[str, Any]:
    data = json.loads(row.data_json or "{}")
    return data if isinstance(data, dict) else {}


def _task_data(task: InboxTask, with_draft: bool) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for raw in (task.data_json, task.draft_json if with_draft else None):
        value = json.loads(raw or "{}")
        merged |= value if isinstance(value, dict) else {}
    return merged


def _record(session: Session, user: User, row: Instance, kind: str, payload: dict[str, Any]) -> None:
    # populate_existing: the chain head as stored now, not as an earlier event of this session left the object
    query = select(Instance).where(Instance.id == row.id).with_for_update().execution_options(populate_existing=True)
    locked = session.scalar(query)
    version = session.get(ProcessVersion, row.version_id)
    assert locked is not None
    assert version is not None
    append_events(session, locked, [(kind, user.username, payload)], now(), version.content_hash)


def _prepare(
    row: Instance, key: str, data: dict[str, Any], unit: str | None, task: str | None, names: Names
) -> Generated:
    info = catalog()[key]
    body = render(key, data, unit, names, now().astimezone(LOCAL_TZ).date())
    digest = hashlib.sha256(body).hexdigest()
    payload = {"document": key, "title": info.title, "sha256": digest, "unit": unit, "task_id": task}
    suffix = f"-{names.units.get(unit, unit)}" if unit and info.per_unit else ""
    filename = clean_name(f"{info.title}{suffix}-{data.get('case_no') or data.get('document_no') or row.id}.docx")
    return Generated(filename, body, digest, row.id, payload)


def record_generation(session: Session, user: User, made: Generated) -> None:
    """Append the `document_generated` event of a document prepared (and read) in another transaction."""
    row = session.get(Instance, made.instance_id)
    if row is None:
        raise NotFound("this case does not exist")
    _record(session, user, row, "document_generated", made.event)


def prepare_for_task(session: Session, user: User, task_id: str, key: str, unit: str | None = None) -> Generated:
    """A document the task offers, filled from the case and what the task holds (its draft, for those who may
    see it). Only reads: rendering takes tens of milliseconds, which a transaction holding SQLite's write lock
    would make every step wait for. Its event must be recorded (record_generation) before it is handed out."""
    task = session.get(InboxTask, task_id)
    if task is None:
        raise NotFound("this task does not exist")
    row = session.get(Instance, task.instance_id)
    assert row is not None
    require_view_instance(session, user, row)
    chosen = _choose(task_offers(session, task), key, unit)
    data = _case_data(row) | _task_data(task, with_draft=may_see_draft(session, user, task))
    return _prepare(row, key, data, chosen.unit, task.id, _names(session))


def prepare_for_case(session: Session, user: User, instance_id: int, key: str, unit: str | None) -> Generated:
    """A document the case page offers, filled from the case's data (for `unit` where it is per unit). Only
    reads, as prepare_for_task."""
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound("this case does not exist")
    require_view_instance(session, user, row)
    chosen = _choose(case_offers(session, row), key, unit)
    return _prepare(row, key, _case_data(row), chosen.unit, None, _names(session))


def may_upload(user: User, row: Instance) -> bool:
    """The case's own units and the district roles file its signed copies; auditors and analysts only read."""
    return can_file_for_instance(user, row)


def upload_signed_copy(session: Session, user: User, instance_id: int, key: str, upload: Upload) -> str:
    """Keep the signed and sealed copy of a document as a file of the case; its SHA-256."""
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound("this case does not exist")
    require_view_instance(session, user, row)
    if not may_upload(user, row):
        raise Forbidden("you may not add files to this case")
    if key not in {o.key for o in case_offers(session, row)}:
        raise Invalid("choose which document this is", reason="document")
    stored = store_upload(session, row, user, upload, None, UPLOAD_FIELD + key)
    payload = {"document": key, "title": catalog()[key].title, "sha256": stored.sha256, "name": stored.name}
    _record(session, user, row, "document_uploaded", payload)
    return stored.sha256
