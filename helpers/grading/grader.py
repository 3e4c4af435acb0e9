"""Grade submissions: run the notebook in one sandboxed process, the tests in another.

Step 1 (`_child`): the submitted notebook runs in a private copy of the exercise's data files,
with a wall-time limit, a memory cap and no network; it reports the names it defined.
Step 2 (`_runner`): once that process is gone, a fresh one rebuilds those names and runs the
instructor's visible and hidden tests on them. Tests are taken from the instructor's folder,
never from the submission, and are matched by name, so inserted or reordered cells do not
matter. A test that hangs or kills its process costs only that test: the runner is restarted
for the rest.
"""

from __future__ import annotations

import secrets
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.grading.grade_report import GradeResult, TestResult
from helpers.grading.sandbox import Sandboxed, unprivileged_ids, workspace
from helpers.grading.source import Exercise, TestSpec, load_exercise

DEFAULTS = {"time_limit_s": 60.0, "test_timeout_s": 10.0, "memory_mb": 4096}
GRACE_S = 3.0  # process start-up and reporting time on top of the notebook limit before a kill
TEST_GRACE_S = 1.0  # on top of a test's limit: the runner's own alarm normally fires first


@dataclass(frozen=True)
class GradeConfig:
    """How to grade. Unset limits come from the exercise's metadata 'limits', then DEFAULTS."""

    time_limit_s: float | None = None  # wall time for running the whole notebook
    test_timeout_s: float | None = None  # wall time for one test
    memory_mb: int | None = None  # address-space cap per process (torch needs ~3000+)
    output_bytes: int = 16_384  # head of stdout/stderr kept for the report; the rest is counted
    tmp_root: str | None = None  # where sandboxes are made (default: the system temp folder)
    deny_read: tuple[str, ...] = ()  # more folders a submission may not read (e.g. all submissions)

    def limit(self, ex: Exercise, key: str) -> float:
        """This config's value for `key`, else the exercise's, else the default."""
        mine = getattr(self, key)
        return float(
            mine if mine is not None else ex.meta.get("limits", {}).get(key, DEFAULTS[key])
        )


@dataclass
class _Run:
    """What the submission's process reported (exports is None when nothing can be graded)."""

    exports: dict[str, Any] | None
    status: str
    reason: str  # why nothing could be graded, or context for missing names ("" if none)
    notes: list[str]
    stdout: str
    stderr: str


def grade(
    submission: str | Path,
    exercise: str | Path | Exercise,
    config: GradeConfig | None = None,
    name: str | None = None,
) -> GradeResult:
    """Grade one submitted notebook against an exercise's source folder."""
    ex = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
    cfg = config or GradeConfig()
    sub = Path(submission)
    if not sub.is_file():
        raise FileNotFoundError(f"submission {submission} does not exist")
    start = time.monotonic()
    run = _run_submission(sub, ex, cfg)
    if run.exports is None:
        outcomes = {t.name: (False, run.reason) for t in ex.tests}
    else:
        outcomes = _run_tests(run.exports, run.reason, ex, cfg)
    tests = []
    for t in ex.tests:
        passed, reason = outcomes[t.name]
        earned = t.points if passed else 0.0
        tests.append(TestResult(t.name, t.question, t.kind, t.points, earned, reason))
    return GradeResult(
        submission=name or sub.stem,
        exercise=ex.meta["id"],
        status=run.status,
        tests=tests,
        questions=question_info(ex),
        notes=run.notes,
        stdout_head=run.stdout,
        stderr_head=run.stderr,
        seconds=round(time.monotonic() - start, 2),
    )


def question_info(ex: Exercise) -> dict[str, dict[str, Any]]:
    """Question id -> title and difficulty (the exercise's difficulty if not declared)."""
    declared = ex.meta.get("questions", {})
    return {
        t.question: {
            "title": declared.get(t.question, {}).get("title", ""),
            "difficulty": declared.get(t.question, {}).get("difficulty", ex.meta["difficulty"]),
        }
        for t in ex.tests
    }


def _settings(ex: Exercise, cfg: GradeConfig) -> dict[str, Any]:
    """What both sandboxed processes need to lock themselves down."""
    return {
        "memory_mb": int(cfg.limit(ex, "memory_mb")),
        "fsize_mb": 64,
        "drop_to": unprivileged_ids(),
        "deny": [str(ex.root), *cfg.deny_read],
        "sandboxes": cfg.tmp_root or tempfile.gettempdir(),
    }


def _run_submission(sub: Path, ex: Exercise, cfg: GradeConfig) -> _Run:
    limit = cfg.limit(ex, "time_limit_s")
    files = {rel: ex.root / rel for rel in ex.files} | {"submission.ipynb": sub}
    with workspace(files, cfg.tmp_root) as work:
        settings = _settings(ex, cfg) | {"notebook": "submission.ipynb", "time_limit": limit}
        box = Sandboxed("helpers.grading._child", work, settings, cfg.output_bytes)
        deadline = time.monotonic() + limit + GRACE_S + 0.1 * limit
        event = box.next_event(deadline)
        still_running = event is None and time.monotonic() >= deadline
        code = box.stop(wait=0.0 if still_running else 1.0)
    notes = _output_notes(box)
    out, err = box.stdout.text(), box.stderr.text()
    if event is None and (still_running or code == -signal.SIGXCPU):  # wall clock or CPU cap
        return _Run(None, "timed out", f"timed out after {limit:g}s", notes, out, err)
    if event is None:
        why = f"the notebook's process ended before reporting its names (exit code {code})"
        return _Run(None, "crashed", why + _memory_hint(code, err), notes, out, err)
    if "invalid" in event:
        return _Run(None, "invalid notebook", str(event["invalid"]), notes, out, err)
    notes = [str(n) for n in event.get("notes", [])][:50] + notes
    errors = [n for n in notes if " raised " in n or "syntax error" in n]
    status, context = "graded", (errors[0] if errors else "")
    if isinstance(event.get("timed_out"), dict):
        status = "timed out"
        cell = event["timed_out"].get("cell")
        context = f"the notebook stopped: timed out after {limit:g}s in cell {cell}"
        notes.insert(0, context + "; names defined before then were graded")
    return _Run(_clean_exports(event), status, context, notes, out, err)


