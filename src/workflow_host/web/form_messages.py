"""Form validation errors in the user's language, by the field they concern: each names the field by its label,
says what is wrong in plain words and, for a rule that applies only when another field has a value (a `then` or
`else` of the form), under which condition."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale

from ..services.form_explain import FormError
from .i18n import _

__all__ = ["form_error_message", "localise_errors", "localise_service_errors", "upload_problem"]


def localise_errors(errors: list[FormError]) -> dict[str, list[str]]:
    """Messages in the user's language by dotted field path ('' for the whole form)."""
    found: dict[str, list[str]] = {}
    for error in errors:
        path = ".".join(p for p in error.path.split("/") if p)
        message = form_error_message(error)
        if message not in found.setdefault(path, []):
            found[path].append(message)
    return found


def localise_service_errors(errors: list[Any]) -> None:
    """A service's form errors ({path, field, message, kind, label, value, detail}) get their `message` in the
    user's language, in place; an error without a `kind` keeps its own words."""
    for error in errors:
        if isinstance(error, dict) and error.get("kind"):
            error["message"] = form_error_message(as_form_error(error))


def as_form_error(error: dict[str, Any]) -> FormError:
    detail = error.get("detail")
    return FormError(
        str(error.get("field") or error.get("path") or ""),
        str(error.get("kind") or "server"),
        error.get("value"),
        str(error.get("message", "")),
        str(error.get("label") or ""),
        detail if isinstance(detail, dict) else {},
    )


def form_error_message(error: FormError) -> str:
    """One error as a sentence in the user's language."""
    detail = error.detail
    label = error.label or _("this field")
    if isinstance(detail.get("item"), int):
        label = _("%(label)s, entry %(n)s", label=label, n=detail["item"])
    if error.validator == "upload":  # the file's problem, said in a sentence of its own
        return _("“%(label)s”: %(problem)s", label=label, problem=upload_problem(str(error.value)))
    body = _body(error.validator, error.value, label, detail)
    when = detail.get("when")
    if isinstance(when, list) and when:
        return _("%(message)s when %(condition)s.", message=body, condition=_conditions(when))
    return _("%(message)s.", message=body)


def _chinese() -> bool:
    return str(get_locale() or "zh").startswith("zh")


def _listed(items: list[str], last: str = "") -> str:
    """Items joined as the language lists them; `last` ("or", "and") before the last of several."""
    if _chinese():
        return "、".join(items) if not last or len(items) < 2 else "、".join(items[:-1]) + last + items[-1]
    return ", ".join(items) if not last or len(items) < 2 else ", ".join(items[:-1]) + f" {last} " + items[-1]


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "“" + (_("Yes") if value else _("No")) + "”"
    return f"“{value}”"


def _values(values: Any, joined_by: str = "") -> str:
    return _listed([_value(v) for v in values] if isinstance(values, list) else [_value(values)], joined_by)


def _conditions(when: list[Any]) -> str:
    found = []
    for test in when:
        if not isinstance(test, dict):
            continue
        field = str(test.get("label", ""))
        if "value" in test:
            found.append(_("“%(field)s” is %(value)s", field=field, value=_value(test["value"])))
        elif test.get("filled"):
            found.append(_("“%(field)s” is filled in", field=field))
        else:
            found.append(_("“%(field)s” is not filled in", field=field))
    return _listed(found, _("and"))


def _body(kind: str, value: Any, label: str, detail: dict[str, Any]) -> str:
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return str(simple(label, value, detail))
    if kind == "type":
        return _type(label, str(value), detail.get("options"))
    if kind == "format":
        return _format(label, str(value), detail)
    if kind == "pattern":
        return _pattern(label, detail)
    if kind == "alternatives":
        shown = [_facets(alternative) for alternative in detail.get("alternatives") or []]
        listed = ("；" if _chinese() else "; ").join(shown)
        return _("“%(label)s” must take one of these forms: %(alternatives)s", label=label, alternatives=listed)
    return _("“%(label)s” is not accepted as filled in", label=label)


def _required(label: str, _value: Any, detail: dict[str, Any]) -> str:
    if detail.get("choice"):
        return _("Choose “%(label)s”", label=label)
    return _("Fill in “%(label)s”", label=label)


def _not_allowed(label: str, _value: Any, _detail: dict[str, Any]) -> str:
    return _("Leave “%(label)s” empty", label=label)


