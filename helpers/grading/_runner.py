"""Runs the instructor's tests against the names a submission exported.

Started by `helpers.grading.grade` as `python -m helpers.grading._runner` *after* the submission's
own process has exited, in a fresh working folder. Settings, the submission's exported names and
the test sources arrive as JSON on stdin (never as a file a submission could look for); results go
out as JSON lines on the event descriptor: `ready`, then `start`/`result` per test, then `done`.
Rebuilding the submission's functions and running test code needs `exec`; this process is
sandboxed exactly like the submission's (see _lockdown).
"""

from __future__ import annotations

import builtins
import importlib
import json
import linecache
import os
import sys
from typing import Any

from helpers.grading import _lockdown, _wire, api

REASON_CHARS = 300


def main() -> None:
    cfg = json.loads(sys.stdin.buffer.read())
    # Events carry this secret so that code under test, which can write to the same descriptor,
    # cannot forge a "passed" result (it would have to dig the secret out of this frame).
    nonce = cfg.pop("nonce")
    events = os.fdopen(cfg["event_fd"], "w", encoding="utf-8")
    _lockdown.quiet_stdin()
    per_test = cfg["test_timeout"]
    _lockdown.apply_limits(cfg["memory_mb"], per_test * (len(cfg["tests"]) + 1) + 5, cfg["fsize_mb"])
    _lockdown.drop_privileges(cfg["drop_to"])
    _lockdown.install_guard(os.getcwd(), cfg["deny"], cfg["sandboxes"])
    _lockdown.install_alarm()
    exports = cfg["exports"]
    unavailable = dict(exports.get("skipped", {}))
    ns = _rebuild(exports, unavailable, per_test)
    hint = str(
        cfg.get("missing_hint") or "define it at the top level of a code cell (check the spelling)"
    )
    _emit(events, {"event": "ready"}, nonce)
    compiled: dict[str, Any] = {}
    for test in cfg["tests"]:
        _emit(events, {"event": "start", "test": test["name"]}, nonce)
        passed, reason = _run_test(test, ns, compiled, per_test, unavailable, hint)
        result = {"event": "result", "test": test["name"], "passed": passed, "reason": reason}
        _emit(events, result, nonce)
    _emit(events, {"event": "done"}, nonce)


def _rebuild(exports: dict[str, Any], unavailable: dict[str, str], limit: float) -> dict[str, Any]:
    """The submission's namespace: imported names, import statements and plain data first, then
    its def/class statements in the order they ran."""
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    for name, (module, qualname) in exports.get("refs", {}).items():
        try:
            obj: Any = importlib.import_module(module)
            for part in filter(None, qualname.split(".")):
                obj = getattr(obj, part)
            ns[name] = obj
        except Exception as e:  # noqa: BLE001 - recorded, the tests then say what is missing
            unavailable[name] = (
                f"`{name}` could not be imported in the test process ({_lockdown.describe(e)})"
            )
    for statement in exports.get("imports", []):  # `import a.b` binds `a` *and* loads a.b
        try:
            exec(compile(statement, "<imports>", "exec"), ns)  # noqa: S102
        except Exception as e:  # noqa: BLE001 - recorded; a missing import shows up in reasons
            unavailable.setdefault(
                statement.split()[-1],
                f"`{statement}` failed in the test process ({_lockdown.describe(e)})",
            )
    for name, data in exports.get("values", {}).items():
        try:
            ns[name] = _wire.decode(data)
        except (ValueError, TypeError) as e:
            unavailable[name] = f"`{name}` could not be rebuilt ({e})"
    cells: dict[str, list[str]] = {}
    for d in exports.get("defs", []):
        _define(d, ns, cells, unavailable, limit)
    return ns


