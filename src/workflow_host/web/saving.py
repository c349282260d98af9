"""What the modeller, the form editor and the decision editor answer to a save: the version and the saved item's
own revision with when and by whom, so the page's header can show them without a reload."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response, jsonify
from sqlalchemy.orm import Session

from ..models import ProcessVersion
from ..services.deployment import Deployment
from ..services.errors import Invalid
from ..services.revisions import file_revisions
from .i18n import _, local_datetime
from .people import deployer
from .problem_text import problem_text, problems_text

__all__ = ["refused", "saved", "version_facts"]


def version_facts(session: Session, version: ProcessVersion, files: Iterable[str]) -> dict[str, Any]:
    """A version as a page's header shows it: its id, the item's revision in it, when and by whom."""
    return {
        "id": version.id,
        "revision": file_revisions(session, files).get(version.id),
        "deployed_at": local_datetime(version.created_at),
        "deployed_by": deployer(version.created_by) or "—",
    }


def saved(session: Session, deployed: Deployment, files: Iterable[str]) -> tuple[Response, int]:
    """The answer to a save that worked: 201 with a new version, 200 when nothing changed."""
    version = {"hash": deployed.version.content_hash, **version_facts(session, deployed.version, files)}
    revision = version["revision"]
    if deployed.created:
        message = _("Saved as revision %(revision)s (version %(id)s).", revision=revision, id=version["id"])
    else:
        message = _(
            "Nothing changed; revision %(revision)s (version %(id)s) stays the newest.",
            revision=revision,
            id=version["id"],
        )
    body = {"ok": True, "created": deployed.created, "version": version, "message": message}
    return jsonify(body), 201 if deployed.created else 200


def refused(err: Invalid) -> tuple[Response, int]:
    """The answer to a check or save that found problems: 422 with every problem, in the page's language."""
    errors = err.details.get("errors") or [{"element_id": None, "message": err.message, "line": None, "file": None}]
    return jsonify({"ok": False, "message": problem_text(err.message), "errors": problems_text(errors)}), 422
