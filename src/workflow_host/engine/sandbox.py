"""Run diagram scripts and expressions under RestrictedPython with guards and a budget.

Diagrams are code: a condition or script comes from whoever uploaded the BPMN. Every one of them is
compiled with RestrictedPython under the policy of sandbox_policy.py (no imports, no underscore names,
guarded attribute/item access, a budget tick in every loop), runs with a small whitelist of builtins and
helpers and the guards of sandbox_operators.py, sandbox_attributes.py, sandbox_builtins.py and
sandbox_text.py, keeps its sets in a stable order (sandbox_sets.py), and is stopped when it exceeds its budget
or tries to build a huge value.
"""

from __future__ import annotations

import copy
import importlib
import re
import time as time_module
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Context, Decimal, Overflow, localcontext
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)

from .clock import LOCAL_TZ, ClockedDatetime
from .clock import now as clock_now
from .errors import ScriptError
from .limits import MAX_DECIMAL_EXPONENT, MAX_STORED
from .sandbox_attributes import guarded_getattr
from .sandbox_builtins import (
    guarded_decimal,
    guarded_filter,
    guarded_map,
    guarded_range,
    guarded_star,
    guarded_sum,
    guarded_write,
)
from .sandbox_operators import guarded_binop, guarded_inplacevar, guarded_pow
from .sandbox_policy import Budget, Policy, SandboxStop, metered, tick
from .sandbox_sets import StableFrozenSet, StableSet
from .sandbox_text import guarded_fmt, guarded_repr, guarded_str

__all__ = ["Budget", "Sandbox", "SandboxStop"]

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


def _c_import(name: str, *args: Any, **kwargs: Any) -> Any:
    """__import__ for C code only (scripts cannot name it): date.strftime imports `time`, datetime.strptime
    `_strptime`, through the builtins of the frame that calls them; without one they failed with KeyError."""
    if name == "time":
        return time_module
    if name == "_strptime":  # datetime.strptime's own module (the directives it may read: sandbox_attributes)
        return importlib.import_module("_strptime")
    raise ImportError(f"import of '{name}' is not allowed")


def _builtins() -> dict[str, Any]:
    names = dict(safe_builtins)
    for name in _REMOVED_BUILTINS:
        names.pop(name, None)
    names["__import__"] = _c_import
    names.update(
        range=guarded_range,
        pow=guarded_pow,
        str=guarded_str,
        repr=guarded_repr,
        min=min,
        max=max,
        sum=guarded_sum,
        sorted=sorted,
        reversed=reversed,
        any=any,
        all=all,
        enumerate=enumerate,
        zip=zip,
        list=list,
        dict=dict,
        set=StableSet,
        frozenset=StableFrozenSet,
        tuple=tuple,
        map=guarded_map,
        filter=guarded_filter,
    )
    return names


def _base_globals(helpers: Mapping[str, Any]) -> dict[str, Any]:
    base: dict[str, Any] = {
        "__builtins__": _builtins(),
        "__name__": "diagram_script",
        "__metaclass__": type,
        "_getattr_": guarded_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_write_": guarded_write,
        "_star_": guarded_star,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": guarded_inplacevar,
        "_binop_": guarded_binop,
        "_tick_": tick,
        "_fmt_": guarded_fmt,
        "_set_": StableSet,
        "date": SandboxDate,
        "datetime": SandboxDatetime,
        "timedelta": timedelta,
        "Decimal": guarded_decimal,
    }
    base.update(helpers)
    return base


_LINE = re.compile(r"[Ll]ine (\d+)")


def _first_error(errors: Sequence[str]) -> ScriptError:
    message = errors[0]
    match = _LINE.search(message)
    return ScriptError(message, line=int(match.group(1)) if match else None)


# Decimal arithmetic in scripts: the default precision, exponents within what guarded_decimal lets a script make
_SCRIPT_DECIMALS = Context(Emax=MAX_DECIMAL_EXPONENT, Emin=-MAX_DECIMAL_EXPONENT)
MAX_SOURCE = 64 * 1024  # characters of one script or expression; the measures' longest is about 2,000


def _compile(source: str, mode: str) -> CodeType:
    if len(source) > MAX_SOURCE:  # compiling restricted is slow and memory-hungry: megabytes take minutes
        raise ScriptError(f"the script is longer than {MAX_SOURCE:,} characters; split it into several tasks")
    return _compile_checked(source, mode)


@lru_cache(maxsize=1024)
def _compile_checked(source: str, mode: str) -> CodeType:
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    try:
        result = compiler(source, filename="<diagram>", policy=Policy)
    except (RecursionError, MemoryError):  # e.g. 3,000 nested "not": the compiler walks the tree recursively
        raise ScriptError("the script is nested too deeply to check") from None
    if result.errors:
        raise _first_error(result.errors)
    assert result.code is not None
    return result.code


def _raises_at(source: str, line: int | None) -> bool:
    """Whether `line` of `source` is a raise statement: an error the script raised itself, not one of a call."""
    lines = source.splitlines()
    return line is not None and 0 < line <= len(lines) and lines[line - 1].lstrip().startswith("raise ")


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
        kind = type(value).__name__
        if isinstance(value, set | frozenset):
            kind, hint = "set", " (store a list, e.g. sorted(names), or del the name when done)"
        raise ScriptError(f"'{name}' holds a {kind}, which cannot be stored{hint}")


class Sandbox:
    """Compiles and runs untrusted scripts and expressions."""

    def __init__(self, helpers: Mapping[str, Any] | None = None, budget: Budget | None = None) -> None:
        self._base = _base_globals(helpers or {})
        self._budget = budget or Budget()

    def check(self, source: str, mode: str = "exec") -> None:
        """Raise ScriptError with the line and reason when `source` does not compile restricted."""
        _compile(source, mode)

    def evaluate(self, expression: str, data: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Any:
        """Evaluate an expression against a copy of task data: even a mutating call cannot change the case."""
        code = _compile(expression, "eval")
        scope = {**self._base, **(extra or {}), **copy.deepcopy(dict(data))}
        return self._run(code, scope, eval, expression)

    def execute(self, script: str, data: dict[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Run a script; names it assigns become task data, names it deletes leave it."""
        code = _compile(script, "exec")
        extra = extra or {}
        scope = {**self._base, **extra, **copy.deepcopy(data)}
        self._run(code, scope, exec, script)
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

    def _run(self, code: CodeType, scope: dict[str, Any], runner: Callable[..., Any], source: str) -> Any:
        try:
            with metered(self._budget), localcontext(_SCRIPT_DECIMALS):
                return runner(code, scope)
        except SandboxStop as stop:
            raise ScriptError(f"script stopped: {stop}") from None
        except RecursionError:
            raise ScriptError("script stopped: recursion too deep") from None
        except MemoryError:
            raise ScriptError("script stopped: out of memory") from None
        except Overflow as err:
            message = f"Decimal result beyond the exponent ±{MAX_DECIMAL_EXPONENT}"
            raise ScriptError(message, line=_script_line(err)) from None
        except ScriptError:
            raise
        except Exception as err:
            line = _script_line(err)
            said = str(err) if type(err) is ValueError and _raises_at(source, line) else None
            raise ScriptError(f"{type(err).__name__}: {err}", line=line, said=said) from None