_SIMPLE: dict[str, Any] = {
    "required": _required,
    "not_allowed": _not_allowed,
    "enum": lambda label, _v, d: _(
        "“%(label)s” must be one of: %(options)s", label=label, options=_values(d.get("options"))
    ),
    "const": lambda label, v, d: _("“%(label)s” must be %(value)s", label=label, value=_value(d.get("expected", v))),
    "not_value": lambda label, _v, d: _(
        "“%(label)s” may not be %(options)s", label=label, options=_values(d.get("options"), _("or"))
    ),
    "not_together": lambda _l, _v, d: _(
        "Fill in only one of %(labels)s", labels=_listed([f"“{x}”" for x in d.get("labels") or []], _("and"))
    ),
    "not": lambda label, _v, _d: _("“%(label)s” does not meet the rule its help text gives", label=label),
    "contains_value": lambda label, _v, d: _(
        "“%(label)s” must include %(options)s", label=label, options=_values(d.get("options"), _("and"))
    ),
    "contains_member": lambda label, _v, d: _(
        "At least one entry of “%(label)s” must have “%(member)s” set to %(options)s",
        label=label,
        member=d.get("member", ""),
        options=_values(d.get("options"), _("or")),
    ),
    "contains": lambda label, _v, _d: _(
        "At least one entry of “%(label)s” must meet the rule its help text gives", label=label
    ),
    "oneOf_many": lambda label, _v, _d: _(
        "“%(label)s” fits more than one of the forms it may take; make it fit exactly one", label=label
    ),
    "minLength": lambda label, v, d: (
        _required(label, v, d) if v == 1 else _("Enter at least %(n)s characters in “%(label)s”", label=label, n=v)
    ),
    "maxLength": lambda label, v, d: _(
        "“%(label)s” may have at most %(n)s characters (it has %(length)s)", label=label, n=v, length=d.get("length")
    ),
    "minItems": lambda label, v, d: (
        _required(label, v, d)
        if v == 1
        else _("Choose at least %(n)s of “%(label)s”", label=label, n=v)
        if d.get("choice")
        else _("Add at least %(n)s entries to “%(label)s”", label=label, n=v)
    ),
    "maxItems": lambda label, v, d: (
        _not_allowed(label, v, d) if not v else _("“%(label)s” may have at most %(n)s entries", label=label, n=v)
    ),
    "minimum": lambda label, v, _d: _("“%(label)s” may not be less than %(n)s", label=label, n=v),
    "maximum": lambda label, v, _d: _("“%(label)s” may not be more than %(n)s", label=label, n=v),
    "exclusiveMinimum": lambda label, v, _d: _("“%(label)s” must be more than %(n)s", label=label, n=v),
    "exclusiveMaximum": lambda label, v, _d: _("“%(label)s” must be less than %(n)s", label=label, n=v),
    "uniqueItems": lambda label, _v, _d: _("Each entry of “%(label)s” may appear only once", label=label),
    "additionalProperties": lambda _l, v, _d: _("This form has no field “%(name)s”", name=v),
    "attachment": lambda label, _v, _d: _("Upload the file of “%(label)s” to this case again", label=label),
    "unit": lambda label, _v, _d: _("For “%(label)s”, choose a unit of the organisation directory", label=label),
    "after_today": lambda label, v, _d: _("“%(label)s” is after today (%(today)s)", label=label, today=v),
    "before_start": lambda label, v, _d: _("“%(label)s” is before the period began (%(start)s)", label=label, start=v),
}


def _type_name(kind: str) -> str:
    return {
        "integer": _("a whole number"),
        "number": _("a number"),
        "boolean": _("yes or no"),
        "string": _("text"),
        "array": _("a list of entries"),
        "object": _("a group of fields"),
    }.get(kind, kind)


def _type(label: str, kind: str, answers: Any = None) -> str:
    if kind == "boolean" and isinstance(answers, list) and len(answers) == 2:  # the form's words for yes and no
        return _("Choose %(options)s for “%(label)s”", label=label, options=_values(answers, _("or")))
    if kind == "boolean":
        return _("Choose yes or no for “%(label)s”", label=label)
    return _("“%(label)s” must be %(kind)s", label=label, kind=_type_name(kind))


def _format_name(name: str) -> str:
    return {
        "date": _("a date (year-month-day)"),
        "date-time": _("a date and time"),
        "id-number": _("a citizen identity number"),
    }.get(name, name)


