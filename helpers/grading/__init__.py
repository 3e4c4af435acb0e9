"""Graded exercises: release a student copy, grade submissions safely, report points.

    from helpers.grading import release, validate, grade, grade_many, check
    release("lessons/02_data/exercise", "release/02_data")   # student copy, no hidden tests
    validate("lessons/02_data/exercise")                      # solution = full marks, copy = 0
    grade("alice.ipynb", "lessons/02_data/exercise")          # -> GradeResult
    grade_many("submissions/", "lessons/02_data/exercise", out_dir="grades/")

Command line: `python -m helpers.grading release|validate|grade|check ...` (see __main__).
The exercise format is in FORMAT.md beside this file. Names are imported lazily, so the sandboxed
child processes (which import this package) start fast and `import helpers.grading` is cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "points": "api",
    "assert_equal": "api",
    "assert_raises": "api",
    "ExerciseFormatError": "source",
    "Exercise": "source",
    "TestSpec": "source",
    "load_exercise": "source",
    "GradeConfig": "grader",
    "grade": "grader",
    "grade_many": "batch",
    "GradeResult": "grade_report",
    "TestResult": "grade_report",
    "to_text": "grade_report",
    "write_reports": "grade_report",
    "write_summary": "grade_report",
    "release": "releaser",
    "validate": "releaser",
    "check": "releaser",
    "Validation": "releaser",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'helpers.grading' has no attribute {name!r}")
    return getattr(importlib.import_module(f"helpers.grading.{_EXPORTS[name]}"), name)
