"""helpers.grading without sandboxes: the exercise format, the student copy, the test helpers.

Fast (no subprocesses). The end-to-end grading tests are in test_grading_sandbox.py.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from helpers.grading import ExerciseFormatError, _wire, assert_equal, load_exercise, release
from helpers.grading.releaser import student_notebook

FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "exercise"


@pytest.fixture
def exercise(tmp_path) -> Path:
    """A writable copy of the fixture exercise."""
    shutil.copytree(FIXTURE, tmp_path / "exercise")
    return tmp_path / "exercise"


def edit_notebook(folder: Path, change) -> None:
    path = folder / "exercise.ipynb"
    nb = json.loads(path.read_text())
    change(nb)
    path.write_text(json.dumps(nb))


def code_cells(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_fixture_exercise_parses_with_points_per_question():
    ex = load_exercise(FIXTURE)
    assert [(t.name, t.kind, t.question, t.points) for t in ex.tests] == [
        ("q1_visible", "visible", "q1", 1),
        ("q2_visible", "visible", "q2", 1),
        ("test_count_params_several_shapes", "hidden", "q1", 2),
        ("test_count_params_no_tensors", "hidden", "q1", 1),
        ("test_sharegpt_system_turn", "hidden", "q2", 2),
        ("test_sharegpt_unknown_speaker", "hidden", "q2", 1),
        ("test_sharegpt_example_file", "hidden", "q2", 1),
    ]
    assert (ex.max_score, ex.meta["difficulty"], ex.files) == (9, "easy", ("example_record.json",))


class _CycleWithFinalizer:
    """Garbage whose collection runs Python code, so the interpreter can switch threads while
    `ast.parse` is half-way through building its tree."""

    def __del__(self):
        sum(range(20))


def _load_under_thread_switches(_) -> None:
    for _ in range(150):
        junk = [_CycleWithFinalizer() for _ in range(5)]
        for j in junk:
            j.me = j
        del junk
        load_exercise(FIXTURE)


def test_exercises_load_safely_from_several_threads():
    """Batch grading in a thread pool once failed at random with CPython 3.11's "AST constructor
    recursion depth mismatch": without the parse lock this fails within the first few hundred
    loads (measured: under half a second)."""
    switch, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(1e-6)
    gc.set_threshold(50, 1, 1)
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(_load_under_thread_switches, range(4)))
    finally:
        sys.setswitchinterval(switch)
        gc.set_threshold(*thresholds)


def test_release_stubs_solutions_clears_outputs_and_leaves_hidden_tests_out(exercise, tmp_path):
    def add_outputs(nb):
        for c in nb["cells"]:
            if c["cell_type"] == "code":
                c["outputs"] = [
                    {"output_type": "stream", "name": "stdout", "text": "solution output\n"}
                ]
                c["execution_count"] = 7

    edit_notebook(exercise, add_outputs)
    out = tmp_path / "student"
    path = release(exercise, out)
    assert sorted(p.name for p in out.iterdir()) == ["example_record.json", "exercise.ipynb"]
    nb = json.loads(path.read_text())
    nbformat.validate(nbformat.reads(path.read_text(), as_version=4))
    cells = code_cells(nb)
    assert cells[1] == (
        'def count_params(shapes):\n    """Total number of values in tensors of these '
        'shapes: [(3, 4), (4,)] -> 16."""\n'
        '    raise NotImplementedError("write your solution here")'
    )
    text = path.read_text()
    for secret in (
        "math.prod",
        "ROLES[turn",
        "BEGIN SOLUTION",
        "only assistant tokens",
        "solution output",
    ):
        assert secret not in text
    assert nb["cells"][-1]["source"].endswith("_Write your answer here._")
    assert all(
        c["outputs"] == [] and c["execution_count"] is None
        for c in nb["cells"]
        if c["cell_type"] == "code"
    )
    assert "visible-test" in nb["cells"][4]["metadata"]["tags"]  # students keep the visible tests


def test_stub_keeps_the_indentation_of_the_marker():
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": 1,
                "source": "class A:\n    def f(self):\n        ### BEGIN SOLUTION\n"
                "        return 1\n        ### END SOLUTION\n\n"
                "x = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION\n",
            }
        ]
    }
    assert student_notebook(nb)["cells"][0]["source"] == (
        "class A:\n    def f(self):\n"
        '        raise NotImplementedError("write your solution here")\n'
        '\nx = 1\nraise NotImplementedError("write your solution here")\n'
    )


