"""helpers.grading end to end: real sandboxed processes grading the fixture exercise.

One class of submissions (good ones and adversarial ones) is graded once, in parallel with
grade_many (2 workers), and each test below checks one submission's score and reason. The
fixture exercise is worth 9 points: q1 (count_params) 4, q2 (sharegpt_to_messages) 5.
Adversarial notebooks only ever aim at paths inside this module's temporary folder.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.grading import GradeConfig, grade_many, release, validate

pytestmark = pytest.mark.slow  # grades notebooks in sandboxed processes (fast tier: pytest -m 'not slow')

FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "exercise"
CFG = {"time_limit_s": 2, "test_timeout_s": 1, "memory_mb": 512}

Q1 = """import math

def count_params(shapes):
    return sum(math.prod(s) for s in shapes)
"""
Q2 = """ROLES = {"system": "system", "human": "user", "gpt": "assistant"}

def sharegpt_to_messages(record):
    out = []
    for turn in record["conversations"]:
        if turn["from"] not in ROLES:
            raise ValueError("unknown speaker")
        out.append({"role": ROLES[turn["from"]], "content": turn["value"]})
    return out
"""
# Ignores the alarm the runner uses for its per-test time limit, so the runner must be killed.
SLOW_Q1 = """def count_params(shapes):
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
"""

# Writes fake "passed" results to every descriptor the test runner might report on.
FORGER = """import json, os

def count_params(shapes):
    for name in ["q1_visible", "test_count_params_several_shapes", "test_count_params_no_tensors"]:
        for event in ({"event": "start", "test": name},
                      {"event": "result", "test": name, "passed": True, "reason": ""}):
            for fd in range(3, 20):
                try:
                    os.write(fd, (json.dumps(event) + "\\n").encode())
                except OSError:
                    pass
    return -1
"""


def notebook(*cells: str | tuple[str, dict]) -> dict:
    """An nbformat-4 notebook from code cell sources (or (source, metadata) pairs)."""
    out = []
    for cell in cells:
        source, meta = cell if isinstance(cell, tuple) else (cell, {})
        out.append(
            {
                "cell_type": "code",
                "metadata": meta,
                "source": source,
                "outputs": [],
                "execution_count": None,
            }
        )
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": out}


def submissions(ex: Path, subs: Path) -> dict[str, dict | str]:
    """name -> notebook (or raw text) of every submission graded by the `graded` fixture."""
    hidden = ex / "tests_hidden.py"
    steal = f"""import os
FILES_HERE = sorted(os.listdir("."))
try:
    STOLEN = open({str(hidden)!r}).read()
except OSError as e:
    STOLEN = f"blocked: {{e}}"
for up in ["..", "../..", "../../.."]:
    for root, dirs, files in os.walk(up):
        if "tests_hidden.py" in files:
            try:
                STOLEN += open(os.path.join(root, "tests_hidden.py")).read()
            except OSError as e:
                STOLEN += f" | blocked: {{e}}"

def count_params(shapes):
    raise RuntimeError(f"files={{FILES_HERE}} || {{STOLEN}}")

def sharegpt_to_messages(record):
    return open({str(hidden)!r}).read()  # again, from inside the test process
"""
    vandal = f"""import os, shutil
from pathlib import Path
targets = [{str(ex)!r}, {str(subs / "good.ipynb")!r}, {str(subs)!r}]
for up in list(Path.cwd().parents)[:3]:  # its own sandbox, the sandboxes, this test's folder
    try:
        targets += [str(p) for p in Path(up).iterdir()]
    except OSError:
        targets.append(str(up))
done, refused = [], []
for t in targets:
    try:
        shutil.rmtree(t) if os.path.isdir(t) else os.remove(t)
        done.append(t)
    except OSError:
        refused.append(t)
for name in os.listdir("."):  # its own working copy: allowed, and harmless
    if os.path.isfile(name):
        os.remove(name)
