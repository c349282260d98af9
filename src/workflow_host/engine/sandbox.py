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
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from types import CodeType
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
MAX_STORED = 1_000_000  # characters and items a script may leave in task data
_FORBIDDEN_ATTRS = frozenset({"mro", "gi_frame", "gi_code", "cr_frame", "f_globals", "f_locals", "f_back"})
_REMOVED_BUILTINS = (
    "BaseException",
    "KeyboardInterrupt",
    "SystemExit",
    "GeneratorExit",
    "id",
    "hash",
    "__build_class__",
    "setattr",
    "delattr",
    "_getattr_",
)


class SandboxStop(BaseException):
    """Raised inside a script that ran out of budget."""


@dataclass(frozen=True)
class Budget:
    """How much one script run may do: loop iterations and function calls (ticks), and wall time."""

    max_ticks: int = 1_000_000
    max_seconds: float = 2.0


class _Meter:
    """Counts the ticks of one run; ticks are calls the policy puts into every loop, function and comprehension."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.ticks = 0
        self.deadline = time.monotonic() + budget.max_seconds

    def tick(self) -> bool:
        self.ticks += 1
        if self.ticks > self.budget.max_ticks:
            raise SandboxStop(f"more than {self.budget.max_ticks} loop steps")
        if self.ticks % 64 == 0 and time.monotonic() > self.deadline:
            raise SandboxStop(f"more than {self.budget.max_seconds:g} seconds")
        return True


_ACTIVE = threading.local()


def _tick() -> bool:
    meter: _Meter | None = getattr(_ACTIVE, "meter", None)
    return meter.tick() if meter is not None else True


def _tick_call() -> ast.Call:
    return ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[])


_GUARDED_OPS: dict[type[ast.operator], str] = {
    ast.Mult: "*",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.Add: "+",
    ast.Mod: "%",
}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: size guards on operators that can build huge values, a budget tick in
    every loop body, function, lambda and comprehension, no catch-all handlers, no imports, no classes."""

    def visit_BinOp(self, node: ast.BinOp) -> Any:
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

    def _ticked_body(self, node: Any) -> Any:
        tick = ast.Expr(_tick_call())
        ast.copy_location(tick, node)
        node.body.insert(0, ast.fix_missing_locations(tick))
        return node

    def visit_While(self, node: ast.While) -> Any:
        return self._ticked_body(self.node_contents_visit(node))

    def visit_For(self, node: ast.For) -> Any:
        return self._ticked_body(super().visit_For(node))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        result = super().visit_FunctionDef(node)
        return self._ticked_body(result) if isinstance(result, ast.FunctionDef) else result

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        result = super().visit_Lambda(node)
        if not isinstance(result, ast.Lambda):
            return result
        body = ast.Subscript(
            value=ast.Tuple(elts=[_tick_call(), result.body], ctx=ast.Load()), slice=ast.Constant(1), ctx=ast.Load()
        )
        result.body = ast.fix_missing_locations(ast.copy_location(body, result.body))
        return result

    def visit_comprehension(self, node: ast.comprehension) -> Any:
        result: Any = super().visit_comprehension(node)
        result.ifs.insert(0, ast.fix_missing_locations(ast.copy_location(_tick_call(), result.iter)))
        return result

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.error(node, "classes are not allowed in diagram scripts.")
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if any(not isinstance(p, ast.Constant) for p in parts):
                self.error(node, "computed format specifications are not allowed.")
            elif any(int(n) > MAX_SEQUENCE for p in parts for n in re.findall(r"\d+", str(getattr(p, "value", "")))):
                self.error(node, "format width too large.")
        return self.node_contents_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        if node.type is None:
            self.error(node, "A bare 'except:' is not allowed; name the exceptions to catch.")
        return self.node_contents_visit(node)

    def visit_Import(self, node: ast.Import) -> Any:
        self.error(node, "imports are not allowed in diagram scripts.")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self.error(node, "imports are not allowed in diagram scripts.")
        return node

    def visit_Global(self, node: ast.Global) -> Any:
        self.error(node, "'global' is not allowed in diagram scripts.")
        return node


def _too_big(what: str) -> ScriptError:
    return ScriptError(f"{what} would build a value of more than {MAX_SEQUENCE} items")


def _size_check(symbol: str, left: object, right: object) -> None:
    """Refuse an operation whose result would be huge, before it is computed."""
    sized = (str, bytes, list, tuple)
    if symbol == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, sized) and isinstance(n, int):
                if len(seq) * n > MAX_SEQUENCE:
                    raise _too_big("'*'")
                return
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise ScriptError("integer result too large")
    elif symbol == "+":
        if isinstance(left, sized) and isinstance(right, sized) and len(left) + len(right) > MAX_SEQUENCE:
            raise _too_big("'+'")
    elif symbol == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if left.bit_length() * right > MAX_INT_BITS:
                raise ScriptError("integer result too large")
    elif symbol == "<<" and isinstance(right, int) and right > MAX_INT_BITS:
        raise ScriptError("integer result too large")
    elif symbol == "%" and isinstance(left, str | bytes) and b"*" in (left.encode() if isinstance(left, str) else left):
        raise ScriptError("'%' formatting with '*' widths is not allowed; use f-strings")


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "<<": operator.lshift,
    "+": operator.add,
    "%": operator.mod,
}
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
    if op not in _INPLACE:
        raise ScriptError(f"operator {op} is not allowed")
    _size_check(op[:-1], target, value)
    return _INPLACE[op](target, value)


