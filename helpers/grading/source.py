"""Read a graded exercise: the solution-source notebook, its metadata and its tests.

An exercise folder holds exactly one solution notebook (`*.ipynb`) and, optionally,
`tests_hidden.py`. Everything here is parsed *statically* (JSON and `ast`): the grader never runs
instructor files in its own process, and a typo is reported with file, cell/line and a fix.
The format is documented in `helpers/grading/FORMAT.md`.
"""

from __future__ import annotations

import ast
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HIDDEN_TESTS = "tests_hidden.py"
VISIBLE_TAG = "visible-test"
DIFFICULTIES = ("easy", "medium", "hard")
DEFAULT_QUESTION = "main"
LIMIT_KEYS = ("time_limit_s", "test_timeout_s", "memory_mb")
BEGIN_RE = re.compile(r"^(?P<indent>[ \t]*)#+\s*BEGIN SOLUTION\s*$")
END_RE = re.compile(r"^[ \t]*#+\s*END SOLUTION\s*$")
# CPython 3.11 keeps ast.parse's recursion counter in interpreter-wide state: two threads parsing
# at once (a grading pool, or the grader's own drain threads when a finalizer runs mid-parse)
# fail at random with "SystemError: AST constructor recursion depth mismatch" (cpython#106905).
# Parsing is milliseconds, so one lock costs nothing and makes batch grading in threads safe.
_PARSE_LOCK = threading.Lock()


class ExerciseFormatError(ValueError):
    """The exercise folder, notebook or tests file breaks the format in FORMAT.md."""


@dataclass(frozen=True)
class Region:
    """Lines [begin, end] (0-based, marker lines included) of one solution region in a cell."""

    begin: int  # index of the `### BEGIN SOLUTION` line
    end: int  # index of the `### END SOLUTION` line
    indent: str  # whitespace before the BEGIN marker; the stub gets the same indentation


@dataclass(frozen=True)
class TestSpec:
    """One graded test; its source always comes from the instructor's folder."""

    name: str  # unique id shown in reports (visible: metadata id; hidden: function name)
    question: str  # question id the points count towards
    points: float  # points earned when the test passes (all or nothing per test)
    kind: str  # "visible" (a notebook cell students see) or "hidden" (tests_hidden.py)
    source: str  # visible: the cell's code; hidden: the whole tests_hidden.py text
    function: str | None  # hidden: the test function to call; visible: None
    line: int  # visible: cell number (1-based); hidden: line of the `def`


@dataclass(frozen=True)
class Exercise:
    """A parsed exercise folder (the instructor's solution source)."""

    root: Path  # the folder, resolved
    notebook: Path  # the solution-source notebook inside it
    nb: dict[str, Any]  # the notebook JSON
    meta: dict[str, Any]  # notebook metadata["grading"] (id, title, difficulty, questions, ...)
    tests: tuple[TestSpec, ...]  # visible tests first (notebook order), then hidden tests

    @property
    def files(self) -> tuple[str, ...]:
        """Data files (relative paths) shipped to students and copied into every sandbox."""
        return tuple(self.meta.get("files", ()))

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)