def _define(
    d: dict, ns: dict, cells: dict[str, list[str]], unavailable: dict, limit: float
) -> None:
    filename = f"<cell {int(d['cell'])}>"
    line, source = int(d["line"]), str(d["source"])
    lines = cells.setdefault(filename, [])
    src_lines = source.splitlines(keepends=True)
    lines.extend(["\n"] * max(0, line - 1 + len(src_lines) - len(lines)))
    lines[line - 1 : line - 1 + len(src_lines)] = src_lines
    linecache.cache[filename] = (0, None, lines, filename)  # tracebacks quote the student's line
    try:
        with _lockdown.time_limit(limit):
            exec(compile("\n" * (line - 1) + source, filename, "exec"), ns)  # noqa: S102
    except BaseException as e:  # noqa: BLE001 - timeouts included: a class body that never ends
        timed_out = isinstance(e, _lockdown.WallClockTimeout)
        reason = f"timed out after {limit:g}s" if timed_out else _lockdown.describe(e)
        unavailable[str(d["name"])] = f"defining `{d['name']}` again for the tests failed: {reason}"


def _run_test(
    test: dict, ns: dict, compiled: dict, limit: float, unavailable: dict, hint: str
) -> tuple[bool, str]:
    """Run one test in a copy of the submission's namespace; (passed, reason it failed)."""
    filename = (
        f"<{test['kind']} test {test['name']}>" if test["kind"] == "visible" else "<hidden tests>"
    )
    g = dict(ns, points=api.points, assert_equal=api.assert_equal, assert_raises=api.assert_raises)
    timed_out = f"timed out after {limit:g}s"
    try:
        with _lockdown.time_limit(limit):
            try:
                code = compiled.get(filename) or compile(test["source"], filename, "exec")
                compiled[filename] = code
                exec(code, g)  # noqa: S102 - instructor test code
                if test["function"]:
                    g[test["function"]]()
                return True, ""
            except _lockdown.WallClockTimeout:
                return False, timed_out
            except BaseException as e:  # noqa: BLE001 - any failure is a lost point, not a crash
                return False, _explain(e, test, filename, unavailable, hint)
    except _lockdown.WallClockTimeout:  # the alarm fired while the reason was being written
        return False, timed_out


def _explain(exc: BaseException, test: dict, filename: str, unavailable: dict, hint: str) -> str:
    """Why a test failed, in one line: missing name, assertion message or exception + location."""
    student, test_line = _locate(exc, filename)
    if isinstance(exc, NameError) and getattr(exc, "name", None) and student is None:
        name = exc.name
        return _short(
            unavailable.get(name) or f"`{name}` is not defined by the submission ({hint})"
        )
    if isinstance(exc, AssertionError):
        message = _lockdown.describe(exc)
        if message != "AssertionError":
            return _short(message)
        if test["kind"] == "visible":
            code = linecache.getline(filename, test_line) or _line(test["source"], test_line)
            return _short(f"assertion failed: {code.strip()}")
        return f"a hidden check failed (line {test_line} of the hidden tests)"
    text = _lockdown.describe(exc)
    if isinstance(exc, NameError) and getattr(exc, "name", None) in unavailable:
        text += f" ({unavailable[exc.name]})"
    if isinstance(exc, MemoryError):
        text = "MemoryError: the memory limit was reached"
    if student:
        text += f" (in your code, {student})"
    return _short(text)


def _locate(exc: BaseException, test_file: str) -> tuple[str | None, int]:
    """Innermost student frame as 'cell N, line L: code' and the last line reached in the test."""
    tb, student, test_line = exc.__traceback__, None, 0
    while tb is not None:
        fname, lineno = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        if fname.startswith("<cell "):
            code = linecache.getline(fname, lineno).strip()
            student = f"{fname[1:-1]}, line {lineno}" + (f": {code}" if code else "")
        elif fname == test_file:
            test_line, student = lineno, None  # a later call from the test resets the location
        tb = tb.tb_next
    return student, test_line


def _line(source: str, number: int) -> str:
    lines = source.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _short(text: str) -> str:
    return text if len(text) <= REASON_CHARS else text[:REASON_CHARS] + "..."


def _emit(events: Any, event: dict[str, Any], nonce: str) -> None:
    events.write(json.dumps({**event, "nonce": nonce}) + "\n")
    events.flush()


if __name__ == "__main__":
    main()
