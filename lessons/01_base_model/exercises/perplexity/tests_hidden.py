# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 01 (perplexity)."""

import math


def _close(actual, expected, what, tol=1e-9):
    assert isinstance(actual, float), f"{what}: expected a float, got {type(actual).__name__}"
    assert abs(actual - expected) <= tol * max(1.0, abs(expected)), (
        f"{what}: expected {expected!r}, got {actual!r}")


@points(1, question="q1")
def test_perplexity_uniform_over_vocab():
    # Catches log base 2/10 and a missing minus sign: a uniform bet over 50 tokens is PPL 50.
    _close(perplexity([-math.log(50)] * 7), 50.0, "perplexity of 7 tokens each at p=1/50")


@points(2, question="q1")
def test_perplexity_is_exp_of_mean_nll():
    # exp(-(ln .5 + ln .25) / 2) = sqrt(8). Sum instead of mean gives 8; 1/mean(p) gives 2.67.
    _close(perplexity([math.log(0.5), math.log(0.25)]), math.sqrt(8), "perplexity([ln .5, ln .25])")


@points(1, question="q1")
def test_perplexity_rejects_empty_and_positive():
    assert_raises(lambda: perplexity([]), "perplexity([])")
    assert_raises(lambda: perplexity([-0.1, 0.3]), "perplexity with a positive log-prob")


@points(2, question="q1")
def test_corpus_perplexity_weights_by_tokens():
    short = [math.log(0.5)]  # PPL 2
    long = [math.log(0.1)] * 9  # PPL 10
    expected = math.exp(-(math.log(0.5) + 9 * math.log(0.1)) / 10)  # about 8.71; mean of PPLs is 6
    _close(corpus_perplexity([short, long]), expected, "corpus_perplexity of a 1-token and a 9-token text")


@points(1, question="q1")
def test_corpus_perplexity_empty_texts():
    _close(corpus_perplexity([[], [math.log(0.25)] * 3]), 4.0, "corpus_perplexity with an empty text")
    assert_raises(lambda: corpus_perplexity([[], []]), "corpus_perplexity([[], []])")


@points(2, question="q2")
def test_next_token_logprobs_shift():
    dists = [[0.7, 0.2, 0.1], [0.3, 0.3, 0.4], [0.05, 0.9, 0.05], [1 / 3, 1 / 3, 1 / 3]]
    ids = [2, 0, 1, 1]
    got = next_token_logprobs(dists, ids)
    expected = [math.log(0.7), math.log(0.3), math.log(0.9)]
    assert isinstance(got, list) and len(got) == 3, (
        f"4 tokens give 3 log-probs (the first token is not scored); got {got!r}")
    for k, (a, e) in enumerate(zip(got, expected)):
        _close(a, e, f"log-prob of token {k + 1} (scored by distributions[{k}])")


@points(1, question="q2")
def test_next_token_logprobs_zero_probability():
    got = next_token_logprobs([[0.0, 1.0], [0.5, 0.5]], [1, 0])
    assert_equal(got, [-math.inf], "log-probabilities when the next token has p=0")


@points(1, question="q2")
def test_next_token_logprobs_length_mismatch():
    assert_raises(lambda: next_token_logprobs([[0.5, 0.5]], [0, 1]),
                        "next_token_logprobs with fewer distributions than tokens")


@points(1, question="q2")
def test_next_token_logprobs_single_token():
    assert_equal(next_token_logprobs([[0.5, 0.5]], [1]), [], "a 1-token text has nothing scored")


@points(1, question="q3")
def test_statements_true_ones_chosen():
    answer = true_statements()
    missing = {"A", "C", "D"} - set(answer)
    assert not missing, f"{len(missing)} true statement(s) missing from your answer"


@points(1, question="q3")
def test_statements_no_false_ones():
    answer = true_statements()
    wrong = set(answer) & {"B", "E", "F"}
    assert answer and not wrong, f"{len(wrong)} false statement(s) in your answer" if answer else (
        "the answer is empty")
