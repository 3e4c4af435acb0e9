# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 04b (forgetting)."""

BEFORE = {"add": 0.9, "sort": 0.8, "reverse": 0.7, "count": 0.6}
AFTER = {"add": 0.85, "sort": 0.5, "reverse": 0.72, "count": 0.3}


@points(2, question="q1")
def test_drops_rounded_and_signed():
    assert_equal(drops(BEFORE, AFTER), {"add": 0.05, "sort": 0.3, "reverse": -0.02, "count": 0.3},
                 "drops (rounded to 4 decimals; an improvement is negative)")


@points(1, question="q1")
def test_drops_family_mismatch_named():
    try:
        drops({"add": 0.5, "sort": 0.5}, {"add": 0.4, "spell": 0.1})
    except ValueError as e:
        assert "sort" in str(e) and "spell" in str(e), f"name both 'sort' and 'spell' in the error: {e}"
        return
    raise AssertionError("families that differ between before and after must raise ValueError")


@points(1, question="q2")
def test_forgotten_boundary_is_not_forgotten():
    # 0.8 - 0.75 is 0.05000000000000004 in floating point: rounded, it is exactly the tolerance.
    assert_equal(list(forgotten({"a": 0.8, "b": 0.9}, {"a": 0.75, "b": 0.7})), ["b"],
                 "forgotten with drops 0.05 (== tolerance, kept) and 0.2")


@points(1, question="q2")
def test_forgotten_sorted_with_custom_tolerance():
    assert_equal(list(forgotten(BEFORE, AFTER, tolerance=0.01)), ["add", "count", "sort"],
                 "forgotten(..., tolerance=0.01), sorted")
    assert_equal(list(forgotten(BEFORE, AFTER, tolerance=0.5)), [], "forgotten(..., tolerance=0.5)")


@points(2, question="q3")
def test_tradeoff_values():
    assert_equal(tradeoff(BEFORE, AFTER, 0.25, 0.8),
                 {"domain_gain": 0.55, "mean_drop": 0.1575, "worst_family": "count", "worst_drop": 0.3},
                 "tradeoff (worst-drop tie between 'count' and 'sort' goes to 'count')")


@points(1, question="q3")
def test_tradeoff_all_improved():
    result = tradeoff({"a": 0.5, "b": 0.5}, {"a": 0.6, "b": 0.55}, 0.3, 0.3)
    assert_equal(result, {"domain_gain": 0.0, "mean_drop": -0.075, "worst_family": "b", "worst_drop": -0.05},
                 "tradeoff when every family improved (the 'worst' is the smallest gain)")


@points(1, question="q3")
def test_tradeoff_nothing_to_compare():
    try:
        tradeoff({}, {}, 0.1, 0.2)
    except ValueError:
        return
    raise AssertionError("tradeoff with no families must raise ValueError")