def cell_source(cell: dict[str, Any]) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def read_notebook(path: Path) -> dict[str, Any]:
    """Load an .ipynb as JSON and check the parts the grader relies on (nbformat 4, cells)."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ExerciseFormatError(
            f"{path}: not a readable notebook ({e}); save it from Jupyter as .ipynb"
        ) from e
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        raise ExerciseFormatError(
            f"{path}: not an nbformat 4 notebook (need 'nbformat': 4 and a 'cells' list)"
        )
    return nb


def find_regions(source: str, where: str) -> list[Region]:
    """Solution regions of one cell; unbalanced or nested markers raise with the cell and line."""
    regions, begin, indent = [], None, ""
    for i, line in enumerate(source.splitlines()):
        if m := BEGIN_RE.match(line):
            if begin is not None:
                raise ExerciseFormatError(
                    f"{where}, line {i + 1}: BEGIN SOLUTION inside another region (opened on "
                    f"line {begin + 1}); close that one with ### END SOLUTION first"
                )
            begin, indent = i, m.group("indent")
        elif END_RE.match(line):
            if begin is None:
                raise ExerciseFormatError(
                    f"{where}, line {i + 1}: END SOLUTION without a BEGIN SOLUTION above it"
                )
            regions.append(Region(begin, i, indent))
            begin = None
    if begin is not None:
        raise ExerciseFormatError(
            f"{where}, line {begin + 1}: BEGIN SOLUTION is never closed; add ### END SOLUTION"
        )
    return regions


def load_exercise(source_dir: str | Path) -> Exercise:
    """Parse an exercise folder; raise ExerciseFormatError naming what is wrong and where."""
    root = Path(source_dir).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"exercise folder {source_dir} does not exist")
    notebooks = sorted(root.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ExerciseFormatError(
            f"{root}: expected exactly one solution notebook (*.ipynb), found {len(notebooks)}"
        )
    nb = read_notebook(notebooks[0])
    meta = _check_meta(nb.get("metadata", {}).get("grading"), notebooks[0], root)
    for i, cell in enumerate(nb["cells"], start=1):
        find_regions(cell_source(cell), f"{notebooks[0].name}, cell {i}")
    tests = _visible_tests(nb, notebooks[0]) + _hidden_tests(root / HIDDEN_TESTS)
    _check_tests(tests, meta, root)
    return Exercise(root, notebooks[0], nb, meta, tuple(tests))


def _check_meta(meta: Any, nb_path: Path, root: Path) -> dict[str, Any]:
    where = f"{nb_path.name}: notebook metadata 'grading'"
    if not isinstance(meta, dict):
        raise ExerciseFormatError(
            f'{where} is missing; add {{"id": ..., "title": ..., "difficulty": "easy"}} '
            "(JupyterLab: Property Inspector > Notebook metadata)"
        )
    for key in ("id", "title"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise ExerciseFormatError(f"{where}: field '{key}' must be a non-empty string")
    if meta.get("difficulty") not in DIFFICULTIES:
        raise ExerciseFormatError(
            f"{where}: field 'difficulty' must be one of {DIFFICULTIES}, "
            f"got {meta.get('difficulty')!r}"
        )
    questions = meta.get("questions", {})
    if not isinstance(questions, dict) or any(not isinstance(q, dict) for q in questions.values()):
        raise ExerciseFormatError(
            f'{where}: \'questions\' must map a question id to {{"title": ..., "difficulty": ...}}'
        )
    for qid, q in questions.items():
        if q.get("difficulty", meta["difficulty"]) not in DIFFICULTIES:
            raise ExerciseFormatError(
                f"{where}: questions.{qid}.difficulty must be one of {DIFFICULTIES}"
            )
    limits = meta.get("limits", {})
    for key, value in limits.items() if isinstance(limits, dict) else [("limits", None)]:
        if (
            key not in LIMIT_KEYS
            or isinstance(value, bool)
            or not isinstance(value, (int, float))
            or value <= 0
        ):
            raise ExerciseFormatError(
                f"{where}: 'limits' may set {LIMIT_KEYS} to positive numbers; got {key}={value!r}"
            )
    for rel in meta.get("files", []):
        path = (root / str(rel)).resolve()
        if not path.is_relative_to(root) or path.name == HIDDEN_TESTS or path.suffix == ".ipynb":
            raise ExerciseFormatError(
                f"{where}: file {rel!r} must be a data file inside the exercise folder "
                "(not a notebook or the hidden tests)"
            )
        if not path.is_file():
            raise ExerciseFormatError(f"{where}: listed file {rel!r} does not exist in {root}")
    return meta


def _visible_tests(nb: dict[str, Any], nb_path: Path) -> list[TestSpec]:
    tests = []
    for i, cell in enumerate(nb["cells"], start=1):
        if VISIBLE_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        where = f"{nb_path.name}, cell {i} (tagged {VISIBLE_TAG})"
        info = cell.get("metadata", {}).get("grading", {})
        if cell.get("cell_type") != "code" or not isinstance(info.get("id"), str):
            raise ExerciseFormatError(
                f"{where}: must be a code cell with metadata "
                '{"grading": {"id": "name", "points": 1}}'
            )
        if find_regions(cell_source(cell), where):
            raise ExerciseFormatError(f"{where}: a test cell cannot contain a solution region")
        tests.append(
            TestSpec(
                info["id"],
                str(info.get("question", DEFAULT_QUESTION)),
                _points(info.get("points", 1), where),
                "visible",
                cell_source(cell),
                None,
                i,
            )
        )
    return tests


def parse_python(text: str, filename: str) -> ast.Module:
    """`ast.parse`, safe to call from several threads at once (see `_PARSE_LOCK`)."""
    with _PARSE_LOCK:
        return ast.parse(text, filename=filename)


def _hidden_tests(path: Path) -> list[TestSpec]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        tree = parse_python(text, str(path))
    except SyntaxError as e:
        raise ExerciseFormatError(f"{path.name}, line {e.lineno}: syntax error: {e.msg}") from e
    tests = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            where = f"{path.name}, line {node.lineno} ({node.name})"
            if node.args.args or node.args.posonlyargs or node.args.kwonlyargs:
                raise ExerciseFormatError(
                    f"{where}: test functions take no arguments; "
                    "use the submission's names directly"
                )
            pts, question = _decorator(node, where)
            tests.append(TestSpec(node.name, question, pts, "hidden", text, node.name, node.lineno))
    return tests


def _decorator(node: ast.FunctionDef, where: str) -> tuple[float, str]:
    """Points and question from `@points(2, question="q1")`, read without running the file."""
    for dec in node.decorator_list:
        call = dec if isinstance(dec, ast.Call) else None
        func = call.func if call else dec
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name != "points":
            continue
        try:
            args = [ast.literal_eval(a) for a in call.args] if call else []
            kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords} if call else {}
        except ValueError as e:
            raise ExerciseFormatError(
                f"{where}: @points arguments must be literals, e.g. @points(2, question='q1')"
            ) from e
        pts = kwargs.get("value", args[0] if args else 1)
        return _points(pts, where), str(kwargs.get("question", DEFAULT_QUESTION))
    return 1.0, DEFAULT_QUESTION


def _points(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ExerciseFormatError(f"{where}: points must be a positive number, got {value!r}")
    return float(value)


def _check_tests(tests: list[TestSpec], meta: dict[str, Any], root: Path) -> None:
    if not tests:
        raise ExerciseFormatError(
            f"{root}: no tests found; tag notebook cells '{VISIBLE_TAG}' "
            f"or add test_* functions to {HIDDEN_TESTS}"
        )
    seen: set[str] = set()
    for t in tests:
        if t.name in seen:
            raise ExerciseFormatError(
                f"{root}: test name {t.name!r} is used twice; test names must be unique"
            )
        seen.add(t.name)
        questions = meta.get("questions", {})
        if questions and t.question not in questions:
            raise ExerciseFormatError(
                f"{root}: test {t.name!r} counts towards question {t.question!r}, which is not "
                f"in metadata questions {sorted(questions)}; set question= in @points or the "
                "cell metadata"
            )
