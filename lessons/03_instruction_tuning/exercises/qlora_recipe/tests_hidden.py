# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 03b (qlora_recipe): the recipe's outcome, verdicts on real curves."""

# Training losses logged every 6 steps by real 60-step runs of Q1's setup (QLoRA, r=16, seed 0,
# micro model) at five learning rates (data/results/practice.json, `python -m
# helpers.bench.practice`); the run's exact match on the hidden split in the comment.
CURVE_2E4 = [15.683, 14.291, 12.044, 9.417, 7.677, 5.945, 5.912, 5.351, 5.324, 5.394]  # 0.00
CURVE_2E3 = [12.958, 4.272, 2.123, 1.049, 0.728, 0.552, 0.608, 0.645, 0.486, 0.383]  # 0.65
CURVE_3E3 = [11.997, 3.224, 1.396, 0.9, 0.694, 0.367, 0.221, 0.298, 0.221, 0.173]  # 0.78
CURVE_5E3 = [11.083, 2.607, 1.218, 1.019, 0.938, 0.776, 0.729, 0.506, 0.436, 0.324]  # 0.68
CURVE_1E2 = [9.805, 2.484, 4.871, 3.887, 2.51, 1.984, 2.221, 1.503, 1.492, 1.585]  # 0.03

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
                 "verdicts on the real runs at 2e-4 (stalls at 5.4) and 1e-2 (jumps 2.5 -> 4.9)")


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
