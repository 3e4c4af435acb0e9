"""Runs one submitted notebook inside the sandbox and reports the names it defined.

Started by `helpers.grading.grade` as `python -m helpers.grading._child` in a private working
copy; reads its settings as JSON on stdin and writes one JSON line of results to the event
file descriptor it was given. Executing the cells is the whole point of this process, so it uses
`exec` on purpose; it is isolated (see _lockdown) and the tests run later in a different process.

Cells run in notebook order, statement by statement, so a cell that fails stops at the failing
statement (as in Jupyter) but later cells still run: one broken cell costs only what depends on it.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import json
import linecache
import os
import sys
import types
from typing import Any

from helpers.grading import _lockdown, _wire

VISIBLE_TAG = "visible-test"
INJECTED = frozenset({"display", "get_ipython", "In", "Out", "exit", "quit"})
DEF_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
MAX_VALUE_CHARS = 2_000_000  # JSON size of one variable passed to the tests
MAX_TOTAL_CHARS = 16_000_000  # all variables together (the parent accepts 32 MB of events)
# Code that reaches into the grader rather than solving the exercise. Submissions using any of
# these get a "review:" note so an instructor can look at them by hand (nothing is deducted).
SUSPICIOUS = (
    "_getframe",
    "currentframe",
    "inspect.stack",
    "gc.get_objects",
    "gc.get_referrers",
    "f_back",
    "helpers.grading",
    "/proc/",
    "os.write",
    "os.dup2",
    "ctypes",
    "__builtins__",
    "import builtins",
    "addaudithook",
    "signal.signal",
    "setitimer",
)


def main() -> None:
    cfg = json.loads(sys.stdin.buffer.read())
    events = os.fdopen(cfg["event_fd"], "w", encoding="utf-8")
    _lockdown.quiet_stdin()
    # CPU time is only a backstop: kept well above the parent's wall-clock deadline (limit + 3 s
    # grace), so a busy loop on an idle machine is reported as "timed out", not killed as crashed.
    _lockdown.apply_limits(cfg["memory_mb"], 2 * cfg["time_limit"] + 10, cfg["fsize_mb"])
    result: dict[str, Any] = {"event": "exports", "notes": []}
    try:
        cells = _read_cells(cfg["notebook"])
    except ValueError as e:
        result.update(invalid=str(e))
        _emit(events, result)
        return
    result["notes"].extend(_review_notes(cells))
    _lockdown.drop_privileges(cfg["drop_to"])
    _lockdown.install_guard(os.getcwd(), cfg["deny"], cfg["sandboxes"])
    ns: dict[str, Any] = {
        "__name__": "__main__",
        "__builtins__": builtins,
        "display": _display,
        "get_ipython": lambda: None,
    }
    defs = _run_cells(cells, ns, cfg["time_limit"], result)
    result.update(_collect(ns, defs))
    _emit(events, result)


def _read_cells(path: str) -> list[tuple[int, str, list[str]]]:
    """(cell number, code, tags) of every code cell; ValueError if it is not a notebook."""
    try:
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
        cells = nb["cells"]
        out = []
        for i, cell in enumerate(cells, start=1):
            if cell.get("cell_type") == "code":
                src = cell.get("source", "")
                out.append(
                    (
                        i,
                        "".join(src) if isinstance(src, list) else str(src),
                        list(cell.get("metadata", {}).get("tags", [])),
                    )
                )
        return out
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValueError(
            f"the submission is not a readable notebook ({type(e).__name__}: {e})"
        ) from None


def _review_notes(cells: list[tuple[int, str, list[str]]]) -> list[str]:
    """'review:' notes for cells that use grader internals (checked before anything runs)."""
    notes = []
    for number, source, tags in cells:
        # Visible tests ship in every student copy and import helpers.grading; the grader runs
        # them from the instructor's notebook, never the submission's cell, so they are not flagged.
        if VISIBLE_TAG in tags:
            continue
        used = [s for s in SUSPICIOUS if s in source]
        if used:
            notes.append(
                f"review: cell {number} uses {', '.join(used)}, which can interfere "
                "with grading; check this submission by hand"
            )
    return notes


def _run_cells(cells: list, ns: dict[str, Any], limit: float, result: dict[str, Any]) -> list[dict]:
    """Execute code cells in order; record completed definitions, errors and a timeout."""
    defs: list[dict] = []
    _lockdown.install_alarm()
    current = 0
    try:
        with _lockdown.time_limit(limit):
            for number, source, tags in cells:
                current = number
                if VISIBLE_TAG not in tags:  # visible tests are run by the grader from the source
                    _run_cell(number, source, ns, defs, result["notes"])
    except _lockdown.WallClockTimeout:
        result["timed_out"] = {"cell": current, "after": limit}
    return defs


def _run_cell(number: int, source: str, ns: dict, defs: list[dict], notes: list[str]) -> None:
    name = f"<cell {number}>"
    source = _strip_magics(source, number, notes)
    try:
        tree = ast.parse(source, filename=name)
    except SyntaxError as e:
        notes.append(
            f"cell {number} has a syntax error at line {e.lineno}: {e.msg}; it was skipped"
        )
        return
    lines = source.splitlines(keepends=True)
    linecache.cache[name] = (len(source), None, lines, name)  # tracebacks show the student's line
    for stmt in tree.body:
        try:
            exec(compile(ast.Module([stmt], []), name, "exec"), ns)  # noqa: S102 - the point of this process
        except _lockdown.WallClockTimeout:
            raise
        except BaseException as e:  # noqa: BLE001 - SystemExit/KeyboardInterrupt in a cell too
            notes.append(
                f"cell {number}, line {_error_line(e, name, stmt)} raised {_lockdown.describe(e)}"
            )
            return
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):  # replayed as written: keeps submodules
            defs.append({"import": ast.unparse(stmt), "cell": number, "line": stmt.lineno})
        elif isinstance(stmt, DEF_NODES):
            start = min([d.lineno for d in stmt.decorator_list] + [stmt.lineno])
            defs.append(
                {
                    "name": stmt.name,
                    "cell": number,
                    "line": start,
                    "source": "".join(lines[start - 1 : stmt.end_lineno]),
                }
            )


def _strip_magics(source: str, number: int, notes: list[str]) -> str:
    """IPython magics and shell escapes are not Python: skip them (and say so)."""
    if source.lstrip().startswith("%%"):
        notes.append(f"cell {number} is a cell magic ({source.split()[0]}); it was skipped")
        return ""
    out = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            notes.append(f"cell {number}: skipped IPython line {stripped[:40]!r}")
            line = line[: len(line) - len(stripped)] + "pass"
        out.append(line)
    return "\n".join(out)


def _error_line(exc: BaseException, filename: str, stmt: ast.stmt) -> int:
    tb, line = exc.__traceback__, stmt.lineno
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _collect(ns: dict[str, Any], defs: list[dict]) -> dict[str, Any]:
    """Sort every name the notebook defined into module/object references, definitions, data or
    'skipped'."""
    last_def = {d["name"]: d for d in defs if "name" in d}
    refs, values, used_defs, skipped = {}, {}, [], {}
    total = 0
    for name, value in list(ns.items()):
        # Only dunders (__name__, __builtins__) are the runtime's; a student's `_helper` or
        # `_TABLE` is part of the solution and must reach the tests like any other name.
        if (name.startswith("__") and name.endswith("__")) or name in INJECTED:
            continue
        try:
            kind, payload = _classify(name, value, last_def)
        except BaseException as e:  # noqa: BLE001 - odd objects must not lose the other names
            kind, payload = "skipped", f"could not be inspected ({_lockdown.describe(e)})"
        if kind == "def":
            used_defs.append(payload)
        elif kind == "ref":
            refs[name] = payload
        elif kind == "value" and total + payload[1] <= MAX_TOTAL_CHARS:
            values[name], total = payload[0], total + payload[1]
        elif kind == "value":
            skipped[name] = f"`{name}` was not passed to the tests: too much data in total"
        else:
            skipped[name] = payload
    used_defs.sort(key=lambda d: (d["cell"], d["line"]))  # execution order
    imports = [d["import"] for d in defs if "import" in d]
    return {
        "refs": refs,
        "imports": imports,
        "values": values,
        "defs": used_defs,
        "skipped": skipped,
    }


def _classify(name: str, value: Any, last_def: dict[str, dict]) -> tuple[str, Any]:
    t = type(value)
    if issubclass(t, types.ModuleType):
        return "ref", [value.__name__, ""]
    try:
        encoded = _wire.encode(value)
    except _wire.NotPlainData as e:
        problem = str(e)
    else:
        size = len(json.dumps(encoded))
        if size <= MAX_VALUE_CHARS:
            return "value", (encoded, size)
        problem = f"too large to send (over {MAX_VALUE_CHARS} characters of JSON)"
    module = getattr(value, "__module__", None)
    if module == "__main__" and name in last_def:
        return "def", last_def[name]
    if module == "__main__" and (t is types.FunctionType or issubclass(t, type)):
        return "skipped", (
            f"`{name}` was not made by a top-level def/class statement (e.g. a "
            "lambda or a function built by another function); write "
            f"`def {name}(...)` at the top level of a cell"
        )
    ref = _importable(value, module)
    if ref:
        return "ref", ref
    return "skipped", (
        f"`{name}` cannot be passed to the tests: {problem}. Tests can use "
        "top-level functions and classes, imports and plain data (numbers, "
        "strings, lists, dicts, ...)"
    )


def _importable(value: Any, module: Any) -> list[str] | None:
    """[module, qualname] if importing that yields this very object (`from math import sqrt`)."""
    qualname = getattr(value, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    try:
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception:  # noqa: BLE001
        return None
    return [module, qualname] if obj is value else None


def _display(*objs: Any, **kwargs: Any) -> None:
    """Stand-in for IPython's display(): print the repr (outputs are not graded)."""
    for obj in objs:
        print(repr(obj))


def _emit(events: Any, result: dict[str, Any]) -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:  # the parent stops this process right after the event: print everything first
            stream.flush()
        except BaseException:  # noqa: BLE001, S110 - a submission may have replaced/closed them
            pass
    events.write(json.dumps(result) + "\n")
    events.flush()


if __name__ == "__main__":
    main()
