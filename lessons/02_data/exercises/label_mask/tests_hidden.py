# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 02a (label_mask)."""

S, A, E, N = "<|im_start|>", "assistant", "<|im_end|>", "\n"


def _pair(result):
    """truncate's result as a tuple, so a list [ids, labels] is accepted too."""
    return tuple(result) if isinstance(result, (list, tuple)) else result


@points(1, question="q1")
def test_labels_several_spans():
    ids = [10, 11, 12, 13, 14, 15, 16]
    assert_equal(completion_labels(ids, [(1, 3), (5, 7)]), [-100, 11, 12, -100, -100, 15, 16],
                 "completion_labels with spans (1, 3) and (5, 7)")


@points(1, question="q1")
def test_labels_no_spans_and_empty_span():
    assert_equal(completion_labels([1, 2, 3], []), [-100, -100, -100], "no spans: nothing trained")
    assert_equal(completion_labels([1, 2, 3], [(2, 2)]), [-100, -100, -100],
                 "an empty span (2, 2) trains nothing")


@points(1, question="q1")
def test_labels_span_out_of_range():
    assert_raises(lambda: completion_labels([1, 2, 3], [(1, 4)]), "a span ending past the end")
    assert_raises(lambda: completion_labels([1, 2, 3], [(-1, 2)]), "a span starting below 0")
    assert_raises(lambda: completion_labels([1, 2, 3], [(2, 1)]), "a span with start > end")


@points(1, question="q1")
def test_labels_do_not_touch_input():
    ids = [7, 8, 9]
    labels = completion_labels(ids, [(0, 1)])
    assert_equal(ids, [7, 8, 9], "input_ids after completion_labels (must not be modified)")
    assert_equal(labels, [7, -100, -100], "labels of span (0, 1)")
    assert labels is not ids, "return a new list, not input_ids itself"


@points(2, question="q2")
def test_spans_multi_turn_with_system():
    toks = [S, "system", N, "Be", "brief", E, N,
            S, "user", N, "Q1", E, N,
            S, A, N, "A1", E, N,
            S, "user", N, "Q2", E, N,
            S, A, N, "A", "2", E, N]
    assert_equal([tuple(s) for s in assistant_spans(toks)], [(16, 18), (28, 31)],
                 "spans of a system + two user/assistant rounds (each answer and its <|im_end|>)")


@points(2, question="q2")
def test_spans_include_im_end_not_newline():
    toks = [S, "user", N, "x", E, N, S, A, N, "y", E, N]
    spans = [tuple(s) for s in assistant_spans(toks)]
    assert spans != [(9, 10)], ("<|im_end|> must be trained (inside the span): otherwise the model "
                                "never learns to stop")
    assert spans != [(9, 12)], "the newline after <|im_end|> is not part of the answer"
    assert_equal(spans, [(9, 11)], "span of a one-token answer")


@points(1, question="q2")
def test_spans_truncated_answer_runs_to_end():
    toks = [S, "user", N, "q", E, N, S, A, N, "long", "answer", "cut"]
    assert_equal([tuple(s) for s in assistant_spans(toks)], [(9, 12)],
                 "an answer cut before its <|im_end|> runs to the end of the list")


@points(1, question="q2")
def test_spans_role_word_in_content_is_not_a_turn():
    # The word "assistant" inside a user message is content, not a turn header.
    toks = [S, "user", N, "assistant", N, "hi", E, N, S, A, N, "ok", E, N]
    assert_equal([tuple(s) for s in assistant_spans(toks)], [(11, 13)],
                 "'assistant' typed by the user is not an assistant turn")


@points(1, question="q2")
def test_spans_empty_answer_and_no_answer():
    assert_equal([tuple(s) for s in assistant_spans([S, A, N, E, N])], [(3, 4)],
                 "an empty answer still trains its <|im_end|>")
    assert_equal(assistant_spans([S, "user", N, "q", E, N]), [], "no assistant turn: no span")


@points(1, question="q3")
def test_truncate_keeps_prefix():
    assert_equal(_pair(truncate([1, 2, 3, 4, 5], [-100, 2, 3, 4, 5], 3)), ([1, 2, 3], [-100, 2, 3]),
                 "truncate(..., max_length=3)")


@points(1, question="q3")
def test_truncate_short_example_unchanged():
    assert_equal(_pair(truncate([1, 2], [-100, 2], 8)), ([1, 2], [-100, 2]), "an example shorter than max_length")


@points(2, question="q3")
def test_truncate_drops_when_nothing_trained_is_left():
    assert truncate([1, 2, 3, 4], [-100, -100, -100, 4], 3) is None, (
        "after the cut every label is -100: return None (drop), or the loss is 0/0")
    assert truncate([1, 2], [-100, -100], 5) is None, "an example with no trained token at all is dropped"


@points(1, question="q3")
def test_truncate_bad_input():
    assert_raises(lambda: truncate([1, 2, 3], [1, 2], 2), "input_ids and labels of different lengths")
    assert_raises(lambda: truncate([1, 2], [1, 2], 0), "max_length=0")


@points(1, question="q3")
def test_truncate_does_not_modify_inputs():
    ids, labels = [1, 2, 3], [-100, 2, 3]
    assert_equal(_pair(truncate(ids, labels, 2)), ([1, 2], [-100, 2]), "truncate(..., 2)")
    assert_equal((ids, labels), ([1, 2, 3], [-100, 2, 3]), "the inputs after truncate (must not change)")
