"""Metrics a learner can trust (issue 14), without a model: Wilson intervals, majority and
chance baselines (on hand-made records and on the bundled test splits), the per-family
table. Fast (a few seconds: the real splits are scored once per module)."""

from __future__ import annotations

import json
import math

import pytest

from helpers.evaluate import (
    BaselineInputError,
    IntervalInputError,
    MetricInputError,
    chance_baseline,
    chance_of,
    family_table,
    majority_answers,
    majority_baseline,
    proportion,
    record_input,
    wilson_interval,
)
from helpers.generate import Generation
from helpers.paths import INSTRUCTIONS_DIR
from helpers.tasks import HELD_OUT_FAMILIES


def _read(name: str) -> list[dict]:
    with (INSTRUCTIONS_DIR / f"{name}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def train() -> list[dict]:
    return _read("train")


@pytest.fixture(scope="module")
def test_seen() -> list[dict]:
    return _read("test_seen")


@pytest.fixture(scope="module")
def test_unseen() -> list[dict]:
    return _read("test_unseen_family")


def _rec(family: str, answer: str, user: str, phrasing: int | None = None, i: int = 0) -> dict:
    rec = {"id": f"{family}-{i}", "family": family, "answer": answer,
           "messages": [{"role": "user", "content": user},
                        {"role": "assistant", "content": answer}]}
    if phrasing is not None:
        rec["phrasing"] = phrasing
    return rec


# --- Wilson interval -----------------------------------------------------------------------

# Hand-derived with z = 1.96: at 0/n the upper end is (z²/n) / (1 + z²/n); at 10/20 the centre
# is 0.5 and the half-width z/(1+z²/n)·sqrt(p(1-p)/n + z²/4n²) = 0.20070.
@pytest.mark.parametrize("k, n, low, high", [
    (0, 20, 0.0, 0.161130), (10, 20, 0.299295, 0.700705), (20, 20, 0.838870, 1.0),
    (1, 20, 0.008881, 0.236136), (0, 1, 0.0, 0.793457)])
def test_wilson_interval_known_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=1e-6) and hi == pytest.approx(high, abs=1e-6)


@pytest.mark.parametrize("k, n", [(3, 7), (1, 20), (13, 25), (99, 100)])
def test_wilson_ends_solve_the_score_equation(k, n):
    """Independent check: each end p satisfies |k/n - p| = z·sqrt(p(1-p)/n) (its definition)."""
    z = 1.96
    for p in wilson_interval(k, n, z):
        assert abs(k / n - p) == pytest.approx(z * math.sqrt(p * (1 - p) / n), rel=1e-9)


