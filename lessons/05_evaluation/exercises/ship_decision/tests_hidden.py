# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 05 (ship_decision)."""

import json
import math

GATE = {"domain_accuracy": 0.7, "refusal_rate": 0.8}
NO_FORGETTING = {"instruct_exact_match": 0.1}


def _cell(mean, std=0.0, n=3):
    return {"mean": mean, "std": std, "n": n}


def _shipped_table():
    with open("results.json", encoding="utf-8") as f:
        rows = json.load(f)
    return summarize(rows, ["domain_accuracy", "instruct_exact_match", "refusal_rate"])


def _decision(result):
    assert isinstance(result, dict) and set(result) == {"ship", "rejected"}, (
        f"decide must return a dict with keys 'ship' and 'rejected', got {result!r}")
    return {"ship": result["ship"], "rejected": {k: list(v) for k, v in result["rejected"].items()}}


@points(2, question="q1")
def test_mean_std_is_sample_std():
    mean, std = mean_std([2, 4, 4, 4, 5, 5, 7, 9])
    assert abs(mean - 5.0) < 1e-12, f"mean should be 5.0, got {mean}"
    assert abs(std - math.sqrt(32 / 7)) < 1e-12, (
        f"the sample std (divide by n-1) is {math.sqrt(32 / 7):.6f}, got {std:.6f}"
        + (" (that is the population std)" if abs(std - 2.0) < 1e-9 else ""))


@points(1, question="q1")
def test_mean_std_one_value():
    mean, std = mean_std([0.42])
    assert abs(mean - 0.42) < 1e-12 and std == 0.0, f"one value: (0.42, 0.0), got {(mean, std)}"


@points(1, question="q1")
def test_mean_std_empty():
    assert_raises(lambda: mean_std([]), "mean_std([])")


@points(2, question="q2")
def test_summarize_shipped_results():
    cell = _shipped_table()["hybrid"]["domain_accuracy"]
    assert set(cell) == {"mean", "std", "n"}, f"each cell has keys mean, std, n; got {sorted(cell)}"
    assert abs(cell["mean"] - 0.8) < 1e-9 and abs(cell["std"] - math.sqrt(0.0003)) < 1e-9 and cell["n"] == 3, (
        f"hybrid domain_accuracy over seeds 0.81, 0.78, 0.81: mean 0.8, std 0.0173, n 3; got {cell}")


@points(1, question="q2")
def test_summarize_uneven_seeds_and_only_requested_metrics():
    rows = [{"variant": "a", "seed": 0, "m": 1.0, "other": 5}, {"variant": "a", "seed": 1, "m": 3.0, "other": 6},
            {"variant": "b", "seed": 0, "m": 2.0, "other": 7}]
    table = summarize(rows, ["m"])
    assert sorted(table) == ["a", "b"] and sorted(table["a"]) == ["m"], (
        f"only the requested metric 'm' is summarised; got {table}")
    assert table["a"]["m"]["n"] == 2 and table["b"]["m"]["n"] == 1 and table["b"]["m"]["std"] == 0.0, (
        f"a has 2 seeds, b has 1 (std 0.0); got {table}")


@points(1, question="q2")
def test_summarize_missing_metric_is_named():
    rows = [{"variant": "a", "seed": 0, "m": 1.0}, {"variant": "hybrid", "seed": 7}]
    assert_raises(lambda: summarize(rows, ["m"]), "a row without metric 'm'",
                        must_mention=("hybrid", "7", "m"))


@points(2, question="q3")
def test_decide_on_shipped_results():
    expected = {"ship": "hybrid", "rejected": {
        "base": ["domain_accuracy:threshold", "instruct_exact_match:regression", "refusal_rate:threshold"],
        "instruct": ["domain_accuracy:threshold", "refusal_rate:threshold"],
        "domain": ["instruct_exact_match:regression"]}}
    got = _decision(decide(_shipped_table(), GATE, NO_FORGETTING, "instruct", "domain_accuracy"))
    assert_equal(got, expected, "decide on results.json")


@points(1, question="q3")
def test_decide_without_regression_rule_ships_domain():
    got = _decision(decide(_shipped_table(), {"domain_accuracy": 0.7}, {}, "instruct", "domain_accuracy"))
    assert_equal(got["ship"], "domain", "ship without a regression limit (best domain accuracy wins)")


@points(1, question="q3")
def test_decide_nothing_passes():
    table = {"a": {"x": _cell(0.1)}, "b": {"x": _cell(0.2)}}
    got = _decision(decide(table, {"x": 0.5}, {}, "a", "x"))
    assert_equal(got, {"ship": None, "rejected": {"a": ["x:threshold"], "b": ["x:threshold"]}},
                 "decide when no variant reaches the threshold")


@points(1, question="q3")
def test_decide_ties_by_std_then_name():
    table = {"c": {"x": _cell(0.9, 0.05)}, "b": {"x": _cell(0.9, 0.01)}, "a": {"x": _cell(0.9, 0.05)},
             "d": {"x": _cell(0.8, 0.0)}}
    assert_equal(_decision(decide(table, {"x": 0.5}, {}, "d", "x"))["ship"], "b",
                 "ship on a tie of means (smaller std wins)")
    del table["b"]
    assert_equal(_decision(decide(table, {"x": 0.5}, {}, "d", "x"))["ship"], "a",
                 "ship on a tie of means and stds (alphabetically first)")


@points(1, question="q3")
def test_decide_regression_boundary_uses_rounding():
    # 0.8 - 0.7 is 0.10000000000000009 in floating point; rounded, it is exactly the allowed 0.1.
    table = {"base": {"g": _cell(0.8), "d": _cell(0.1)}, "new": {"g": _cell(0.7), "d": _cell(0.9)}}
    got = _decision(decide(table, {"d": 0.0}, {"g": 0.1}, "base", "d"))
    assert_equal(got, {"ship": "new", "rejected": {}}, "a drop of exactly the allowed 0.1 passes")


@points(1, question="q3")
def test_decide_missing_metric_and_unknown_baseline():
    table = {"base": {"g": _cell(0.8), "d": _cell(0.5)}, "new": {"d": _cell(0.9)}}
    got = _decision(decide(table, {"d": 0.3, "g": 0.0}, {"g": 0.1}, "base", "d"))
    assert_equal(got, {"ship": "base", "rejected": {"new": ["g:regression", "g:threshold"]}},
                 "a variant without metric 'g' breaks both rules that ask for it")
    assert_raises(lambda: decide(table, {"d": 0.3}, {}, "prod", "d"), "baseline 'prod' not in the table")


@points(1, question="q4")
def test_clearly_better_overlapping_bands():
    table = {"a": {"m": _cell(0.84, 0.03)}, "b": {"m": _cell(0.80, 0.02)}}
    assert clearly_better(table, "a", "b", "m") is False, "0.81 is not above 0.82: the bands overlap"
    assert clearly_better(table, "b", "a", "m") is False, "b is lower: not clearly better"


@points(1, question="q4")
def test_clearly_better_uses_both_stds():
    table = {"a": {"m": _cell(0.9, 0.0)}, "b": {"m": _cell(0.7, 0.15)}}
    assert clearly_better(table, "a", "b", "m") is True, "0.9 > 0.85: clearly better"
    table["b"]["m"] = _cell(0.7, 0.25)
    assert clearly_better(table, "a", "b", "m") is False, "0.9 is not above 0.95 (b's band is wide)"
