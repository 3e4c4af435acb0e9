"""helpers.practice: the checks in front of the exercises' training runs (the runs themselves are
exercised by test_lessons, which grades qlora_recipe and replay_mix with real training)."""

import pytest

from helpers.practice import (
    PRACTICE_FAMILIES,
    REPLAY_BUDGET,
    Recipe,
    RecipeError,
    check_mix,
    family_records,
    recipe_from,
)


def test_recipe_from_accepts_a_good_recipe_and_keeps_types():
    got = recipe_from({"learning_rate": 3e-3, "r": 16, "max_steps": 60}, budget=60)
    assert got == Recipe(3e-3, 16, 60) and type(got.learning_rate) is float


@pytest.mark.parametrize("bad, says", [
    ([("learning_rate", 1e-3)], "dict"),
    ({"learning_rate": 1e-3, "r": 8}, "max_steps"),
    ({"learning_rate": "1e-3", "r": 8, "max_steps": 10}, "learning_rate"),
    ({"learning_rate": float("nan"), "r": 8, "max_steps": 10}, "learning_rate"),
    ({"learning_rate": 1e-3, "r": 8.0, "max_steps": 10}, "recipe r="),
    ({"learning_rate": 1e-3, "r": True, "max_steps": 10}, "recipe r="),
    ({"learning_rate": 1e-3, "r": 8, "max_steps": 61}, "budget"),
    ({"learning_rate": 1e-3, "r": 8, "max_steps": 0}, "max_steps"),
])
def test_recipe_from_names_what_is_wrong(bad, says):
    with pytest.raises(RecipeError, match=says):
        recipe_from(bad, budget=60)


def test_family_records_are_the_practice_families_only():
    records = family_records("train")
    assert {r["family"] for r in records} == set(PRACTICE_FAMILIES)
    assert len(family_records("test_seen")) == 20 * len(PRACTICE_FAMILIES)
    with pytest.raises(ValueError, match="no records"):
        family_records("train", families=("no_such_family",))


def _pools():
    domain = [{"id": f"d{i}", "kind": "fact"} for i in range(5)]
    instructions = [{"id": f"i{i}", "family": "weather"} for i in range(5)]
    return domain, instructions


def test_check_mix_accepts_records_from_the_pools():
    domain, instructions = _pools()
    check_mix(domain[:3] + instructions[:2], domain, instructions, 5)


@pytest.mark.parametrize("mix, says", [
    (None, "list of exactly 5"),
    ([{"id": "d0", "kind": "fact"}] * 4, "exactly 5"),
    ([{"id": "d0", "kind": "refuse"}] + [{"id": f"i{i}", "family": "weather"} for i in range(4)],
     r"mix\[0\]"),
    ([{"id": "new"}] + [{"id": f"i{i}", "family": "weather"} for i in range(4)], r"mix\[0\]"),
    ([{"id": "i0", "family": "weather"}] * 5, r"mix\[1\].*twice"),
])
def test_check_mix_names_what_is_wrong(mix, says):
    domain, instructions = _pools()
    with pytest.raises(RecipeError, match=says):
        check_mix(mix, domain, instructions, 5)


def test_replay_budget_is_the_stage_b_steps_times_the_batch():
    assert REPLAY_BUDGET == 480


def test_lesson_readmes_quote_the_committed_sweep():
    """The numbers lessons 03 and 04 quote for their training exercises are those of
    data/results/practice.json (`python -m helpers.bench.practice`)."""
    import json
    import re

    from helpers.paths import REPO_ROOT, RESULTS_DIR

    sweep = json.loads((RESULTS_DIR / "practice.json").read_text())
    text = " ".join((REPO_ROOT / "lessons/03_instruction_tuning/README.md").read_text().split())
    quoted = dict(re.findall(r"(\d+e-\d) (?:gives )?(\d\.\d\d)", text))
    measured = {f"{r['learning_rate']:.0e}".replace("e-0", "e-"): f"{r['exact_match']:.2f}"
                for r in sweep["recipes"]}
    assert quoted and quoted == measured
    replay = {r["mix"]: r for r in sweep["replay"]}
    text = " ".join((REPO_ROOT / "lessons/04_domain_sft/README.md").read_text().split())
    assert (f"({replay['no replay']['before']:.2f} before; "
            f"{replay['no replay']['after']:.2f} with no replay)") in text
    assert f"(10%: {replay['10% replay, every family equally']['after']:.2f})" in text
    half = replay["50% replay, every family equally"]["domain_answer_loss"]
    assert "(50%: above the ceiling)" in text and half > 1.45


def test_hidden_curves_of_exercise_03b_are_the_committed_runs():
    """The loss curves exercise 03b asks a student to diagnose are practice.json's real runs,
    and the exact match each comment gives is that run's."""
    import json
    import re

    from helpers.paths import REPO_ROOT, RESULTS_DIR

    runs = {f"{r['learning_rate']:.0e}".replace("e-0", "E").upper(): r
            for r in json.loads((RESULTS_DIR / "practice.json").read_text())["recipes"]}
    hidden = (REPO_ROOT / "lessons/03_instruction_tuning/exercises/qlora_recipe/tests_hidden.py")
    curves = re.findall(r"^CURVE_(\w+) = (\[.*\])  # (\d\.\d\d)$", hidden.read_text(), re.M)
    assert len(curves) == 5
    for tag, losses, score in curves:
        run = runs[tag]
        assert json.loads(losses) == [round(x, 3) for x in run["losses"]], tag
        assert score == f"{run['exact_match']:.2f}", tag