def _memory_hint(code: int, stderr: str) -> str:
    return (
        "; it probably ran out of memory"
        if code in (-6, -9, -11) or "MemoryError" in stderr
        else ""
    )


def _output_notes(box: Sandboxed) -> list[str]:
    notes = []
    for label, cap in (("stdout", box.stdout), ("stderr", box.stderr)):
        if cap.total > len(cap.head):
            notes.append(
                f"{label} was {cap.total:,} bytes; only the first {len(cap.head):,} were kept "
                "(output never affects the score)"
            )
    return notes


def _clean_exports(event: dict[str, Any]) -> dict[str, Any]:
    """Keep only well-formed entries: the event came from untrusted code."""
    fields = (("name", str), ("cell", int), ("line", int), ("source", str))

    def good_def(d: Any) -> bool:
        return (
            isinstance(d, dict)
            and all(isinstance(d.get(k), t) for k, t in fields)
            and 1 <= d["line"] <= 100_000  # rebuilt with line-1 blank lines in front
        )

    def good_ref(v: Any) -> bool:
        return isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)

    return {
        "refs": _entries(event.get("refs"), good_ref),
        "values": _entries(event.get("values"), lambda v: True),
        "skipped": _entries(event.get("skipped"), lambda v: isinstance(v, str)),
        "defs": [d for d in _items(event.get("defs")) if good_def(d)][:10_000],
        "imports": [x for x in _items(event.get("imports")) if isinstance(x, str)][:1000],
    }


def _entries(d: Any, ok: Any) -> dict[str, Any]:
    return (
        {k: v for k, v in d.items() if isinstance(k, str) and ok(v)} if isinstance(d, dict) else {}
    )


def _items(x: Any) -> list[Any]:
    return x if isinstance(x, list) else []


def _run_tests(
    exports: dict[str, Any], context: str, ex: Exercise, cfg: GradeConfig
) -> dict[str, tuple[bool, str]]:
    """Run every test; restart the runner after a test that hung or killed it."""
    results: dict[str, tuple[bool, str]] = {}
    pending = list(ex.tests)
    while pending:
        failure = _runner_pass(pending, exports, context, ex, cfg, results)
        pending = [t for t in pending if t.name not in results]
        if failure:  # the runner could not start any test: no point in restarting it
            results.update({t.name: (False, failure) for t in pending})
            break
    return results


def _runner_pass(
    tests: list[TestSpec],
    exports: dict[str, Any],
    context: str,
    ex: Exercise,
    cfg: GradeConfig,
    results: dict[str, tuple[bool, str]],
) -> str:
    """One runner process over `tests`; fills `results`; returns a reason if it never got going."""
    per_test = cfg.limit(ex, "test_timeout_s")
    nonce = secrets.token_hex(16)
    settings = _settings(ex, cfg) | {
        "exports": exports,
        "test_timeout": per_test,
        "missing_hint": context,
        "nonce": nonce,
        "tests": [
            {"name": t.name, "kind": t.kind, "source": t.source, "function": t.function}
            for t in tests
        ],
    }
    with workspace({rel: ex.root / rel for rel in ex.files}, cfg.tmp_root) as work:
        box = Sandboxed("helpers.grading._runner", work, settings, cfg.output_bytes)
        setup = cfg.limit(ex, "time_limit_s") + per_test + GRACE_S
        current, started = None, False
        if _next(box, time.monotonic() + setup, nonce) is not None:  # "ready"
            current, started = _watch(box, per_test, nonce, results)
        exited = box.proc.poll()
        code = box.stop()
    if current is not None:
        died = f"the test process died during this test (exit code {code})"
        timed_out = f"timed out after {per_test:g}s"
        results[current] = (False, timed_out if exited is None else died + _memory_hint(code, ""))
    if not started:
        last = box.stderr.text().strip().splitlines()[-1:] or [f"exit code {code}"]
        return f"the tests could not be started ({last[0][:200]})"
    return ""


def _next(box: Sandboxed, deadline: float, nonce: str) -> dict[str, Any] | None:
    """The next event that really comes from the runner (forged ones lack the nonce)."""
    while (event := box.next_event(deadline)) is not None:
        if event.get("nonce") == nonce:
            return event
    return None


def _watch(
    box: Sandboxed, per_test: float, nonce: str, results: dict[str, tuple[bool, str]]
) -> tuple[str | None, bool]:
    """Record results as they come; (test running when the runner stopped, any test started)."""
    current, started = None, False
    while True:
        event = _next(box, time.monotonic() + per_test + TEST_GRACE_S, nonce)
        if event is None or event.get("event") == "done":
            return current, started
        if event.get("event") == "start":
            current, started = str(event.get("test")), True
        elif event.get("event") == "result" and event.get("test") == current:
            results[current] = (bool(event.get("passed")), str(event.get("reason", ""))[:1000])
            current = None
