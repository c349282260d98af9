"""The sandbox's compile-time policy and run-time budget.

RestrictedPython's policy, extended: size guards on operators that can build huge values, a budget tick in
every loop body, function, lambda and comprehension (a one-line `while True: pass` included), no
catch-all handlers, no imports, no classes, no computed format widths.
"""

from __future__ import annotations

import ast
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from RestrictedPython.transformer import RestrictingNodeTransformer

from .limits import MAX_BUILT, MAX_MEMORY_GROWTH, MAX_SEQUENCE

__all__ = ["Budget", "Policy", "SandboxStop", "charge", "metered", "tick"]


class SandboxStop(BaseException):
    """Raised inside a script that ran out of budget."""


@dataclass(frozen=True)
class Budget:
    """How much one script run may do: loop iterations and function calls (ticks), wall time, items built by the
    operations that can build large values (counted, so the same script stops at the same place in every process),
    and the process memory it may add (measured: the backstop for what the count does not see)."""

    max_ticks: int = 1_000_000
    max_seconds: float = 2.0
    max_built: int = MAX_BUILT
    max_memory_growth: int = MAX_MEMORY_GROWTH


class _Resident:
    """This process's resident memory in bytes, read from /proc (about a microsecond on a file kept open); None
    where there is no /proc. The file is opened again after a fork: /proc/self is resolved when it is opened."""

    def __init__(self) -> None:
        self._pid = -1
        self._fd: int | None = None
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def __call__(self) -> int | None:
        if self._pid != os.getpid():
            self._pid = os.getpid()
            try:
                self._fd = os.open("/proc/self/statm", os.O_RDONLY)
            except OSError:
                self._fd = None
        if self._fd is None:
            return None
        return int(os.pread(self._fd, 64, 0).split()[1]) * self._page


resident_bytes = _Resident()
_CHECK_EVERY = 32  # ticks between looks at the clock and the memory: a tick alone costs a fraction of a microsecond
_MEMORY_EVERY = 65_536  # items charged between looks at the memory (a look reads /proc: about a microsecond)


class _Meter:
    """Counts the ticks and the items built of one run; looks at the clock every _CHECK_EVERY ticks and at every
    charge, at the process memory every _CHECK_EVERY ticks and every _MEMORY_EVERY items charged."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.ticks = 0
        self.built = 0
        self.unlooked = 0  # items charged since the memory was last looked at
        self.deadline = time.monotonic() + budget.max_seconds
        self.memory_start = resident_bytes()

    def tick(self) -> bool:
        self.ticks += 1
        if self.ticks > self.budget.max_ticks:
            raise SandboxStop(f"more than {self.budget.max_ticks} loop steps")
        if self.ticks % _CHECK_EVERY == 0:
            self.check_time()
            self.check_memory()
        return True

    def charge(self, items: int) -> None:
        if items <= 0:
            return
        self.built += items
        if self.built > self.budget.max_built:
            raise SandboxStop(f"built values of more than {self.budget.max_built:,} items in all")
        self.check_time()
        self.unlooked += items
        if self.unlooked >= _MEMORY_EVERY:
            self.check_memory()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SandboxStop(f"more than {self.budget.max_seconds:g} seconds")

    def check_memory(self) -> None:
        self.unlooked = 0
        if self.memory_start is not None:
            now = resident_bytes()
            if now is not None and now - self.memory_start > self.budget.max_memory_growth:
                raise SandboxStop(f"used more than {self.budget.max_memory_growth // 2**20} MB of memory")


_ACTIVE = threading.local()


def tick() -> bool:
    meter: _Meter | None = getattr(_ACTIVE, "meter", None)
    return meter.tick() if meter is not None else True


def charge(items: int) -> None:
    """Count `items` built by one operation against the running script's budget (a no-op outside a run)."""
    meter: _Meter | None = getattr(_ACTIVE, "meter", None)
    if meter is not None:
        meter.charge(items)


def _tick_call() -> ast.Call:
    return ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[])


_GUARDED_OPS: dict[type[ast.operator], str] = {
    ast.Mult: "*",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.Add: "+",
    ast.Mod: "%",
    ast.BitOr: "|",  # and the three below: set operations, whose results must iterate as StableSet does
    ast.BitAnd: "&",
    ast.Sub: "-",
    ast.BitXor: "^",
}


class Policy(RestrictingNodeTransformer):
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

    def visit_Starred(self, node: ast.Starred) -> Any:
        """[*a, *b] and f(*a): each unpacked value is charged by its length (_star_), as `+` would be."""
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Load):
            call = ast.Call(func=ast.Name("_star_", ast.Load()), args=[node.value], keywords=[])
            node.value = ast.fix_missing_locations(ast.copy_location(call, node.value))
        return node

    def visit_Set(self, node: ast.Set) -> Any:
        """{a, b} is _set_([a, b]): a set that iterates in the same order in every process (sandbox_sets)."""
        node = self.node_contents_visit(node)
        call = ast.Call(func=ast.Name("_set_", ast.Load()), args=[ast.List(node.elts, ast.Load())], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_SetComp(self, node: ast.SetComp) -> Any:
        """{x for x in y} is _set_(x for x in y), as a set display is."""
        node = self.node_contents_visit(node)
        generator = ast.copy_location(ast.GeneratorExp(node.elt, node.generators), node)
        call = ast.Call(func=ast.Name("_set_", ast.Load()), args=[generator], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

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
        node = self.node_contents_visit(node)
        # {value} is {_fmt_(value)}: the value's text is measured before the f-string builds it (sandbox_text)
        call = ast.Call(func=ast.Name("_fmt_", ast.Load()), args=[node.value], keywords=[])
        node.value = ast.fix_missing_locations(ast.copy_location(call, node.value))
        return node

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


class metered:
    """Count the ticks of the code run in this block against `budget` (per thread)."""

    def __init__(self, budget: Budget) -> None:
        self._meter = _Meter(budget)
        self._previous: _Meter | None = None

    def __enter__(self) -> None:
        self._previous = getattr(_ACTIVE, "meter", None)
        _ACTIVE.meter = self._meter

    def __exit__(self, *exc: object) -> None:
        _ACTIVE.meter = self._previous
