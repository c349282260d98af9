"""A task as its page works on it: the task with its case, version, user-task info and form as asked of the case,
and the values the form starts with."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from ..models import InboxTask, Instance, ProcessVersion, User
from ..services import case_view, task_submissions
from ..services.catalog import catalog_of
from ..services.errors import NotFound
from ..services.form_asked import asked_form
from ..services.form_start import form_start
from ..services.versions import form_file

__all__ = ["TaskContext"]


class TaskContext:
    """A task with its case, version, user-task info and form files."""

    def __init__(self, db: Session, user: User, task_id: str) -> None:
        task = db.get(InboxTask, task_id)
        if task is None:
            raise NotFound("task")
        self.task = task
        self.case: Instance = case_view.visible_case(db, user, task.instance_id)
        version = db.get(ProcessVersion, self.case.version_id)
        assert version is not None
        self.version = version
        self.info = catalog_of(version).user_task(task.process_id, task.element_id)
        schema = form_file(db, version, self.info.form_schema) if self.info and self.info.form_schema else None
        ui = form_file(db, version, self.info.ui_schema) if self.info and self.info.ui_schema else {}
        schema, ui = asked_form(schema, ui, json.loads(task.data_json or self.case.data_json))
        self.schema: dict[str, Any] | None = schema
        self.ui: dict[str, Any] = ui if isinstance(ui, dict) else {}
        self.previous: dict[str, Any] | None = None  # the last submission the form starts from (start_value)

    def start_value(self, db: Session, with_draft: bool) -> dict[str, Any]:
        """The draft (for those who may see it), or the values the case already holds for the form's fields (but
        those the step registers anew, `startBlank`: an appeal's case number is not the first instance's) and,
        for a step done again, what was submitted the last time for those the case no longer holds (`previous`
        says when and by whom, for the page to tell); beneath them, a defence's certificate and power of attorney
        as the documents would print them, its legal basis and evidence at a later instance, a loss report's
        ruling as recorded (form_start)."""
        if self.task.draft_json and with_draft:
            return dict(json.loads(self.task.draft_json))
        fields = self.schema.get("properties", {}) if self.schema else {}
        blank = set(self.info.start_blank) if self.info else set()
        start = form_start(db, self.task, fields) if self.task.status == "ready" else {}
        # a value the step's preScript emptied (decision_no = '') leaves what the form starts with beneath it
        known = {
            k: v
            for k, v in json.loads(self.task.data_json or "{}").items()
            if k in fields and k not in blank and not (k in start and v in ("", None))
        }
        again = self.info is not None and self.info.start_from_last and self.task.status == "ready" and fields
        previous = task_submissions.previous_submission(db, self.task) if again else None
        if previous is None:
            return {**start, **known}
        earlier = {k: v for k, v in previous["data"].items() if k in fields and k not in known}
        if earlier:
            self.previous = previous
        return {**start, **earlier, **known}