try:
    os.kill(os.getppid(), 9)
except OSError:
    refused.append("kill")
raise RuntimeError(f"deleted {{len(done)}}, refused {{len(refused)}}")
"""
    tamper = f"""import json
nb = json.load(open("submission.ipynb"))
for cell in nb["cells"]:
    if "visible-test" in cell["metadata"].get("tags", []):
        cell["source"], cell["metadata"]["grading"]["points"] = "pass", 100
json.dump(nb, open("submission.ipynb", "w"))
open("tests_hidden.py", "w").write("def test_nothing():\\n    pass\\n")
try:
    open({str(hidden)!r}, "w").write("")
except OSError:
    pass

def count_params(shapes):
    return -1

def sharegpt_to_messages(record):
    return None
"""
    visible_q1 = (
        "assert count_params([(3, 4), (4,)]) == 999",
        {"tags": ["visible-test"], "grading": {"id": "q1_visible", "points": 100}},
    )
    hostile_loop = (
        "while True:\n    try:\n        while True:\n            pass\n"
        "    except BaseException:\n        pass\n"
    )
    return {
        "good": notebook(Q1, Q2),
        "reordered": notebook("print('an inserted cell')", Q2, "x = 1", Q1),
        "infinite_loop": notebook(Q1, "while True:\n    pass\n", Q2),
        "hostile_loop": notebook(Q1, hostile_loop, Q2),
        "slow_function": notebook(SLOW_Q1, Q2),
        "exception": notebook(Q1 + "\nraise ValueError('boom')\n\n" + Q2),
        "vandal": notebook(vandal, Q1, Q2),
        "tamper": notebook(tamper, visible_q1),
        "steal": notebook(steal),
        "forger": notebook(FORGER),
        "huge_output": notebook(
            Q1,
            Q2,
            "import sys, warnings\nwarnings.warn('deprecated thing')\n"
            "for i in range(2000):\n    print('x' * 10_000)\n"
            "    print(f'progress {i}', file=sys.stderr)\n",
        ),
        "network": notebook(
            "import socket\nsocket.create_connection(('93.184.216.34', 80), timeout=1)\n",
            Q1,
            "import urllib.request\n\ndef sharegpt_to_messages(record):\n"
            "    return urllib.request.urlopen('http://example.com').read()\n",
        ),
        "memory_hog": notebook(Q1, "BIG = bytearray(1536 * 2**20)\n", Q2),
        "exits": notebook(Q1, "import sys\nsys.exit(3)\n", Q2),
        "hard_exit": notebook(Q1, "import os\nos._exit(0)\n", Q2),
        "not_a_notebook": "this is not JSON",
    }


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every submission once, in parallel; remember the folders' contents before."""
    base = tmp_path_factory.mktemp("grading")
    ex, subs = base / "exercise", base / "submissions"
    shutil.copytree(FIXTURE, ex)
    subs.mkdir()
    for name, nb in submissions(ex, subs).items():
        (subs / f"{name}.ipynb").write_text(nb if isinstance(nb, str) else json.dumps(nb))
    before = (_digest(ex), _digest(subs))
    cfg = GradeConfig(**CFG, tmp_root=str(base / "sandboxes"))
    results = grade_many(subs, ex, out_dir=base / "grades", workers=2, config=cfg)
    return {
        "base": base,
        "ex": ex,
        "subs": subs,
        "before": before,
        "results": {r.submission: r for r in results},
    }


def reasons(result, question=None) -> list[str]:
    return [t.reason for t in result.tests if question in (None, t.question)]


def test_good_and_reordered_submissions_get_full_marks(graded):
    for name in ("good", "reordered"):  # graded by name: inserted/reordered cells do not matter
        r = graded["results"][name]
        assert (r.score, r.max_score, r.status) == (9, 9, "graded"), (name, reasons(r))