def test_wilson_interval_is_exact_at_the_edges_and_narrows_with_n():
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0
    widths = [hi - lo for lo, hi in (wilson_interval(n // 2, n) for n in (4, 20, 100, 1000))]
    assert widths == sorted(widths, reverse=True)
    assert str(proportion(7, 25)) == "0.28 [0.14, 0.48] (n=25)"


@pytest.mark.parametrize("k, n, match", [
    (0, 0, "n=0"), (1, -3, "n=-3"), (21, 20, "successes=21"), (-1, 20, "successes=-1"),
    (0.5, 20, "not an accuracy"), (True, 20, "successes=True")])
def test_wilson_interval_rejects_bad_counts(k, n, match):
    with pytest.raises(IntervalInputError, match=match):
        wilson_interval(k, n)


# --- baselines on hand-made records --------------------------------------------------------

TINY_TRAIN = [_rec("even_odd", a, "Is 3 even or odd?", i=i)
              for i, a in enumerate(["odd", "odd", "even"])] + [
    _rec("yes_no_fact", a, "q", i=i) for i, a in enumerate(["yes", "no", "no"])]


def test_majority_answer_per_family_and_per_checker():
    fixed = majority_answers(TINY_TRAIN)
    assert fixed["even_odd"] == "odd" and fixed["yes_no_fact"] == "no"
    assert fixed["checker:yesno"] == "no" and fixed["checker:exact"] == "odd"
    tie = majority_answers([_rec("even_odd", "odd", "q"), _rec("even_odd", "even", "q", i=1)])
    assert tie["even_odd"] == "even"  # ties: alphabetically first, stable across runs


def test_majority_baseline_scores_the_fixed_answer_with_the_family_checker():
    tests = [_rec("even_odd", "odd", "q"), _rec("even_odd", "even", "q", i=1),
             _rec("contains_item", "no", "q"), _rec("contains_item", "yes", "q", i=1),
             _rec("contains_item", "no", "q", i=2)]
    out = majority_baseline(tests, TINY_TRAIN)
    assert (out["even_odd"].answer, out["even_odd"].correct, out["even_odd"].n) == ("odd", 1, 2)
    held = out["contains_item"]  # held out: no training records, borrows the yes/no majority
    assert (held.answer, held.source, held.accuracy) == ("no", "checker:yesno", pytest.approx(2 / 3))
    with pytest.raises(BaselineInputError, match="no training answer for family 'add'"):
        majority_baseline([_rec("add", "3", "q")], TINY_TRAIN)
    with pytest.raises(BaselineInputError, match="no 'family'"):
        majority_baseline([{"id": "x"}], TINY_TRAIN)


def test_chance_per_rule_on_hand_made_records():
    assert chance_of(_rec("first_item", "dog", "What is the first item in this list?\n\n"
                          "dog, milk, candle")) == pytest.approx(1 / 3)
    # inline phrasing: the list is recovered from the template, not from the whole sentence
    inline = _rec("first_item", "dog", "Name the first thing in this list: dog, milk, cup, egg.", 3)
    assert record_input(inline) == "dog, milk, cup, egg" and chance_of(inline) == 0.25
    assert chance_of(_rec("first_letter", "b", "What is the first letter of the word bob?", 0)) \
        == pytest.approx(2 / 3)  # a repeated letter is guessed as often as it occurs
    assert chance_of(_rec("extract_who", "Ida", "Who is it?\n\nIda hid the map.")) == 0.25
    assert chance_of(_rec("extract_where", "the hill", "Where?\n\nBo ran near the hill.")) == 0.2
    assert chance_of(_rec("larger_number", "82", "Which number is larger: 82 or 29?")) == 0.5
    assert chance_of(_rec("next_day", "Tuesday", "q")) == pytest.approx(1 / 7)
    assert chance_of(_rec("reverse_word", "krad", "Reverse the word dark.")) == 0.0  # open-ended
    assert chance_baseline([_rec("even_odd", "odd", "q"), _rec("add", "1", "q")]) == \
        {"add": 0.0, "even_odd": 0.5}
    with pytest.raises(BaselineInputError, match="no records"):
        chance_baseline([])


# --- baselines on the bundled splits -------------------------------------------------------

def test_majority_baseline_on_the_real_splits(train, test_seen, test_unseen):
    seen = majority_baseline(test_seen, train)
    assert seen["even_odd"].answer in ("even", "odd") and 0.3 <= seen["even_odd"].accuracy <= 0.7
    assert seen["yes_no_fact"].accuracy >= 0.3  # two answers: a constant gets about half
    assert seen["reverse_word"].accuracy == 0.0 and seen["add"].accuracy <= 0.1
    assert all(b.source == "family" and b.n == 20 for b in seen.values())
    unseen = majority_baseline(test_unseen, train)
    assert set(unseen) == set(HELD_OUT_FAMILIES)
    assert all(b.source.startswith("checker:") and b.n == 25 for b in unseen.values())
    assert unseen["contains_item"].answer in ("yes", "no") and unseen["contains_item"].accuracy >= 0.3
    assert unseen["plural"].accuracy == 0.0
    # a digits-only family borrows the constant of the number families ("digits" is not trained)
    assert unseen["word_to_number"].source == "checker:number"


def test_chance_baseline_on_the_real_splits(test_seen, test_unseen):
    seen = chance_baseline(test_seen)
    first = [r for r in test_seen if r["family"] == "first_item"]
    lengths = [len(record_input(r).split(", ")) for r in first]
    assert min(lengths) >= 2 and len(first) == 20
    assert seen["first_item"] == pytest.approx(sum(1 / k for k in lengths) / len(lengths))
    assert seen["even_odd"] == seen["yes_no_fact"] == seen["longer_word"] == 0.5
    assert seen["reverse_word"] == seen["add"] == 0.0
    assert 0.05 < seen["extract_who"] < 0.3  # one person among the sentence's words
    unseen = chance_baseline(test_unseen)
    assert unseen["contains_item"] == unseen["smaller_number"] == 0.5
    assert unseen["previous_day"] == pytest.approx(1 / 7) and unseen["plural"] == 0.0
    assert 0.15 < unseen["last_item"] < 0.5 and 0.1 < unseen["last_letter"] < 0.4
    # every select-style record has at least one candidate its checker accepts
    for r in test_seen + test_unseen:
        if r["family"] in ("first_item", "last_item", "extract_day", "extract_where", "last_letter"):
            assert chance_of(r) > 0, r["id"]


# --- per-family table ----------------------------------------------------------------------

def test_family_table_all_right_and_all_wrong(train, test_seen):
    right = family_table(test_seen, [Generation(r["answer"], "eos", 2, 0.1) for r in test_seen], train)
    assert all(r.accuracy == 1.0 and r.high == 1.0 and r.correct == r.n == 20 for r in right.rows)
    assert right.seen_excluding_letters.accuracy == 1.0 and right.held_out is None
    assert right.eos_stop_share == 1.0
    wrong = family_table(test_seen, ["zzz"] * len(test_seen), train)
    assert all(r.accuracy == 0.0 and r.low == 0.0 and r.correct == 0 for r in wrong.rows)
    assert wrong.eos_stop_share is None  # plain strings carry no stop reason


def test_family_table_columns_and_pooled_groups(train, test_seen):
    gens = [r["answer"] if r["family"] != "add" and i % 2 == 0 else "no" for i, r in enumerate(test_seen)]
    table = family_table(test_seen, gens, train)
    rows = {r.family: r for r in table.rows}
    assert {f for f, r in rows.items() if r.letter_level} == {
        "reverse_word", "uppercase", "count_letters", "first_letter"}  # last_letter is held out
    assert rows["add"].correct == 0 and rows["add"].high == pytest.approx(0.161130, abs=1e-6)
    even = rows["even_odd"]
    assert even.n == 20 and even.low < even.accuracy < even.high and even.chance == 0.5
    assert even.majority_answer in ("even", "odd")
    pooled = table.seen_excluding_letters
    others = [r for r in table.rows if not r.letter_level]
    assert pooled.n == 20 * len(others) and pooled.correct == sum(r.correct for r in others)
    assert table.letter_level.n == 80
    assert "seen_excluding_letters: " in str(table) and table.as_dicts()[0]["family"] == "add"


def test_split_summary_pools_families_and_weights_the_baselines(train, test_seen):
    from helpers.evaluate import split_summary

    gens = [r["answer"] if i % 3 == 0 else "no" for i, r in enumerate(test_seen)]
    rows = family_table(test_seen, gens, train).as_dicts()
    summary = split_summary(rows)
    assert summary.score.n == len(test_seen) == sum(r["n"] for r in rows)
    assert summary.score.correct == sum(r["correct"] for r in rows)
    assert summary.majority == pytest.approx(sum(r["majority"] * r["n"] for r in rows) / len(test_seen))
    uneven = [dict(rows[0], n=10, majority=1.0, chance=0.0), dict(rows[1], n=30, majority=0.0, chance=1.0)]
    assert split_summary(uneven).majority == 0.25 and split_summary(uneven).chance == 0.75
    assert "(majority answer " in str(summary)
    with pytest.raises(ValueError, match="no examples"):
        split_summary([])


def test_family_table_on_held_out_families_and_bad_input(train, test_unseen):
    table = family_table(test_unseen, [r["answer"] for r in test_unseen], train)
    assert table.seen_excluding_letters is None and table.held_out.accuracy == 1.0
    assert [r.family for r in table.rows if r.letter_level] == ["last_letter"]
    with pytest.raises(MetricInputError, match="2 records but 1 generations"):
        family_table(test_unseen[:2], ["x"], train)
