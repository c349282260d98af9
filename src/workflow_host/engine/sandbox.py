"""Run diagram scripts and expressions under RestrictedPython with guards and a budget.

Diagrams are code: a condition or script comes from whoever uploaded the BPMN. Every one of them is
compiled with RestrictedPython (no imports, no underscore names, guarded attribute/item access),
runs with a small whitelist of builtins and helpers, and is stopped when it exceeds a line or time
budget or tries to build a huge value.
"""

from __future__ import annotations

import ast
import copy
import operator
import re
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer

from .clock import LOCAL_TZ, ClockedDatetime
from .clock import now as clock_now
from .errors import ScriptError

__all__ = ["Budget", "Sandbox", "SandboxStop", "check_json_safe"]

MAX_SEQUENCE = 1_000_000
MAX_INT_BITS = 64_000
MAX_RANGE = 100_000
_FORBIDDEN_ATTRS = frozenset({"mro", "gi_frame", "gi_code", "cr_frame", "f_globals", "f_locals", "f_back"})
_REMOVED_BUILTINS = ("BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit", "id", "hash")


class SandboxStop(BaseException):
    """Raised inside a script that ran out of budget."""


class Budget:
    """A line and wall-time allowance for one script run, enforced with a trace function."""

    def __init__(self, max_lines: int = 200_000, max_seconds: float = 2.0) -> None:
        self.max_lines = max_lines
        self.max_seconds = max_seconds
        self.lines = 0
        self._deadline = 0.0
        self.exceeded: str | None = None

    def start(self) -> None:
        self.lines = 0
        self.exceeded = None
        self._deadline = time.monotonic() + self.max_seconds

    def trace(self, frame: FrameType, event: str, arg: object) -> Callable[..., Any] | None:
        return self._line

    def _line(self, frame: FrameType, event: str, arg: object) -> Callable[..., Any] | None:
        if event == "line":
            self.lines += 1
            if self.lines > self.max_lines:
                self.exceeded = f"more than {self.max_lines} steps"
            elif self.lines % 1000 == 0 and time.monotonic() > self._deadline:
                self.exceeded = f"more than {self.max_seconds:g} seconds"
            if self.exceeded:
                raise SandboxStop(self.exceeded)
        return self._line


_GUARDED_OPS: dict[type[ast.operator], str] = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<"}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus size guards on *, ** and << and no catch-all handlers."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name("_binop_", ast.Load()),
            args=[ast.Constant(symbol), node.left, node.right],
            keywords=[],
        )
        ast.copy_location(call, node)
        return ast.fix_missing_locations(call)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        if node.type is None:
            self.error(node, "A bare 'except:' is not allowed; name the exceptions to catch.")
        return self.node_contents_visit(node)

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "imports are not allowed in diagram scripts.")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(node, "imports are not allowed in diagram scripts.")
        return node

    def visit_Global(self, node: ast.Global) -> ast.AST:
        self.error(node, "'global' is not allowed in diagram scripts.")
        return node


def _size_check(symbol: str, left: object, right: object) -> None:
    if symbol == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(n, int):
                if len(seq) * n > MAX_SEQUENCE:
                    raise ScriptError(f"'{symbol}' would build a value of more than {MAX_SEQUENCE} items")
                return
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise ScriptError("integer result too large")
    elif symbol == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if left.bit_length() * right > MAX_INT_BITS:
                raise ScriptError("integer result too large")
    elif symbol == "<<" and isinstance(right, int) and right > MAX_INT_BITS:
        raise ScriptError("integer result too large")


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {"*": operator.mul, "**": operator.pow, "<<": operator.lshift}
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
}


def _binop(symbol: str, left: Any, right: Any) -> Any:
    _size_check(symbol, left, right)
    return _BINOPS[symbol](left, right)


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    if op in ("*=", "**=", "<<="):
        _size_check(op[:-1], target, value)
    if op not in _INPLACE:
        raise ScriptError(f"operator {op} is not allowed")
    return _INPLACE[op](target, value)


def _getattr(obj: object, name: str, default: object = None) -> object:
    if name in _FORBIDDEN_ATTRS:
        raise ScriptError(f"attribute '{name}' is not allowed")
    return safer_getattr(obj, name, default)  # type: ignore[no-untyped-call]


def _range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ScriptError(f"range() of more than {MAX_RANGE} items is not allowed")
    return result


class SandboxDate(date):
    """date with today() from the engine clock."""

    @classmethod
    def today(cls) -> SandboxDate:
        local = clock_now().astimezone(LOCAL_TZ).date()
        return cls(local.year, local.month, local.day)


