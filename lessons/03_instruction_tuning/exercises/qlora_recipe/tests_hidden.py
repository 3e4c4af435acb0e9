# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 03b (qlora_recipe): the recipe's outcome, verdicts on real curves."""

# Training losses logged every 6 steps by real 60-step runs of Q1's setup (QLoRA, r=16, seed 0,
# micro model) at five learning rates (data/results/practice.json, `python -m
# helpers.bench.practice`); the run's exact match on the hidden split in the comment.
CURVE_2E4 = [15.33, 13.924, 12.237, 10.315, 8.38, 7.124, 6.273, 5.819, 5.64, 5.62]  # 0.00
CURVE_2E3 = [13.016, 4.864, 2.526, 1.087, 0.845, 0.531, 0.61, 0.658, 0.492, 0.435]  # 0.76
CURVE_3E3 = [12.16, 3.703, 1.461, 0.783, 0.775, 0.535, 0.589, 0.615, 0.503, 0.424]  # 0.62
CURVE_5E3 = [11.156, 2.457, 1.64, 0.962, 1.143, 0.682, 0.782, 0.763, 0.579, 0.428]  # 0.68
CURVE_1E2 = [10.094, 2.775, 5.19, 14.173, 4.771, 3.296, 3.612, 1.747, 1.602, 1.616]  # 0.03

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
                 "verdicts on the real runs at 2e-4 (stalls at 5.6) and 1e-2 (jumps 2.8 -> 8.6)")


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