def _guarded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None:
        _size_check("**", base, exp)
        return operator.pow(base, exp)
    return pow(base, exp, mod)


def _width_guard(method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(width: int, *args: Any) -> Any:
        if isinstance(width, int) and width > MAX_SEQUENCE:
            raise _too_big(f"{method.__name__}()")
        return method(width, *args)

    return guarded


def _string_method(obj: str | bytes, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """Guard the string methods whose result can be far larger than their inputs."""
    if name in ("ljust", "rjust", "center", "zfill"):
        return _width_guard(method)
    if name == "expandtabs":

        def expandtabs(tabsize: int = 8) -> Any:
            _size_check("*", obj, max(tabsize, 1))
            return method(tabsize)

        return expandtabs
    if name == "replace":

        def replace(old: Any, new: Any, count: int = -1) -> Any:
            hits = obj.count(old) if old else len(obj) + 1
            if len(obj) + hits * max(len(new) - len(old), 0) > MAX_SEQUENCE:
                raise _too_big("replace()")
            return method(old, new, count)

        return replace
    if name == "join":

        def join(items: Any) -> Any:
            items = list(items)
            total = sum(len(i) for i in items if isinstance(i, str | bytes)) + len(obj) * len(items)
            if total > MAX_SEQUENCE:
                raise _too_big("join()")
            return method(items)

        return join
    return method


def _list_method(obj: list[Any], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    if name != "extend":
        return method

    def extend(items: Any) -> None:
        items = list(items)
        if len(obj) + len(items) > MAX_SEQUENCE:
            raise _too_big("extend()")
        method(items)

    return extend


def _getattr(obj: object, name: str, default: object = None) -> object:
    if name in _FORBIDDEN_ATTRS:
        raise ScriptError(f"attribute '{name}' is not allowed")
    value = safer_getattr(obj, name, default)  # type: ignore[no-untyped-call]
    if isinstance(obj, str | bytes) and callable(value):
        return _string_method(obj, name, value)
    if isinstance(obj, list) and callable(value):
        return _list_method(obj, name, value)
    return value


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
        pow=_guarded_pow,
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
        "_tick_": _tick,
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


class _JsonCheck:
    """Walks values as JSON would write them (a shared list counts every time) within a size budget."""

    def __init__(self) -> None:
        self.size = 0

    def check(self, name: str, value: object, depth: int = 0) -> None:
        if depth > 50:
            raise ScriptError(f"'{name}' is nested too deeply")
        self.size += len(value) if isinstance(value, str) else 1
        if self.size > MAX_STORED:
            raise ScriptError(f"'{name}' is too large to store")
        if value is None or isinstance(value, bool | int | float | str):
            return
        if isinstance(value, list | tuple):
            for item in value:
                self.check(name, item, depth + 1)
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ScriptError(f"'{name}' has a key that is not a string: {key!r}")
                self.check(f"{name}.{key}", item, depth + 1)
            return
        hint = " (store dates as ISO strings, e.g. d.isoformat())" if isinstance(value, date) else ""
        if isinstance(value, Decimal):
            hint = " (store amounts as strings, e.g. str(amount))"
        raise ScriptError(f"'{name}' holds a {type(value).__name__}, which cannot be stored{hint}")


def check_json_safe(name: str, value: object) -> None:
    """Refuse task data that cannot be stored as JSON (dates, Decimals, objects) or is too large."""
    _JsonCheck().check(name, value)


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
        """Evaluate an expression against a copy of task data: even a mutating call cannot change the case."""
        code = _compile(expression, "eval")
        scope = {**self._base, **(extra or {}), **copy.deepcopy(dict(data))}
        return self._run(code, scope, eval)

    def execute(self, script: str, data: dict[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Run a script; names it assigns become task data, names it deletes leave it."""
        code = _compile(script, "exec")
        extra = extra or {}
        scope = {**self._base, **extra, **copy.deepcopy(data)}
        self._run(code, scope, exec)
        result: dict[str, Any] = {}
        checker = _JsonCheck()
        for key, value in scope.items():
            if key.startswith("_") or callable(value) or isinstance(value, type):
                continue
            if (key in self._base and value is self._base[key]) or (key in extra and value is extra[key]):
                continue
            checker.check(key, value)
            result[key] = value
        data.clear()
        data.update(result)

    def _run(self, code: CodeType, scope: dict[str, Any], runner: Callable[..., Any]) -> Any:
        previous = getattr(_ACTIVE, "meter", None)
        _ACTIVE.meter = _Meter(self._budget)
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
            _ACTIVE.meter = previous
