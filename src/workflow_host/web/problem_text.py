"""The problems a check finds in a form, a decision table or a diagram, in the page's language. The services and the
API word them in English; the editors' saves and previews show them to analysts, who read Chinese first. A problem
is matched against the known wordings, the part it quotes (a reason, a script's line) worded in turn; a wording not
known here is shown as the service gave it."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import LazyString, lazy_gettext

from .diagram_problems import diagram_problem

__all__ = ["problem_text", "problems_text"]

WORDINGS: list[tuple[re.Pattern[str], LazyString]] = [
    (re.compile(p, re.S), m)
    for p, m in [
        (r"(?P<file>[\w.\-]+\.json): (?P<reason>.+)", lazy_gettext("%(file)s: %(reason)s")),
        (r"the forms are not valid", lazy_gettext("The form has problems.")),
        (r"the diagrams are not valid", lazy_gettext("The diagrams or decision tables have problems.")),
        (r"the decision table is not valid", lazy_gettext("The decision table has problems.")),
        (r"a form schema must be a JSON object", lazy_gettext("a form's schema must be a JSON object")),
        (r"the UI schema must be a JSON object", lazy_gettext("the UI schema must be a JSON object")),
        (
            r"only local references \('#/\.\.\.'\) are allowed, not '(?P<ref>.*)'",
            lazy_gettext("only references within the form ('#/...') are allowed, not '%(ref)s'"),
        ),
        (r"not a valid JSON Schema: (?P<reason>.+)", lazy_gettext("not a valid JSON Schema: %(reason)s")),
        (
            r"(?P<value>.+) is not valid under any of the given schemas",
            lazy_gettext("%(value)s is none of the values allowed here"),
        ),
        (r"(?P<value>.+) is not of type (?P<types>.+)", lazy_gettext("%(value)s is not of type %(types)s")),
        (
            r"the reference '(?P<ref>.*)' leads back to itself without end",
            lazy_gettext("the reference '%(ref)s' leads back to itself without end"),
        ),
        (
            r"the pattern '(?P<pattern>.*)' repeats a repetition or a choice of several characters, .*",
            lazy_gettext(
                "the pattern '%(pattern)s' repeats a repetition or a choice of several characters, which can take"
                " hours to check; simplify it (a character class such as [ab] instead of (a|b))"
            ),
        ),
        (r"form file named by a user task is missing", lazy_gettext("the form file a user task names is missing")),
        (r"form file is too large", lazy_gettext("the form file is too large")),
        (r"form file is nested too deeply", lazy_gettext("the form file is nested too deeply")),
        (r"not valid JSON: (?P<reason>.+)", lazy_gettext("Not valid JSON: %(reason)s")),
        (
            r"only form files \(\.schema\.json, \.uischema\.json\) can be saved here",
            lazy_gettext("only form files (.schema.json, .uischema.json) can be saved here"),
        ),
        (r"send the DMN XML as the request body", lazy_gettext("The request holds no decision table (DMN XML).")),
        (r"the decision file is larger than 5 MiB", lazy_gettext("The decision file is larger than 5 MiB.")),
        (
            r"the file no longer defines decision '(?P<id>.*)'",
            lazy_gettext("the file no longer defines the decision '%(id)s'"),
        ),
        (r"decision could not be read: (?P<reason>.+)", lazy_gettext("the decision could not be read: %(reason)s")),
        (
            r"decision rule (?P<n>\d+) \((?P<rule>[^)]+)\) input refused: (?P<reason>.+)",
            lazy_gettext("rule %(n)s (%(rule)s), its input entry is refused: %(reason)s"),
        ),
        (
            r"decision rule (?P<n>\d+) \((?P<rule>[^)]+)\) output refused: (?P<reason>.+)",
            lazy_gettext("rule %(n)s (%(rule)s), its output entry is refused: %(reason)s"),
        ),
        (
            r"decision input (?P<column>.+) refused: (?P<reason>.+)",
            lazy_gettext("the input column “%(column)s” is refused: %(reason)s"),
        ),
        (
            r"hit policy (?P<policy>\S+) is not supported; use (?P<allowed>.+)",
            lazy_gettext("the hit policy %(policy)s is not supported; use %(allowed)s"),
        ),
        (
            r"COLLECT with aggregation (?P<aggregation>\S+) is not supported; collect the outputs as a list",
            lazy_gettext("COLLECT with aggregation %(aggregation)s is not supported; collect the outputs as a list"),
        ),
        (
            r"write (?P<python>\w+), not (?P<feel>\w+): the expressions of a table are Python",
            lazy_gettext("write %(python)s, not %(feel)s: the expressions of a table are Python"),
        ),
        (
            r"a test that starts with a word \(in, not in, is …\) must name its input with '\?'.*",
            lazy_gettext(
                "a test that starts with a word (in, not in, is …) must name its input with '?',"
                ' e.g. \'? in ["a", "b"]\''
            ),
        ),
        (
            r"several values in one cell are compared as one tuple; write \? in \[\"a\", \"b\"\]",
            lazy_gettext('several values in one cell are compared as one tuple; write ? in ["a", "b"]'),
        ),
        (
            r"not\(…\) compares the input with True or False; write \? not in \[\"a\", \"b\"\]",
            lazy_gettext('not(…) compares the input with True or False; write ? not in ["a", "b"]'),
        ),
        (
            r'"(?P<name>.+)" is an invalid (?:variable|attribute) name because it starts with "_"\.?',
            lazy_gettext("“%(name)s” is not allowed: names may not start with “_”"),
        ),
        (
            r"Element '(?:\{[^}]*\})?(?P<element>[\w.\-]+)': The attribute '(?P<attribute>[\w.\-:]+)' is required but"
            r" missing\.*\s*",
            lazy_gettext("the %(element)s element lacks its attribute %(attribute)s, which it must have"),
        ),
        (r"not well-formed XML: (?P<reason>.+)", lazy_gettext("not well-formed XML: %(reason)s")),
        (
            r"document type declarations (and entities )?are not allowed",
            lazy_gettext("document type declarations and entities are not allowed"),
        ),
        (
            r"the scripts and expressions add up to more than (?P<limit>[\d,]+) characters",
            lazy_gettext("the scripts and expressions add up to more than %(limit)s characters"),
        ),
        (r"Line (?P<line>\d+): SyntaxError: (?P<reason>.+)", lazy_gettext("line %(line)s: syntax error: %(reason)s")),
        (
            r"Line (?P<line>\d+): IndentationError: (?P<reason>.+)",
            lazy_gettext("line %(line)s: wrong indentation: %(reason)s"),
        ),
        (r"unexpected indent at statement: (?P<statement>.+)", lazy_gettext("unexpected indent: %(statement)s")),
        (
            r"the uploaded files do not define process '(?P<id>.*)'",
            lazy_gettext("the diagram no longer defines the process '%(id)s'"),
        ),
        (r"the diagram is larger than 5 MiB", lazy_gettext("The diagram is larger than 5 MiB.")),
        (r"send the BPMN XML as the request body", lazy_gettext("The request holds no diagram (BPMN XML).")),
        (r"invalid syntax at statement: (?P<statement>.+)", lazy_gettext("cannot be read: %(statement)s")),
        (r"Line (?P<line>\d+): (?P<reason>.+)", lazy_gettext("line %(line)s: %(reason)s")),
    ]
]
QUOTED = ("reason",)  # the parts that are problems themselves, worded in turn
RULE = re.compile(r"decision rule \d+ \(([^)]+)\)")


def problem_text(message: str, depth: int = 0) -> str:
    """`message` in the page's language where its wording is known; as it was otherwise."""
    for pattern, wording in WORDINGS:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        parts = found.groupdict(default="")
        for name in QUOTED:
            if parts.get(name) and depth < 4:
                parts[name] = problem_text(parts[name], depth + 1)
        return str(wording) % parts
    return message


def problems_text(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each problem of a refused check with its message worded for the page, and the decision rule it names
    (`rule`, for the decision editor to mark its cells)."""
    worded = []
    for error in errors:
        message = str(error.get("message") or "")
        rule = RULE.search(message)
        said = diagram_problem(error, problem_text) or problem_text(message)
        worded.append({**error, "message": said, **({"rule": rule.group(1)} if rule else {})})
    return worded