def _format(label: str, name: str, detail: dict[str, Any]) -> str:
    if name == "date":
        return _("“%(label)s” must be a real date written year-month-day, e.g. 2026-03-02", label=label)
    if name == "date-time":
        return _("“%(label)s” must be a real date and time, e.g. 2026-11-03 09:30 (Beijing time)", label=label)
    if name == "id-number":
        return _id_number(label, str(detail.get("reason", "")), detail.get("length"))
    return _("“%(label)s” must be written as %(format)s", label=label, format=name)


def _id_number(label: str, reason: str, length: Any) -> str:
    """What is wrong with a citizen identity number (GB 11643), as services.id_numbers found it."""
    if reason == "characters":
        return _("“%(label)s” may hold only digits, the last one may be a capital X", label=label)
    if reason == "length":
        return _("“%(label)s” must have 18 characters, not %(n)s", label=label, n=length)
    if reason == "birth_date":
        return _("“%(label)s”: characters 7 to 14 are not a real date of birth", label=label)
    if reason == "check_digit":
        return _(
            "“%(label)s” is not a valid number: its last character (the check digit) does not fit the first 17;"
            " check every digit",
            label=label,
        )
    return _("“%(label)s” is not a valid citizen identity number", label=label)


def _pattern(label: str, described: dict[str, Any]) -> str:
    if described.get("shape") == "not_blank":
        return _("“%(label)s” may not be only spaces", label=label)
    if described.get("shape") == "chars":
        chars = _chars(described.get("chars") or [])
        low, high = described.get("min"), described.get("max")
        if high is None:
            return _("“%(label)s” may hold only %(chars)s, at least %(n)s", label=label, chars=chars, n=low)
        if low == high:
            return _("“%(label)s” may hold only %(chars)s, exactly %(n)s", label=label, chars=chars, n=low)
        return _(
            "“%(label)s” may hold only %(chars)s, %(min)s to %(max)s of them",
            label=label,
            chars=chars,
            min=low,
            max=high,
        )
    return _("“%(label)s” is not written in the form its help text gives", label=label)


def _pattern_phrase(described: dict[str, Any]) -> str:
    if described.get("shape") == "not_blank":
        return _("text that is not only spaces")
    if described.get("shape") == "chars":
        only = _("only %(chars)s", chars=_chars(described.get("chars") or []))
        low, high = described.get("min"), described.get("max")
        if high is None:
            length = _("at least %(n)s characters", n=low)
        elif low == high:
            length = _("%(n)s characters", n=low)
        else:
            length = _("%(min)s to %(max)s characters", min=low, max=high)
        return ("，" if _chinese() else ", ").join([only, length])
    return _("text written in a set form")


def _chars(names: list[str]) -> str:
    words = {
        "digits": _("digits"),
        "lowercase": _("small letters"),
        "uppercase": _("capital letters"),
        "space": _("spaces"),
    }
    return _listed([words.get(n) or f"“{n}”" for n in names], _("and"))


def _facets(alternative: list[dict[str, Any]]) -> str:
    said = []
    for facet in alternative:
        kind, value = facet.get("kind"), facet.get("value")
        if kind == "title":
            said.append(f"“{value}”")
        elif kind == "type":
            said.append(_type_name(str(value)))
        elif kind == "format":
            said.append(_format_name(str(value)))
        elif kind == "options":
            said.append(_values(value, _("or")))
        elif kind == "minLength":
            said.append(_("at least %(n)s characters", n=value))
        elif kind == "maxLength":
            said.append(_("at most %(n)s characters", n=value))
        elif kind == "minimum":
            said.append(_("not less than %(n)s", n=value))
        elif kind == "maximum":
            said.append(_("not more than %(n)s", n=value))
        elif kind == "pattern" and isinstance(value, dict):
            said.append(_pattern_phrase(value))
    return ("，" if _chinese() else ", ").join(said)


def upload_problem(reason: str) -> str:
    """Why an uploaded file was refused, by the `reason` services.attachments gives, in the user's language."""
    return {
        "too_large": _("The file is larger than 20 MiB."),
        "empty": _("The file is empty."),
        "mismatch": _("The file's content does not match its extension."),
        "encoding": _("A .txt file must be UTF-8 text."),
    }.get(reason, _("This type of file is not accepted (PDF, images, Word/Excel, OFD, text)."))