def test_release_refuses_to_write_inside_the_source(exercise):
    with pytest.raises(ExerciseFormatError, match="must be outside the exercise source"):
        release(exercise, exercise / "student")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda nb: nb["cells"][3]["source"].pop(4),
            r"cell 4, line 3: BEGIN SOLUTION is never closed",
        ),
        (
            lambda nb: nb["cells"][3]["source"].pop(2),
            r"cell 4, line 4: END SOLUTION without a BEGIN",
        ),
        (lambda nb: nb["metadata"].pop("grading"), r"notebook metadata 'grading' is missing"),
        (
            lambda nb: nb["metadata"]["grading"].update(difficulty="tricky"),
            r"'difficulty' must be one of",
        ),
        (
            lambda nb: nb["metadata"]["grading"].update(files=["../x.json"]),
            r"must be a data file inside",
        ),
        (
            lambda nb: nb["metadata"]["grading"].update(files=["tests_hidden.py"]),
            r"must be a data file inside",
        ),
        (
            lambda nb: nb["metadata"]["grading"].update(limits={"time_limit_s": -1}),
            r"'limits' may set",
        ),
        (
            lambda nb: nb["cells"][4]["metadata"]["grading"].pop("id"),
            r"cell 5 \(tagged visible-test\): must be",
        ),
        (
            lambda nb: nb["cells"][4]["metadata"]["grading"].update(points=0),
            r"points must be a positive number",
        ),
        (
            lambda nb: nb["cells"][4]["metadata"]["grading"].update(question="q9"),
            r"question 'q9', which is not",
        ),
        (
            lambda nb: nb["cells"][8]["metadata"]["grading"].update(id="q1_visible"),
            r"'q1_visible' is used twice",
        ),
    ],
)
def test_format_errors_name_the_place_and_the_fix(exercise, change, message):
    edit_notebook(exercise, change)
    with pytest.raises(ExerciseFormatError, match=message):
        load_exercise(exercise)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "@points(N)\ndef test_x():\n    pass\n",
            r"tests_hidden.py, line \d+ \(test_x\): @points arguments must be literals",
        ),
        ("def test_x(sub):\n    pass\n", r"test functions take no arguments"),
        ("def test_x(:\n", r"tests_hidden.py, line \d+: syntax error"),
    ],
)
def test_hidden_test_errors(exercise, code, message):
    with (exercise / "tests_hidden.py").open("a") as f:
        f.write("\n\n" + code)
    with pytest.raises(ExerciseFormatError, match=message):
        load_exercise(exercise)


def test_exercise_folder_needs_exactly_one_notebook(exercise):
    shutil.copyfile(exercise / "exercise.ipynb", exercise / "second.ipynb")
    with pytest.raises(ExerciseFormatError, match="exactly one solution notebook"):
        load_exercise(exercise)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_exercise(exercise / "nope")


def test_assert_equal_rejects_an_object_that_equals_everything():
    class Always:
        def __eq__(self, other):
            return True

    assert Always() == 12  # what a plain `assert x == 12` would accept
    with pytest.raises(AssertionError, match="count: expected a int, got Always"):
        assert_equal(Always(), 12, "count")


def test_assert_equal_messages_point_at_the_difference():
    assert_equal([{"role": "user", "content": "hi"}], [{"role": "user", "content": "hi"}])
    assert_equal(3, 3.0)  # an int where a float is expected is fine
    with pytest.raises(
        AssertionError, match=r"msgs\[0\]\['role'\]: expected 'assistant', got 'user'"
    ):
        assert_equal([{"role": "user"}], [{"role": "assistant"}], "msgs")
    with pytest.raises(AssertionError, match=r"keys differ \(missing 'b'; unexpected 'c'\)"):
        assert_equal({"a": 1, "c": 2}, {"a": 1, "b": 2})
    with pytest.raises(AssertionError, match="expected 2 items, got 1"):
        assert_equal((1,), (1, 2))


def test_wire_round_trips_plain_data_only():
    value = {
        "a": (1, 2.5, None),
        3: [b"\x00\xff", {"x"}, frozenset({1})],
        (1, 2): True,
        "c": 1 + 2j,
    }
    assert _wire.decode(json.loads(json.dumps(_wire.encode(value)))) == value
    with pytest.raises(_wire.NotPlainData, match="type object is not plain data"):
        _wire.encode([object()])
    with pytest.raises(_wire.NotPlainData, match="too large"):
        _wire.encode(list(range(_wire.MAX_NODES + 1)))
    with pytest.raises(ValueError, match="unknown tag"):
        _wire.decode({"$pickle": []})


def test_assert_raises_grades_the_error_and_its_message():
    from helpers.grading import assert_raises

    def bad(x):
        raise ValueError(f"field 'r' must be positive, got {x}")

    assert_raises(lambda: bad(0), "r=0", must_mention=("'r'", "0"))
    assert_raises(lambda: {}["k"], "missing key", error=KeyError)
    with pytest.raises(AssertionError, match="r=0: the error should mention 'lora_r'"):
        assert_raises(lambda: bad(0), "r=0", must_mention=("lora_r",))
    with pytest.raises(AssertionError, match="no error must raise ValueError"):
        assert_raises(lambda: None, "no error")
    with pytest.raises(KeyError):  # a different exception is not swallowed
        assert_raises(lambda: {}["k"], "missing key")
