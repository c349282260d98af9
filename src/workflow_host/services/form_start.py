"""What a task's form starts with beneath what the case or a send-back holds: the formalities a defence repeats
(legal representative's certificate, power of attorney), what a later instance carries over, the court's ruling a
loss report quotes, the decision's number and obligations (decided_start), and the head an appearance
arrangement names."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..models import InboxTask, Instance
from .decided_start import decided_start
from .document_context import ruling_text
from .document_defence import formalities
from .document_names import Names
from .document_sources import case_data, directory_names, task_data, task_unit
from .task_submissions import earlier_instance_submission

__all__ = ["form_start"]

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
    data = (case_data(row) if row else {}) | task_data(task, with_draft=False)
    start: dict[str, Any] = decided_start(data, fields)
    if "unit_head" in wanted:
        start |= _unit_head(task_unit(task, data), directory_names(session))
    if "court_ruling" in wanted and ruling_text(data):
        start["court_ruling"] = ruling_text(data)
    if not set(wanted) & {*FORMALITIES, *CARRIED_OVER}:
        return start
    return start | _repeated(session, task, data, wanted)


def _unit_head(unit: str | None, names: Names) -> dict[str, Any]:
    """The unit's head as an arrangement names them, `{unit_head: {name, position}}`; nothing for a unit without."""
    head = names.heads.get(unit or "")
    if head is None:
        return {}
    post = names.posts.get(unit or "")
    return {"unit_head": {"name": head} | ({"position": post} if post else {})}


def _repeated(session: Session, task: InboxTask, data: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    """The formalities and carried-over fields: as the earlier instance's submission gave them, else (the
    formalities) as the documents print them."""
    earlier = earlier_instance_submission(session, task)
    given = earlier["data"] if earlier else {}
    start = {name: given[name] for name in CARRIED_OVER if name in wanted and given.get(name)}
    made = formalities(data, task_unit(task, data), directory_names(session))
    for name in (n for n in FORMALITIES if n in wanted):
        typed = given.get(name)
        matter = {k: v for k, v in made[name].items() if k == "entrusted_matters"}
        start[name] = typed | matter if isinstance(typed, dict) else made[name]
    return start
