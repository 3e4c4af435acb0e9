# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 03b (qlora_recipe): the recipe's outcome, verdicts on real curves."""

# Training losses logged every 6 steps by real 60-step runs of Q1's setup (QLoRA, r=16, seed 0,
# micro model) at five learning rates (data/results/practice.json, `python -m
# helpers.bench.practice`); the run's exact match on the hidden split in the comment.
CURVE_2E4 = [14.137, 12.835, 10.983, 8.517, 7.071, 5.188, 4.777, 4.521, 4.339, 4.341]  # 0.00
CURVE_2E3 = [11.652, 3.803, 1.796, 0.805, 0.663, 0.48, 0.593, 0.573, 0.453, 0.386]  # 0.78
CURVE_3E3 = [10.812, 2.953, 0.958, 0.633, 0.398, 0.243, 0.153, 0.115, 0.05, 0.035]  # 1.00
CURVE_5E3 = [9.74, 1.944, 0.785, 0.862, 0.886, 0.693, 0.57, 0.239, 0.158, 0.139]  # 0.84
CURVE_1E2 = [9.776, 2.168, 4.085, 4.176, 2.549, 5.122, 1.602, 2.491, 1.507, 1.58]  # 0.03

FLOOR = 0.60
_RUN = {}  # one training run, shared by the Q1 tests (the grader runs them in one process)


def _trained():
    if "run" not in _RUN:
        from helpers.practice import exact_match, family_records, recipe_from, train_short

        checked = recipe_from(recipe(), budget=60)
        model, tok, result = train_short(family_records("train"), checked)
        score, answers = exact_match(model, tok, family_records("test_seen"))
        _RUN["run"] = (checked, result, score, answers)
    return _RUN["run"]


@points(4, question="q1")
def test_recipe_clears_the_floor_on_the_hidden_split():
    checked, _, score, answers = _trained()
    assert score.accuracy >= FLOOR, (
        f"{checked} reached exact match {score} on the hidden split, below the floor {FLOOR}; "
        f"first answers {answers[:3]}. Compare learning rates with try_recipe")


@points(1, question="q1")
def test_recipe_run_fits_its_training_data():
    checked, result, _, _ = _trained()
    assert result.final_train_loss < 1.0, (
        f"{checked} ended at training loss {result.final_train_loss:.2f} (want < 1.0): the "
        "adapter has not fitted even its training answers")


@points(2, question="q2")
def test_real_curves_too_low_and_too_high():
    assert_equal([diagnose(CURVE_2E4), diagnose(CURVE_1E2)], ["too_low", "too_high"],
                 "verdicts on the real runs at 2e-4 (stalls at 4.3) and 1e-2 (jumps 2.2 -> 4.1)")


@points(1, question="q2")
def test_real_good_curves_with_noise():
    assert_equal([diagnose(CURVE_2E3), diagnose(CURVE_3E3), diagnose(CURVE_5E3)],
                 ["good", "good", "good"],
                 "verdicts on the real runs at 2e-3, 3e-3, 5e-3 (small wobbles at low loss)")


@points(1, question="q2")
def test_diverged_before_anything_else():
    nan, inf = float("nan"), float("inf")
    assert_equal([diagnose([3.0, nan, 1.0]), diagnose([3.0, 1.0, inf]), diagnose([2.0, 1.0, 2.5]),
                  diagnose([12.0, 1.0, 9.0])], ["diverged", "diverged", "diverged", "too_high"],
                 "nan, inf, last above first; a spike that ends below the first loss")


@points(1, question="q2")
def test_too_few_losses():
    assert_raises(lambda: diagnose([1.0]), "diagnose([1.0])", must_mention=("two",))
    assert_raises(lambda: diagnose([]), "diagnose([])", must_mention=("two",))