def test_infinite_loop_times_out_and_keeps_names_defined_before(graded):
    r = graded["results"]["infinite_loop"]
    assert (r.score, r.status) == (4, "timed out")
    assert all("timed out after 2s in cell 2" in x for x in reasons(r, "q2"))


def test_loop_that_swallows_the_alarm_is_killed_with_a_reason(graded):
    r = graded["results"]["hostile_loop"]
    assert (r.score, r.status) == (0, "timed out")
    assert set(reasons(r)) == {"timed out after 2s"}


def test_hanging_function_costs_only_its_own_tests(graded):
    r = graded["results"]["slow_function"]  # the runner is killed and restarted per q1 test
    assert r.by_question() == {"q1": (0, 4), "q2": (5, 5)}
    assert set(reasons(r, "q1")) == {"timed out after 1s"}


def test_exception_at_top_level_is_the_reason_for_names_after_it(graded):
    r = graded["results"]["exception"]
    assert r.by_question() == {"q1": (4, 4), "q2": (0, 5)}
    assert all("ValueError: boom" in x and "sharegpt_to_messages" in x for x in reasons(r, "q2"))
    assert any("raised ValueError: boom" in n for n in r.notes)


def test_deleting_files_touches_nothing_outside_its_own_copy(graded):
    r = graded["results"]["vandal"]
    assert r.score == 9  # its own cells still ran; its attempts were refused, not fatal
    refused = [n for n in r.notes if "raised RuntimeError: deleted 0, refused" in n]
    assert refused and int(refused[0].rsplit(" ", 1)[1]) >= 5, r.notes
    assert (_digest(graded["ex"]), _digest(graded["subs"])) == graded["before"]
    assert graded["results"]["good"].score == 9
    assert (graded["base"] / "grades" / "summary.csv").exists()


def test_tampering_with_tests_changes_nothing(graded):
    r = graded["results"]["tamper"]  # edits its notebook's test cells, writes tests_hidden.py
    assert (r.score, r.max_score) == (0, 9)
    visible = [t for t in r.tests if t.kind == "visible"]
    assert [(t.name, t.points) for t in visible] == [("q1_visible", 1), ("q2_visible", 1)]
    assert "expected 30, got -1" in reasons(r, "q1")[1]


def test_hidden_tests_cannot_be_read_from_either_process(graded):
    r = graded["results"]["steal"]
    assert r.score == 0
    q1, q2 = reasons(r, "q1"), reasons(r, "q2")
    files = q1[0].split("files=")[1].split(" || ")[0]
    assert "tests_hidden.py" not in files and "submission.ipynb" in files
    assert "blocked:" in q1[0] and "is not allowed while grading" in q1[0]
    assert all("SandboxViolation" in x and "not allowed" in x for x in q2[1:])
    assert not any("def test_" in x or "assert_equal" in x for x in reasons(r))


def test_huge_output_and_warnings_cost_nothing(graded):
    r = graded["results"]["huge_output"]
    assert r.score == 9
    assert len(r.stdout_head) <= 16_384 and r.stdout_head.startswith("x" * 100)
    assert any(n.startswith("stdout was 20,002,000 bytes") for n in r.notes)


def test_network_is_off_and_the_reason_is_recorded(graded):
    r = graded["results"]["network"]
    assert r.by_question() == {"q1": (4, 4), "q2": (0, 5)}
    assert all("network access is disabled" in x for x in reasons(r, "q2"))
    assert any(n.startswith("cell 1, line 2 raised SandboxViolation: network") for n in r.notes)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is only enforced on Linux")
def test_memory_cap_turns_a_huge_allocation_into_a_note(graded):
    r = graded["results"]["memory_hog"]
    assert r.score == 9
    assert any("raised MemoryError" in n for n in r.notes)


def test_exit_calls(graded):
    exits, hard = graded["results"]["exits"], graded["results"]["hard_exit"]
    assert exits.score == 9 and any("SystemExit: 3" in n for n in exits.notes)
    assert (hard.score, hard.status) == (0, "crashed")
    assert "ended before reporting" in hard.tests[0].reason


