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
    got = recipe_from({"learning_rate": 3e-3, "rank": 16, "steps": 60}, max_steps=60)
    assert got == Recipe(3e-3, 16, 60) and type(got.learning_rate) is float


@pytest.mark.parametrize("bad, says", [
    ([("learning_rate", 1e-3)], "dict"),
    ({"learning_rate": 1e-3, "rank": 8}, "steps"),
    ({"learning_rate": "1e-3", "rank": 8, "steps": 10}, "learning_rate"),
    ({"learning_rate": float("nan"), "rank": 8, "steps": 10}, "learning_rate"),
    ({"learning_rate": 1e-3, "rank": 8.0, "steps": 10}, "rank"),
    ({"learning_rate": 1e-3, "rank": True, "steps": 10}, "rank"),
    ({"learning_rate": 1e-3, "rank": 8, "steps": 61}, "budget"),
    ({"learning_rate": 1e-3, "rank": 8, "steps": 0}, "steps"),
])
def test_recipe_from_names_what_is_wrong(bad, says):
    with pytest.raises(RecipeError, match=says):
        recipe_from(bad, max_steps=60)


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
