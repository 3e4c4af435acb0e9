"""Command line for instructors and students.

    python -m helpers.grading release  SOURCE_DIR OUT_DIR     # write the student copy
    python -m helpers.grading validate SOURCE_DIR             # solution full marks, copy zero
    python -m helpers.grading grade    SUBMISSION EXERCISE_DIR [--out DIR] [--workers 2]
    python -m helpers.grading check    MY_NOTEBOOK.ipynb      # students: visible tests only

SUBMISSION is one .ipynb or a folder of them. Exit status: 0 ok, 1 failed checks/validation,
2 bad input (the message says what to fix).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.grading.batch import grade_many
from helpers.grading.grade_report import to_text, write_reports
from helpers.grading.grader import GradeConfig, grade
from helpers.grading.releaser import check, release, validate


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.grading", description=__doc__.split("\n")[0]
    )
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("release", help="write the student copy of an exercise")
    r.add_argument("source_dir")
    r.add_argument("out_dir")
    v = sub.add_parser("validate", help="solution gets full marks, student copy gets zero")
    v.add_argument("source_dir")
    g = sub.add_parser("grade", help="grade one notebook or a folder of notebooks")
    g.add_argument("submission")
    g.add_argument("exercise_dir")
    g.add_argument("--out", help="folder for JSON/text reports and summary.csv")
    g.add_argument("--workers", type=int, default=2, help="parallel submissions (default 2)")
    c = sub.add_parser("check", help="run the visible tests of your notebook")
    c.add_argument("notebook")
    for q in (v, g, c):
        q.add_argument("--time-limit", type=float, help="seconds for the whole notebook")
        q.add_argument("--test-timeout", type=float, help="seconds per test")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    cfg = GradeConfig(
        time_limit_s=getattr(args, "time_limit", None),
        test_timeout_s=getattr(args, "test_timeout", None),
    )
    try:
        return _run(args, cfg)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, cfg: GradeConfig) -> int:
    if args.command == "release":
        print(f"student copy written: {release(args.source_dir, args.out_dir)}")
        return 0
    if args.command == "validate":
        report = validate(args.source_dir, cfg)
        print(
            "\n".join(f"problem: {p}" for p in report.problems)
            or "ok: the solution gets full marks and the student copy gets zero on every test"
        )
        return 0 if report.ok else 1
    if args.command == "check":
        result = check(args.notebook, cfg)
        print(to_text(result))
        return 0 if result.score == result.max_score else 1
    if Path(args.submission).is_dir():
        results = grade_many(args.submission, args.exercise_dir, args.out, args.workers, cfg)
        for r in results:
            print(f"{r.submission}: {r.score:g} / {r.max_score:g} ({r.status})")
        return 0
    result = grade(args.submission, args.exercise_dir, cfg)
    if args.out:
        write_reports(result, args.out)
    print(to_text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
