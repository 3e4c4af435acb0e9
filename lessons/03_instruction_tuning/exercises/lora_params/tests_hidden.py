# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 03 (lora_params)."""

import math

LLAMA_8B = {"q_proj": (4096, 4096), "k_proj": (4096, 1024), "v_proj": (4096, 1024),
            "o_proj": (4096, 4096), "gate_proj": (4096, 14336), "up_proj": (4096, 14336),
            "down_proj": (14336, 4096)}


def _close_matrix(actual, expected, what):
    assert isinstance(actual, list) and len(actual) == len(expected), (
        f"{what}: expected {len(expected)} rows, got {actual!r}")
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert len(a) == len(e), f"{what}: row {i} should have {len(e)} values, got {len(a)}"
        for j, (x, y) in enumerate(zip(a, e)):
            assert abs(x - y) < 1e-9, f"{what}: element [{i}][{j}] should be {y}, got {x}"


@points(2, question="q1")
def test_all_linear_llama_8b():
    assert_equal(lora_param_count(LLAMA_8B, "all-linear", 16, 32), 41_943_040,
                 "lora_param_count(Llama-3.1-8B, 'all-linear', r=16, 32 layers)")


@points(1, question="q1")
def test_attention_only_smollm2():
    n = lora_param_count(SMOLLM2_360M, ["q_proj", "k_proj", "v_proj", "o_proj"], 16, 32)
    assert_equal(n, 3_276_800, "lora_param_count(SmolLM2-360M, q/k/v/o, r=16)")


@points(1, question="q1")
def test_duplicate_targets_count_once():
    assert_equal(lora_param_count(SMOLLM2_360M, ["q_proj", "q_proj"], 4, 2), 15_360,
                 "q_proj named twice still gets one adapter")


@points(1, question="q1")
def test_unknown_target_is_named():
    assert_raises(lambda: lora_param_count(SMOLLM2_360M, ["q_proj", "qproj"], 8, 32),
                        "target 'qproj'", must_mention=("qproj", "q_proj"))


@points(1, question="q1")
def test_bad_rank():
    assert_raises(lambda: lora_param_count(SMOLLM2_360M, ["q_proj"], 0, 32), "r=0")
    assert_raises(lambda: lora_param_count(SMOLLM2_360M, ["q_proj"], 2.5, 32), "r=2.5")


@points(2, question="q2")
def test_trainable_line_exact():
    assert_equal(trainable_line(41_943_040, 8_030_261_248),
                 "trainable params: 41,943,040 || all params: 8,072,204,288 || trainable%: 0.5196",
                 "trainable_line for Llama-3.1-8B with all-linear r=16")


@points(1, question="q2")
def test_trainable_line_small_numbers():
    assert_equal(trainable_line(1, 3), "trainable params: 1 || all params: 4 || trainable%: 25.0000",
                 "trainable_line(1, 3)")


@points(1, question="q3")
def test_scaling_plain():
    assert_equal(lora_scaling(32, 64), 0.5, "lora_scaling(alpha=32, r=64)")


@points(1, question="q3")
def test_scaling_rslora():
    value = lora_scaling(16, 64, use_rslora=True)
    assert isinstance(value, float) and abs(value - 2.0) < 1e-12, (
        f"lora_scaling(16, 64, use_rslora=True) = 16 / sqrt(64) = 2.0, got {value!r}")
    value = lora_scaling(8, 2, use_rslora=True)
    assert abs(value - 8 / math.sqrt(2)) < 1e-12, f"lora_scaling(8, 2, use_rslora=True), got {value!r}"


@points(2, question="q4")
def test_merge_non_square():
    W = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]  # out=2, in=3
    A = [[1.0, 0.0, -1.0], [0.0, 2.0, 0.0]]  # r=2 x in=3
    B = [[1.0, 1.0], [0.0, -1.0]]  # out=2 x r=2
    expected = [[1.5, 3.0, 2.5], [4.0, 4.0, 6.0]]  # W + (1/2) * B@A
    _close_matrix(merge_weight(W, A, B, alpha=1, r=2), expected, "merge_weight of a 2x3 weight, r=2, alpha=1")


@points(1, question="q4")
def test_merge_uses_alpha_over_r():
    W = [[0.0, 0.0]]
    merged = merge_weight(W, [[1.0, 1.0], [1.0, -1.0], [0.0, 1.0], [2.0, 0.0]],
                          [[1.0, 1.0, 1.0, 1.0]], alpha=8, r=4)
    _close_matrix(merged, [[8.0, 2.0]], "merge_weight with alpha=8, r=4 (scaling 2)")


@points(1, question="q4")
def test_merge_keeps_w_and_checks_shapes():
    W = [[1.0, 1.0], [1.0, 1.0]]
    _close_matrix(merge_weight(W, [[1.0, 1.0]], [[1.0], [1.0]], alpha=1, r=1), [[2.0, 2.0], [2.0, 2.0]],
                  "merge_weight of an all-ones rank-1 update")
    assert_equal(W, [[1.0, 1.0], [1.0, 1.0]], "W after merge_weight (must not be modified)")
    assert_raises(lambda: merge_weight(W, [[1.0, 1.0, 1.0]], [[1.0], [1.0]], alpha=1, r=1),
                        "merge_weight with A of the wrong width")
