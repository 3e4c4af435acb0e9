"""helpers.course: the README's main job (run notebooks 00–07 headless, print the trade-off)."""

from __future__ import annotations

from helpers import course
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
        for variant in ("base", "it", "sft", "hybrid", "mix"):
            assert f"\n{variant}" in out or f" {variant} " in out
        assert "measured on" in out
    else:
        assert "python -m helpers.experiment" in out


def test_missing_results_say_how_to_make_them(tmp_path, capsys):
    course.print_tradeoff_table(tmp_path / "results.json")
    assert "python -m helpers.experiment" in capsys.readouterr().out
