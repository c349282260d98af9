"""A document of the catalogue filled in as DOCX: its template (built by documents/build_templates.py) rendered
by docxtpl in a sandboxed Jinja environment, from a case's data; a name the data lacks prints as a line to fill
in."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from docxtpl import DocxTemplate  # type: ignore[import-untyped]
from jinja2 import Undefined
from jinja2.sandbox import SandboxedEnvironment

from .document_catalog import DOCUMENTS_DIR, catalog
from .document_context import CONTEXTS
from .document_names import Names, common
from .document_text import BLANK, cell

__all__ = ["render"]


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
