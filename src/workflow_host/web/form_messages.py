"""Form validation errors in the user's language, by the field they concern."""

from __future__ import annotations

from ..services.forms import FormError
from .i18n import _

__all__ = ["localise_errors"]

_TYPE_NAMES = {
    "string": "text",
    "integer": "integer",
    "number": "number",
    "boolean": "yes_no",
    "array": "list",
    "object": "group",
}


def localise_errors(errors: list[FormError]) -> dict[str, list[str]]:
    """Messages in the user's language by dotted field path ('' for the whole form)."""
    found: dict[str, list[str]] = {}
    for error in errors:
        path = ".".join(p for p in error.path.split("/") if p)
        message = _message(error)
        if message not in found.setdefault(path, []):
            found[path].append(message)
    return found


def _message(error: FormError) -> str:
    kind, value = error.validator, error.value
    if kind == "required":
        return _("This field is required.")
    if kind == "type":
        wanted = _TYPE_NAMES.get(value if isinstance(value, str) else "", "")
        return {
            "integer": _("Enter a whole number."),
            "number": _("Enter a number."),
            "yes_no": _("Choose yes or no."),
        }.get(wanted, _("This value has the wrong form."))
    if kind in ("enum", "const", "oneOf", "anyOf"):
        return _("Choose one of the options.")
    if kind == "format":
        return {
            "date": _("Enter a valid date (YYYY-MM-DD)."),
            "date-time": _("Enter a valid date and time."),
        }.get(str(value), _("This value has the wrong form."))
    if kind == "minLength":
        return _("Enter at least %(n)s characters.", n=value)
    if kind == "maxLength":
        return _("Enter at most %(n)s characters.", n=value)
    if kind == "pattern":
        return _("This value has the wrong form.")
    if kind == "minItems":
        return _("Add at least %(n)s.", n=value)
    if kind == "maxItems":
        return _("Add at most %(n)s.", n=value) if value else _("Leave this empty.")
    if kind == "minimum":
        return _("Must be at least %(n)s.", n=value)
    if kind == "maximum":
        return _("Must be at most %(n)s.", n=value)
    if kind == "uniqueItems":
        return _("Each entry may appear only once.")
    if kind == "contains":
        return _("At least one entry must meet the rule in the help text.")
    if kind == "attachment":
        return _("Upload the file to this case again.")
    if kind == "upload":
        return {
            "too_large": _("The file is larger than 20 MiB."),
            "empty": _("The file is empty."),
            "mismatch": _("The file's content does not match its extension."),
            "encoding": _("A .txt file must be UTF-8 text."),
        }.get(str(value), _("This type of file is not accepted (PDF, images, Word/Excel, OFD, text)."))
    if kind == "additionalProperties":
        return _("This form has a field it does not know.")
    if kind == "unit":
        return _("Choose a unit of the organisation directory.")
    if kind == "after_today":
        return _("This date is after today (%(today)s).", today=value)
    if kind == "before_start":
        return _("This date is before the period began (%(start)s).", start=value)
    return _("This value is not accepted.")
