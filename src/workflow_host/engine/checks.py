"""Every script and expression a set of diagrams will run, checked under the sandbox before deploying."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from .decisions import HostBpmnParser
from .errors import DiagramError, ScriptError
from .limits import MAX_SCRIPTS_TOTAL
from .sandbox import Sandbox

__all__ = ["check_decisions", "check_scripts"]


class SourceBudget:
    """How many characters of scripts and expressions one deployment may have compiled (MAX_SCRIPTS_TOTAL):
    compiling restricted costs about 6 ms of CPU per kilobyte, and anyone signed in may ask for a check."""

    def __init__(self, limit: int = MAX_SCRIPTS_TOTAL) -> None:
        self.left = limit

    def take(self, source: str) -> bool:
        """Count `source`; False once the deployment's sources add up to more than the limit."""
        self.left -= len(source)
        return self.left >= 0

    @staticmethod
    def error(filename: str) -> DiagramError:
        message = f"the scripts and expressions add up to more than {MAX_SCRIPTS_TOTAL:,} characters"
        return DiagramError(filename, message, code="scripts_too_long", params={"limit": MAX_SCRIPTS_TOTAL})


def check_decisions(parser: HostBpmnParser, sandbox: Sandbox, budget: SourceBudget | None = None) -> list[DiagramError]:
    """Every decision table is parsed and its expressions checked, whether or not a diagram calls it yet. All of
    them are counted against `budget` before any is compiled (each rule's cell is compiled with its input)."""
    errors: list[DiagramError] = []
    budget = budget or SourceBudget()
    checks: list[tuple[str, str, str, str, str]] = []  # file, decision, what, source, mode
    for decision_id, dmn_parser in parser.dmn_parsers.items():
        filename = getattr(dmn_parser, "filename", None) or decision_id
        try:
            dmn_parser.parse()
            table = dmn_parser.decision.decisionTables[0]
        except Exception as err:  # a malformed table surfaces as any kind of error inside SpiffWorkflow
            message, params = f"decision could not be read: {err}", {"reason": str(err)}
            errors.append(DiagramError(filename, message, decision_id, code="decision_unreadable", params=params))
            continue
        unsupported = _unsupported_policy(dmn_parser, table)
        if unsupported:
            message, params = unsupported
            errors.append(DiagramError(filename, message, decision_id, code="hit_policy_refused", params=params))
        for what, source, mode in _dmn_expressions(table):
            if mode == "refused":
                errors.append(_entry_refused(filename, decision_id, what, source))
            elif not budget.take(source):
                return [*errors, budget.error(filename)]
            else:
                checks.append((filename, decision_id, what, source, mode))
    for filename, decision_id, what, source, mode in checks:
        try:
            sandbox.check(source, mode)
        except ScriptError as err:
            errors.append(_entry_refused(filename, decision_id, what, err.message))
    return errors


def _entry_refused(filename: str, decision_id: str, what: str, reason: str) -> DiagramError:
    """A decision table's cell or input refused: `what` names it ("decision rule 2 (r2) input", "decision input
    案件类型"), which the decision editor reads from the message to mark the cell."""
    params = {"what": what, "reason": reason}
    return DiagramError(
        filename, f"{what} refused: {reason}", decision_id, code="decision_entry_refused", params=params
    )


# what SpiffWorkflow's DMN engine decides as written (it takes UNIQUE and ANY at their word: the first match)
HIT_POLICIES = ("UNIQUE", "FIRST", "ANY", "COLLECT")


def _unsupported_policy(dmn_parser: Any, table: Any) -> tuple[str, dict[str, str]] | None:
    """Why the table's hit policy would be evaluated wrongly: SpiffWorkflow returns the first match for any policy
    but COLLECT (PRIORITY, RULE ORDER and OUTPUT ORDER would silently decide otherwise than written) and ignores
    COLLECT's aggregation (SUM, COUNT, MIN, MAX). The message and what it names."""
    if table.hit_policy not in HIT_POLICIES:
        allowed = ", ".join(HIT_POLICIES)
        return f"hit policy {table.hit_policy} is not supported; use {allowed}", {
            "policy": str(table.hit_policy),
            "allowed": allowed,
        }
    for element in dmn_parser.xpath(".//dmn:decisionTable"):
        aggregation = element.get("aggregation")
        if aggregation:
            message = f"COLLECT with aggregation {aggregation} is not supported; collect the outputs as a list"
            return message, {"aggregation": str(aggregation)}
    return None