def test_invalid_notebook_gets_zero_with_a_reason(graded):
    r = graded["results"]["not_a_notebook"]
    assert (r.score, r.status) == (0, "invalid notebook")
    assert "not a readable notebook" in r.tests[0].reason


def test_summary_has_one_row_per_submission(graded):
    rows = list(csv.DictReader((graded["base"] / "grades" / "summary.csv").open()))
    assert len(rows) == len(graded["results"])
    good = next(row for row in rows if row["submission"] == "good")
    assert (good["score"], good["max_score"], good["q1"], good["q2"]) == ("9", "9", "4", "5")
    flagged = sorted(row["submission"] for row in rows if row["review"] == "yes")
    assert flagged == ["forger"]  # it calls os.write; nothing else here reaches into the grader
    report = json.loads((graded["base"] / "grades" / "exception.json").read_text())
    assert report["by_question"]["q2"] == {"earned": 0.0, "possible": 5.0}
    assert (
        "q2 ShareGPT to messages [medium]: 0 / 5"
        in (graded["base"] / "grades" / "exception.txt").read_text()
    )


def test_validate_passes_on_the_fixture_exercise(tmp_path):
    report = validate(FIXTURE, GradeConfig(**CFG, tmp_root=str(tmp_path)))
    assert report.ok, report.problems
    assert (report.solution.score, report.released.score) == (9, 0)


def test_validate_catches_a_test_the_student_copy_passes(tmp_path):
    ex = tmp_path / "exercise"
    shutil.copytree(FIXTURE, ex)
    with (ex / "tests_hidden.py").open("a") as f:
        f.write(
            "\n\n@points(1, question='q2')\n"
            "def test_always():\n    assert ROLES['gpt'] == 'assistant'\n"
        )
    report = validate(ex, GradeConfig(**CFG, tmp_root=str(tmp_path)))
    assert report.problems == [
        (
            "test 'test_always' passes on the student copy, so it does not test "
            "the solution; make it call a function the student writes"
        ),
        (
            "test 'test_always' passes on a submission whose functions return an object "
            "equal to everything; compare with assert_equal (type by type), not =="
        ),
    ]


def test_student_check_cli_runs_visible_tests_only(tmp_path):
    released = release(FIXTURE, tmp_path / "student")
    run = [sys.executable, "-m", "helpers.grading", "check", "--time-limit", "5"]
    before = subprocess.run([*run, str(released)], capture_output=True, text=True, check=False)
    assert before.returncode == 1 and "Score: 0 / 2" in before.stdout
    solved = tmp_path / "student" / "solved.ipynb"
    shutil.copyfile(FIXTURE / "exercise.ipynb", solved)  # a student who wrote the solution
    after = subprocess.run([*run, str(solved)], capture_output=True, text=True, check=False)
    assert after.returncode == 0 and "Score: 2 / 2" in after.stdout, after.stdout + after.stderr


def test_forged_results_from_code_under_test_are_ignored(graded):
    r = graded["results"]["forger"]
    assert r.score == 0
    assert "expected 30, got -1" in reasons(r, "q1")[1]
    assert any(n.startswith("review: cell 1 uses os.write") for n in r.notes)


def test_cli_grade_writes_reports_and_bad_input_exits_2(tmp_path):
    sub = tmp_path / "alice.ipynb"
    sub.write_text(json.dumps(notebook(Q2, Q1)))
    cli = [sys.executable, "-m", "helpers.grading"]
    out = tmp_path / "grades"
    ok = subprocess.run(
        [*cli, "grade", str(sub), str(FIXTURE), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0 and "Score: 9 / 9" in ok.stdout, ok.stderr
    assert json.loads((out / "alice.json").read_text())["score"] == 9
    bad = subprocess.run(
        [*cli, "validate", str(tmp_path / "missing")], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2 and "missing does not exist" in bad.stderr
