"""helpers.bench.course: the README's main job (run notebooks 00–08 headless, print the trade-off)."""

from __future__ import annotations

import os

import pytest

from helpers.bench import course
from helpers.paths import RESULTS_DIR


def test_finds_the_lesson_notebooks_in_order():
    names = [p.name[:2] for p in course.notebooks()]
    assert names == sorted(names) and names[0] == "00"
    assert [p.name[:2] for p in course.notebooks(["02", "04"])] == ["02", "04"]


def test_no_matching_notebook_is_an_error_not_a_silent_success(capsys):
    assert course.main(["--only", "99"]) == 1
    assert "no notebooks found" in capsys.readouterr().err


def test_prints_the_measured_tradeoff_table(capsys):
    course.print_tradeoff_table()
    out = capsys.readouterr().out
    if (RESULTS_DIR / "experiment" / "results.json").exists():
        for variant in ("base", "it", "sft", "hybrid", "replay"):
            assert f"\n{variant}" in out or f" {variant} " in out
        assert "measured on" in out
    else:
        assert "python -m helpers.bench.experiment" in out


def test_missing_results_say_how_to_make_them(tmp_path, capsys):
    course.print_tradeoff_table(tmp_path / "results.json")
    assert "python -m helpers.bench.experiment" in capsys.readouterr().out


def test_scrub_makes_warning_paths_portable():
    import nbformat

    from helpers.bench.course import scrub_machine_paths
    from helpers.paths import REPO_ROOT

    warning = ("/home/ana/venv/lib/python3.11/site-packages/transformers/modeling_utils.py:3303: "
               f"FutureWarning: deprecated\n  see {REPO_ROOT}/runs/it and C:/x\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", outputs=[
        nbformat.v4.new_output("stream", name="stderr", text=warning),
        nbformat.v4.new_output("execute_result", data={"text/plain": f"'{REPO_ROOT}/data'"})])])
    outs = scrub_machine_paths(nb).cells[0].outputs
    assert outs[0].text == ("site-packages/transformers/modeling_utils.py:3303: "
                            "FutureWarning: deprecated\n  see runs/it and C:/x\n")
    assert outs[1].data["text/plain"] == "'data'"


@pytest.mark.parametrize("path", course.notebooks(), ids=lambda p: p.name)
def test_committed_notebooks_carry_no_machine_paths(path):
    import re
    from pathlib import Path

    from helpers.paths import REPO_ROOT

    text = path.read_text(encoding="utf-8")
    for machine in (str(REPO_ROOT), str(Path.home()) + "/"):
        assert machine not in text, f"{path.name} contains {machine!r}: re-run helpers.bench.course"
    installed = re.search(r"/[^\s'\"]*/(site|dist)-packages/", text)
    assert not installed, f"{path.name} contains {installed.group(0)!r}: re-run helpers.bench.course"


def test_main_leaves_the_callers_quick_mode_alone(monkeypatch):
    """course.main once set TUNELAB_QUICK=0 in the calling process and left it there: every
    notebook nbval ran after this module then ran at full size (CI took 20 min, not 13)."""
    from helpers.bench import course

    monkeypatch.setenv("TUNELAB_QUICK", "1")
    course.main(["--only", "99"])
    assert os.environ["TUNELAB_QUICK"] == "1"
    with course._quick_env(False):
        assert os.environ["TUNELAB_QUICK"] == "0"
    assert os.environ["TUNELAB_QUICK"] == "1"
    monkeypatch.delenv("TUNELAB_QUICK")
    with course._quick_env(True):
        assert os.environ["TUNELAB_QUICK"] == "1"
    assert "TUNELAB_QUICK" not in os.environ
