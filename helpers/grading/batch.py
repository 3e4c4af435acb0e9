"""Grade a whole class: every notebook in a folder, in parallel, into reports and a summary.

Each submission is graded in its own worker process (which starts the sandboxed processes of
`grader.grade`), so submissions cannot see or change each other's results. If a worker dies
anyway (only code that got past the in-process guard could kill it), the submissions it took
down are regraded one at a time, so only the culprit ends up with a "grader error".
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

from helpers.grading.grade_report import GradeResult, TestResult, write_reports, write_summary
from helpers.grading.grader import GradeConfig, grade, question_info
from helpers.grading.source import Exercise, load_exercise


def find_submissions(folder: str | Path) -> list[tuple[str, Path]]:
    """(name, path) for `folder/*.ipynb` (name = stem) and `folder/*/*.ipynb` (name = sub/stem)."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"submissions folder {folder} does not exist")
    paths = sorted(root.glob("*.ipynb")) + sorted(root.glob("*/*.ipynb"))
    return [
        (str(p.relative_to(root).with_suffix("")), p)
        for p in paths
        if ".ipynb_checkpoints" not in p.parts
    ]


def grade_many(
    submissions_dir: str | Path,
    exercise_dir: str | Path,
    out_dir: str | Path | None = None,
    workers: int = 2,
    config: GradeConfig | None = None,
) -> list[GradeResult]:
    """Grade every notebook in a folder in parallel; write reports + summary.csv/json to out_dir."""
    ex = load_exercise(exercise_dir)  # format errors surface here, before any work starts
    subs = find_submissions(submissions_dir)
    cfg = config or GradeConfig()
    cfg = replace(cfg, deny_read=(*cfg.deny_read, str(Path(submissions_dir).resolve())))
    results, broken = _pool(subs, ex, cfg, workers)
    for sub in broken:  # a worker died (only code that got past the guard can do that):
        alone, again = _pool([sub], ex, cfg, 1)  # regrade each alone, so only the culprit fails
        results += alone + [
            _grader_error(ex, name, RuntimeError("grading process died")) for name, _ in again
        ]
    results.sort(key=lambda r: r.submission)
    if out_dir is not None:
        for r in results:
            write_reports(r, out_dir)
        write_summary(results, out_dir)
    return results


def _pool(
    subs: list[tuple[str, Path]], ex: Exercise, cfg: GradeConfig, workers: int
) -> tuple[list[GradeResult], list[tuple[str, Path]]]:
    """Grade in a process pool; (results, submissions lost because a worker died)."""
    results, broken = [], []
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=get_context("spawn")) as pool:
        futures = {
            pool.submit(_grade_safely, str(p), str(ex.root), cfg, n): (n, p) for n, p in subs
        }
        for fut in as_completed(futures):
            try:
                results.append(fut.result())
            except BrokenProcessPool:
                broken.append(futures[fut])
            except Exception as e:  # noqa: BLE001 - one failure must not lose the others
                results.append(_grader_error(ex, futures[fut][0], e))
    return results, broken


def _grade_safely(path: str, exercise_dir: str, cfg: GradeConfig, name: str) -> GradeResult:
    """Worker entry point: any grader failure becomes a 'grader error' result, not a crash."""
    ex = load_exercise(exercise_dir)
    try:
        return grade(path, ex, cfg, name)
    except Exception as e:  # noqa: BLE001
        return _grader_error(ex, name, e)


def _grader_error(ex: Exercise, name: str, exc: BaseException) -> GradeResult:
    reason = f"grader error: {type(exc).__name__}: {exc}"[:300]
    tests = [TestResult(t.name, t.question, t.kind, t.points, 0.0, reason) for t in ex.tests]
    return GradeResult(name, ex.meta["id"], "grader error", tests, question_info(ex), [reason])