def _expressions(task_spec: Any) -> Iterator[tuple[str, str, str]]:
    """Yield (what, source, mode) for every script and expression a task spec will run."""
    for attr in ("script", "prescript", "postscript"):
        source = getattr(task_spec, attr, None)
        if isinstance(source, str) and source.strip():
            yield attr, source, "exec"
    for attr in ("condition", "cardinality"):
        source = getattr(task_spec, attr, None)
        if isinstance(source, str) and source.strip():
            yield attr, source, "eval"
    for condition, _target in getattr(task_spec, "cond_task_specs", None) or []:
        args = getattr(condition, "args", None)  # SpiffWorkflow wraps the expression in an operator
        source = args[0] if args else condition
        if isinstance(source, str) and source.strip():
            yield "flow condition", source, "eval"
    event = getattr(task_spec, "event_definition", None)
    if isinstance(event, TimerEventDefinition | ConditionalEventDefinition):
        yield "event expression", event.expression, "eval"


_QUESTION_MARK = re.compile(
    r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)"
)  # a '?' outside quotes, as SpiffWorkflow finds it
_WORD_TEST = (
    "a test that starts with a word (in, not in, is …) must name its input with '?', e.g. '? in [\"a\", \"b\"]'"
)


def _dmn_expressions(table: Any) -> Iterator[tuple[str, str, str]]:
    """Every expression of a table, composed exactly as SpiffWorkflow's DMN engine will evaluate it."""
    for column in table.inputs:
        if column.expression:
            yield f"decision input {column.label or column.id}", column.expression, "eval"
    for rule in table.rules:
        where = f"decision rule {rule.row_number} ({rule.id})"
        for entry in rule.inputEntries:
            input_expr = getattr(entry.input, "expression", "") or ""
            for lhs in entry.lhs:
                if lhs and lhs.strip() not in ("-", ""):
                    yield (f"{where} input", *_match_expression(input_expr, lhs))
        for out in rule.outputEntries:
            if out.text and out.text.strip() in _FEEL_WORDS:
                yield f"{where} output", _feel_word(out.text.strip()), "refused"
            elif out.text and out.text.strip():
                yield f"{where} output", out.text, "eval"


def _parses(source: str) -> bool:
    """Whether SpiffWorkflow's DMN engine takes the entry as a value to compare with (it tries ast.parse)."""
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


_FEEL_WORDS = {"true": "True", "false": "False", "null": "None"}


def _feel_word(word: str) -> str:
    return f"write {_FEEL_WORDS[word]}, not {word}: the expressions of a table are Python"


def _feel_written(lhs: str) -> str | None:
    """Why an input entry written the FEEL way (as a DMN editor's value pickers write it) would be decided
    otherwise than meant once SpiffWorkflow compares the input with it in Python; None when it is fine."""
    text = lhs.strip()
    if text in _FEEL_WORDS:
        return _feel_word(text)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(tree, ast.Tuple):
        return 'several values in one cell are compared as one tuple; write ? in ["a", "b"]'
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not):
        return 'not(…) compares the input with True or False; write ? not in ["a", "b"]'
    return None


def _match_expression(input_expr: str, lhs: str) -> tuple[str, str]:
    """(source, mode) of an input entry; mode `refused` when SpiffWorkflow would build a broken expression."""
    if _QUESTION_MARK.search(lhs):
        return _QUESTION_MARK.sub("dmninputexpr", lhs), "eval"
    feel = _feel_written(lhs)
    if feel:
        return feel, "refused"
    if _parses(lhs):
        return f"({input_expr}) == ({lhs})", "eval"
    if lhs.lstrip()[:1].isalpha():
        return _WORD_TEST, "refused"  # SpiffWorkflow would glue it to the input: 'significancein [...]'
    return input_expr + lhs, "eval"


def check_scripts(
    specs: dict[str, Any], files: dict[str, str], sandbox: Sandbox, budget: SourceBudget | None = None
) -> list[DiagramError]:
    """Every script, condition, timer and loop expression of the processes' task specs; `files` maps
    process id to its file. All are counted against `budget` before any is compiled."""
    budget = budget or SourceBudget()
    checks: list[tuple[str, str, str, str, str]] = []  # file, element, what, source, mode
    for process_id, spec in specs.items():
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, SubWorkflowTask | UserTask) and not getattr(task_spec, "bpmn_id", None):
                continue
            element = getattr(task_spec, "bpmn_id", None) or task_spec.name
            for what, source, mode in _expressions(task_spec):
                if not budget.take(source):
                    return [budget.error(files[process_id])]
                checks.append((files[process_id], element, what, source, mode))
    errors: list[DiagramError] = []
    for filename, element, what, source, mode in checks:
        try:
            sandbox.check(source, mode)
        except ScriptError as err:
            message, params = f"{what} refused: {err.message}", {"what": what, "reason": err.message}
            errors.append(DiagramError(filename, message, element, err.line, code="expression_refused", params=params))
    return errors