class SandboxDatetime(ClockedDatetime):
    """datetime with now()/today() from the engine clock."""

    @classmethod
    def today(cls) -> SandboxDatetime:
        return cls.now()  # type: ignore[return-value]

    @classmethod
    def utcnow(cls) -> SandboxDatetime:
        return cls.fromisoformat(clock_now().replace(tzinfo=None).isoformat())


def _builtins() -> dict[str, Any]:
    names = dict(safe_builtins)
    for name in _REMOVED_BUILTINS:
        names.pop(name, None)
    names.update(
        range=_range,
        min=min,
        max=max,
        sum=sum,
        sorted=sorted,
        reversed=reversed,
        any=any,
        all=all,
        enumerate=enumerate,
        zip=zip,
        list=list,
        dict=dict,
        set=set,
        frozenset=frozenset,
        tuple=tuple,
        map=map,
        filter=filter,
    )
    return names


def _base_globals(helpers: Mapping[str, Any]) -> dict[str, Any]:
    base: dict[str, Any] = {
        "__builtins__": _builtins(),
        "__name__": "diagram_script",
        "__metaclass__": type,
        "_getattr_": _getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_write_": full_write_guard,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": _inplacevar,
        "_binop_": _binop,
        "date": SandboxDate,
        "datetime": SandboxDatetime,
        "timedelta": timedelta,
        "Decimal": Decimal,
    }
    base.update(helpers)
    return base


_LINE = re.compile(r"[Ll]ine (\d+)")


def _first_error(errors: Sequence[str]) -> ScriptError:
    message = errors[0]
    match = _LINE.search(message)
    return ScriptError(message, line=int(match.group(1)) if match else None)


@lru_cache(maxsize=2048)
def _compile(source: str, mode: str) -> CodeType:
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, filename="<diagram>", policy=_Policy)
    if result.errors:
        raise _first_error(result.errors)
    assert result.code is not None
    return result.code


def _script_line(err: BaseException) -> int | None:
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == "<diagram>":
            line = frame.lineno
    return line


def check_json_safe(name: str, value: object, depth: int = 0) -> None:
    """Refuse task data that cannot be stored as JSON (dates, Decimals, objects)."""
    if depth > 50:
        raise ScriptError(f"'{name}' is nested too deeply")
    if value is None or isinstance(value, bool | int | float | str):
        return
    if isinstance(value, list | tuple):
        for item in value:
            check_json_safe(name, item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ScriptError(f"'{name}' has a key that is not a string: {key!r}")
            check_json_safe(f"{name}.{key}", item, depth + 1)
        return
    hint = " (store dates as ISO strings, e.g. d.isoformat())" if isinstance(value, date) else ""
    if isinstance(value, Decimal):
        hint = " (store amounts as strings, e.g. str(amount))"
    raise ScriptError(f"'{name}' holds a {type(value).__name__}, which cannot be stored{hint}")


class Sandbox:
    """Compiles and runs untrusted scripts and expressions."""

    def __init__(self, helpers: Mapping[str, Any] | None = None, budget: Budget | None = None) -> None:
        self._base = _base_globals(helpers or {})
        self._budget = budget or Budget()

    @property
    def reserved_names(self) -> frozenset[str]:
        return frozenset(self._base)

    def check(self, source: str, mode: str = "exec") -> None:
        """Raise ScriptError with the line and reason when `source` does not compile restricted."""
        _compile(source, mode)

    def evaluate(self, expression: str, data: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Any:
        """Evaluate an expression against task data; the data is not changed."""
        code = _compile(expression, "eval")
        scope = {**self._base, **(extra or {}), **data}
        return self._run(code, scope, eval)

    def execute(self, script: str, data: dict[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Run a script; names it assigns become task data, names it deletes leave it."""
        code = _compile(script, "exec")
        extra = extra or {}
        scope = {**self._base, **extra, **copy.deepcopy(data)}
        self._run(code, scope, exec)
        result: dict[str, Any] = {}
        for key, value in scope.items():
            if key.startswith("_") or callable(value) or isinstance(value, type):
                continue
            if (key in self._base and value is self._base[key]) or (key in extra and value is extra[key]):
                continue
            check_json_safe(key, value)
            result[key] = value
        data.clear()
        data.update(result)

    def _run(self, code: CodeType, scope: dict[str, Any], runner: Callable[..., Any]) -> Any:
        budget = self._budget
        budget.start()
        previous = sys.gettrace()
        sys.settrace(budget.trace)
        try:
            return runner(code, scope)
        except SandboxStop as stop:
            raise ScriptError(f"script stopped: {stop}") from None
        except RecursionError:
            raise ScriptError("script stopped: recursion too deep") from None
        except MemoryError:
            raise ScriptError("script stopped: out of memory") from None
        except ScriptError:
            raise
        except Exception as err:
            raise ScriptError(f"{type(err).__name__}: {err}", line=_script_line(err)) from None
        finally:
            sys.settrace(previous)
