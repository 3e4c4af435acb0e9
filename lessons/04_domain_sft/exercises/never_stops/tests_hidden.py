# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 04a (never_stops)."""

import copy


@points(1, question="q1")
def test_naive_labels_masks_eos_when_pad_is_eos():
    # pad = EOS = 2: the answer's EOS at position 3 is masked as well. That is the bug.
    assert_equal(naive_labels([1, 8, 9, 2, 2, 2], pad_id=2), [1, 8, 9, -100, -100, -100],
                 "naive_labels with pad_id == EOS id")


@points(1, question="q1")
def test_naive_labels_with_a_distinct_pad():
    ids = [1, 8, 9, 2, 0, 0]
    assert_equal(naive_labels(ids, pad_id=0), [1, 8, 9, 2, -100, -100],
                 "naive_labels with a pad id (0) distinct from EOS (2): EOS stays trained")
    assert_equal(ids, [1, 8, 9, 2, 0, 0], "input_ids after naive_labels (must not be modified)")


@points(2, question="q2")
def test_safe_labels_keeps_eos_with_pad_equal_eos():
    ids = [1, 5, 6, 2, 1, 7, 2, 2, 2]
    attention = [1, 1, 1, 1, 1, 1, 1, 0, 0]
    assistant = [0, 1, 1, 1, 0, 1, 1, 0, 0]
    assert_equal(safe_labels(ids, attention, assistant), [-100, 5, 6, 2, -100, 7, 2, -100, -100],
                 "safe_labels of two answers, each ending with EOS (= pad id 2), then padding")


@points(1, question="q2")
def test_safe_labels_prompt_and_padding_masked():
    assert_equal(safe_labels([3, 4, 5, 0], [1, 1, 1, 0], [0, 0, 1, 1]), [-100, -100, 5, -100],
                 "safe_labels: prompt tokens and padding positions are masked even if assistant_mask says 1")


@points(1, question="q2")
def test_safe_labels_length_mismatch():
    assert_raises(lambda: safe_labels([1, 2, 3], [1, 1], [1, 1, 1]), "masks of different lengths")


@points(1, question="q3")
def test_eos_check_multi_turn_all_good():
    assert eos_is_trained([-100, 5, 2, -100, -100, 6, 7, 2], eos_id=2) is True, (
        "two answers, each ending with EOS: True")


@points(1, question="q3")
def test_eos_check_one_turn_missing_eos():
    assert eos_is_trained([-100, 5, -100, -100, 6, 2], eos_id=2) is False, (
        "the first answer's run [5] does not end with EOS: False")


@points(1, question="q3")
def test_eos_check_nothing_trained():
    assert eos_is_trained([-100, -100, -100], eos_id=2) is False, "no trained label at all: False"
    assert eos_is_trained([], eos_id=2) is False, "empty labels: False"


@points(1, question="q3")
def test_eos_check_run_must_end_with_eos():
    assert eos_is_trained([-100, 5, 2, 9], eos_id=2) is False, (
        "EOS is trained but the run goes on to 9 after it: the run does not end with EOS")
    assert eos_is_trained([2], eos_id=2) is True, "a lone trained EOS (an empty answer) is fine"


@points(1, question="q4")
def test_fix_pad_equal_to_eos():
    config = {"eos_token": "<|im_end|>", "pad_token": "<|im_end|>", "bos_token": None,
              "additional_special_tokens": ["<|im_start|>", "<|im_end|>"]}
    expected = {"eos_token": "<|im_end|>", "pad_token": "<|pad|>", "bos_token": None,
                "additional_special_tokens": ["<|im_start|>", "<|im_end|>", "<|pad|>"]}
    assert_equal(fix_pad_token(config), expected, "fix_pad_token when pad == EOS")


@points(1, question="q4")
def test_fix_pad_missing_or_none():
    assert_equal(fix_pad_token({"eos_token": "</s>", "pad_token": None}),
                 {"eos_token": "</s>", "pad_token": "<|pad|>", "additional_special_tokens": ["<|pad|>"]},
                 "fix_pad_token when pad_token is None")
    assert_equal(fix_pad_token({"eos_token": "</s>"}),
                 {"eos_token": "</s>", "pad_token": "<|pad|>", "additional_special_tokens": ["<|pad|>"]},
                 "fix_pad_token when pad_token is missing")


@points(1, question="q4")
def test_fix_pad_already_distinct():
    config = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "additional_special_tokens": ["<|im_end|>"]}
    assert_equal(fix_pad_token(config), copy.deepcopy(config), "fix_pad_token when pad is already not EOS")


@points(1, question="q4")
def test_fix_pad_no_duplicate_no_mutation():
    config = {"eos_token": "<|im_end|>", "pad_token": "<|im_end|>", "additional_special_tokens": ["<|pad|>", "<|im_end|>"]}
    before = copy.deepcopy(config)
    fixed = fix_pad_token(config)
    assert_equal(fixed["additional_special_tokens"], ["<|pad|>", "<|im_end|>"],
                 "additional_special_tokens when '<|pad|>' is already there (no duplicate)")
    assert_equal(config, before, "the input config after fix_pad_token (must not change)")
    fixed["additional_special_tokens"].append("x")
    assert_equal(config, before, "the input config after changing the result's list (copy the list)")
