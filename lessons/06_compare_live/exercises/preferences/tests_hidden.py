# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 06 (preferences)."""


def _vote(winner, prompt="p", **answers):
    return {"prompt": prompt, "answers": answers or {"a": "A", "b": "B", "c": "C"}, "winner": winner}


def _stats(wins, losses, ties):
    judged = wins + losses + ties
    return {"wins": wins, "losses": losses, "ties": ties, "judged": judged, "win_rate": wins / judged}


@points(2, question="q1")
def test_three_way_votes_and_ties():
    votes = [_vote("a"), _vote("b"), _vote("tie")]
    expected = {"a": _stats(1, 1, 1), "b": _stats(1, 1, 1), "c": _stats(0, 2, 1)}
    assert_equal(win_rates(votes), expected,
                 "win_rates of three 3-way votes (every non-winner loses; ties count in judged)")


@points(1, question="q1")
def test_variants_in_some_votes_only():
    votes = [_vote("x", x="1", y="2"), _vote("z", y="2", z="3"), _vote("z", x="1", z="3")]
    expected = {"x": _stats(1, 1, 0), "y": _stats(0, 2, 0), "z": _stats(2, 0, 0)}
    assert_equal(win_rates(votes), expected, "win_rates when variants meet in different pairs")


@points(1, question="q1")
def test_no_votes():
    assert_equal(win_rates([]), {}, "win_rates([])")


@points(1, question="q1")
def test_unknown_winner_names_the_vote():
    try:
        win_rates([_vote("a"), _vote("hybrid")])
    except ValueError as e:
        assert "1" in str(e), f"the error should name vote 1; it says {e}"
        return
    raise AssertionError("a winner that is not one of the vote's variants must raise ValueError")


@points(2, question="q2")
def test_pairs_three_way_in_shown_order():
    votes = [_vote("b", prompt="q1", c="C", a="A", b="B"), _vote("tie", prompt="q2")]
    expected = [
        {"prompt": "q1", "chosen": "B", "rejected": "C", "chosen_variant": "b", "rejected_variant": "c"},
        {"prompt": "q1", "chosen": "B", "rejected": "A", "chosen_variant": "b", "rejected_variant": "a"},
    ]
    assert_equal(preference_pairs(votes), expected,
                 "pairs from a 3-way vote (one per loser, in the order shown) and a tie (none)")


@points(1, question="q2")
def test_pairs_skip_identical_answers():
    votes = [_vote("a", a="same", b="same", c="other")]
    assert_equal([p["rejected_variant"] for p in preference_pairs(votes)], ["c"],
                 "rejected variants when b's answer is identical to the winner's")


@points(1, question="q2")
def test_pairs_keep_vote_order():
    votes = [_vote("a", prompt="first", a="1", b="2"), _vote("b", prompt="second", a="3", b="4")]
    assert_equal([(p["prompt"], p["chosen"]) for p in preference_pairs(votes)],
                 [("first", "1"), ("second", "4")], "(prompt, chosen) of the pairs, in vote order")


@points(1, question="q3")
def test_stop_reason_length():
    assert_equal(tuple(stop_reason([5, 6, 7], eos_ids=[2])), ("length", [5, 6, 7]),
                 "no stop id generated: 'length'")


@points(1, question="q3")
def test_stop_reason_several_stop_ids():
    assert_equal(tuple(stop_reason([5, 0, 6, 2], eos_ids=[2, 0])), ("eos", [5, 0]),
                 "the first of any stop id ends generation")


@points(1, question="q3")
def test_stop_reason_first_token_and_empty():
    assert_equal(tuple(stop_reason([2, 2], eos_ids=[2])), ("eos", [2]), "EOS as the first token")
    assert_equal(tuple(stop_reason([], eos_ids=[2])), ("length", []), "nothing generated")
