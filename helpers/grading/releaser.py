"""Make the student copy of an exercise, prove it is sound, and let students check themselves.

`release` writes the notebook with every solution region replaced by a stub, outputs cleared,
plus the data files the exercise lists; `tests_hidden.py` is never copied. `validate` grades the
solution (must get full marks), the released copy (must get zero on every test) and a trick copy
whose functions return an object equal to everything (must get zero too), so a test that does not
depend on the solution, a test fooled by `__eq__`, or a solution that fails its own tests, is
caught before students see it. `check` is the student's self-check: visible tests only, same sandbox.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.grading.grade_report import GradeResult
from helpers.grading.grader import GradeConfig, grade
from helpers.grading.source import (
    Exercise,
    ExerciseFormatError,
    cell_source,
    find_regions,
    load_exercise,
    read_notebook,
)
from helpers.io import write_json

CODE_STUB = 'raise NotImplementedError("write your solution here")'
MARKDOWN_STUB = "_Write your answer here._"
# The trick submission: every solution returns an object that says it equals anything, so a
# test written `assert f(x) == expected` passes on it. Tests must use assert_equal instead.
TRICK_STUB = "return _EqualsEverything()"
TRICK_CLASS = """class _EqualsEverything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__
"""


def release(source_dir: str | Path, out_dir: str | Path) -> Path:
    """Write the student copy of the exercise in `source_dir` to `out_dir`; return the notebook."""
    ex = load_exercise(source_dir)
    out = Path(out_dir).resolve()
    if out == ex.root or out.is_relative_to(ex.root) or ex.root.is_relative_to(out):
        raise ExerciseFormatError(
            f"release folder {out} must be outside the exercise source {ex.root} "
            "(and not contain it), so solutions and hidden tests cannot end up in it"
        )
    nb = student_notebook(ex.nb)
    for rel in ex.files:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ex.root / rel, out / rel)
    return write_json(nb, out / ex.notebook.name)


def student_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of a solution notebook with solutions stubbed out and all outputs cleared."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        source = cell_source(cell)
        regions = find_regions(source, "notebook")
        if regions:
            stub = CODE_STUB if cell.get("cell_type") == "code" else MARKDOWN_STUB
            cell["source"] = _stub_out(source, regions, stub)
        cell.get("metadata", {}).pop("execution", None)  # JupyterLab's run timestamps
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def trick_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of a solution notebook whose solution functions all return an object equal to
    everything (regions outside a function, where `return` is not allowed, get the plain stub)."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        regions = find_regions(cell_source(cell), "notebook")
        if regions and cell.get("cell_type") == "code":
            tricked = _stub_out(cell_source(cell), regions, TRICK_STUB)
            try:
                compile(tricked, "<trick>", "exec")
            except SyntaxError:  # 'return' outside a function
                tricked = _stub_out(cell_source(cell), regions, CODE_STUB)
            cell["source"] = tricked
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    first_code = next(i for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "code")
    nb["cells"].insert(first_code, {"cell_type": "code", "metadata": {}, "outputs": [],
                                    "execution_count": None, "source": TRICK_CLASS})
    return nb


def _stub_out(source: str, regions: list, stub: str) -> str:
    lines = source.splitlines()
    for r in reversed(regions):  # from the bottom up, so earlier line numbers stay valid
        lines[r.begin : r.end + 1] = [r.indent + stub]
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


@dataclass
class Validation:
    """The outcome of `validate`: ok is True only if there are no problems."""

    problems: list[str] = field(default_factory=list)  # each says what is wrong and what to do
    solution: GradeResult | None = None  # the grade of the solution source
    released: GradeResult | None = None  # the grade of the released student copy
    trick: GradeResult | None = None  # the grade of the always-equal trick copy

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(source_dir: str | Path, config: GradeConfig | None = None) -> Validation:
    """Prove the exercise is sound: the solution gets full marks, the student copy gets zero."""
    ex = load_exercise(source_dir)
    report = Validation()
    if not any(t.kind == "hidden" for t in ex.tests):
        report.problems.append("no hidden tests: add test_* functions to tests_hidden.py")
    report.solution = grade(ex.notebook, ex, config, name="solution")
    for t in report.solution.tests:
        if not t.passed:
            report.problems.append(f"the solution fails test {t.name!r}: {t.reason}")
    with tempfile.TemporaryDirectory(prefix="grading-release-") as tmp:
        released = release(ex.root, tmp)
        if (Path(tmp) / "tests_hidden.py").exists():
            report.problems.append("the released copy contains tests_hidden.py")
        report.released = grade(released, ex, config, name="released")
        trick = write_json(trick_notebook(ex.nb), Path(tmp) / "trick" / ex.notebook.name)
        for rel in ex.files:
            (trick.parent / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ex.root / rel, trick.parent / rel)
        report.trick = grade(trick, ex, config, name="trick")
    for t in report.released.tests:
        if t.passed:
            report.problems.append(
                f"test {t.name!r} passes on the student copy, so it does not "
                "test the solution; make it call a function the student writes"
            )
    for t in report.trick.tests:
        if t.passed:
            report.problems.append(
                f"test {t.name!r} passes on a submission whose functions return an object "
                "equal to everything; compare with assert_equal (type by type), not =="
            )
    return report


def check(notebook: str | Path, config: GradeConfig | None = None) -> GradeResult:
    """Student self-check: run the notebook's own visible tests on it, in the sandbox.

    Needs no hidden tests and no instructor folder (works on a laptop and in Colab). The
    notebook is copied into a private folder first, so it is graded exactly as saved on disk.
    """
    path = Path(notebook)
    nb = read_notebook(path)
    with tempfile.TemporaryDirectory(prefix="grading-check-") as tmp:
        root = Path(tmp).resolve()
        shutil.copyfile(path, root / "exercise.ipynb")
        for rel in nb.get("metadata", {}).get("grading", {}).get("files", []):
            target = (root / str(rel)).resolve()
            if target.is_relative_to(root) and (path.parent / str(rel)).is_file():
                target.parent.mkdir(parents=True, exist_ok=True)  # data files of the exercise
                shutil.copyfile(path.parent / str(rel), target)
        ex = load_exercise(root)  # a file listed but missing is reported here
        ex = Exercise(
            ex.root, ex.notebook, ex.nb, ex.meta, tuple(t for t in ex.tests if t.kind == "visible")
        )
        return grade(path, ex, config, name=path.stem)
