# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 00 (fit_check). Golden numbers were cross-checked against
helpers.memory.load_arch(...).total_params() for the same configs."""

import json

# A made-up tiny config without num_key_value_heads and without tie_word_embeddings (both
# defaults then matter): 1480 parameters (80 embedding, 2 x 656 per block, 8 norm, 80 lm_head).
TINY = {"hidden_size": 8, "num_attention_heads": 2, "intermediate_size": 16,
        "num_hidden_layers": 2, "vocab_size": 10}
# head_dim given explicitly and different from hidden_size // heads (as in Qwen3 / Gemma).
WIDE_HEADS = {"hidden_size": 8, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 4,
              "intermediate_size": 12, "num_hidden_layers": 3, "vocab_size": 20,
              "tie_word_embeddings": True}


def _config(name):
    with open(name, encoding="utf-8") as f:
        return json.load(f)


def _verdict(actual, needed, fits_expected, what):
    assert isinstance(actual, dict), f"{what}: fits() must return a dict, got {type(actual).__name__}"
    assert set(actual) == {"needed_gib", "fits"}, (
        f"{what}: expected keys 'needed_gib' and 'fits', got {sorted(actual)}")
    assert abs(actual["needed_gib"] - needed) <= 0.011, (
        f"{what}: needed_gib should be about {needed}, got {actual['needed_gib']}")
    assert actual["fits"] is fits_expected, f"{what}: fits should be {fits_expected}"


@points(2, question="q1")
def test_count_params_llama_8b_grouped_query_untied():
    assert_equal(count_params(_config("llama_3_1_8b_config.json")), 8_030_261_248,
                 "count_params(Llama-3.1-8B): 8 kv heads of 32 (GQA), lm_head not tied")


@points(1, question="q1")
def test_count_params_defaults_mha_and_untied():
    assert_equal(count_params(dict(TINY)), 1480,
                 "count_params of a config with no num_key_value_heads (multi-head attention) and "
                 "no tie_word_embeddings (untied)")


@points(1, question="q1")
def test_count_params_explicit_head_dim():
    assert_equal(count_params(dict(WIDE_HEADS)), 2232,
                 "count_params when config['head_dim'] (4 heads x 4 = 16) differs from hidden_size")


@points(1, question="q1")
def test_count_params_tying_saves_one_embedding():
    smol = _config("smollm2_135m_config.json")
    untied = dict(smol, tie_word_embeddings=False)
    assert_equal(count_params(untied) - count_params(smol), 49152 * 576,
                 "untying the embeddings adds one vocab x hidden matrix (lm_head)")


@points(1, question="q2")
def test_linear_shapes_llama_8b():
    expected = {"q_proj": (4096, 4096), "k_proj": (4096, 1024), "v_proj": (4096, 1024),
                "o_proj": (4096, 4096), "gate_proj": (4096, 14336), "up_proj": (4096, 14336),
                "down_proj": (14336, 4096)}
    actual = {k: tuple(v) for k, v in linear_shapes(_config("llama_3_1_8b_config.json")).items()}
    assert_equal(actual, expected, "linear_shapes(Llama-3.1-8B)")


@points(2, question="q2")
def test_weight_bytes_qlora_8b():
    assert_equal(weight_bytes(_config("llama_3_1_8b_config.json"), "qlora"), 5_591_539_712,
                 "weight_bytes(Llama-3.1-8B, 'qlora'): 4-bit blocks, 16-bit embedding and lm_head")


@points(1, question="q2")
def test_weight_bytes_qlora_keeps_embedding_16bit():
    # Half a byte for *every* parameter would give 67,257,504: wrong, the embedding stays 16-bit.
    assert_equal(weight_bytes(_config("smollm2_135m_config.json"), "qlora"), 109_777_536,
                 "weight_bytes(SmolLM2-135M, 'qlora'): only the block linears are 4-bit")


@points(1, question="q2")
def test_weight_bytes_full_and_lora():
    big = _config("llama_3_1_8b_config.json")
    assert_equal(weight_bytes(big, "full"), 32_121_044_992, "weight_bytes(8B, 'full'): fp32")
    assert_equal(weight_bytes(big, "lora"), 16_060_522_496, "weight_bytes(8B, 'lora'): 16-bit")


@points(1, question="q2")
def test_weight_bytes_unknown_method_names_the_choices():
    try:
        weight_bytes(dict(TINY), "qlora8")
    except ValueError as e:
        message = str(e)
        assert all(m in message for m in ("full", "lora", "qlora")), (
            f"the ValueError should name the allowed methods; it says: {message!r}")
        return
    raise AssertionError("weight_bytes(config, 'qlora8') must raise ValueError")


@points(1, question="q3")
def test_fits_8b_full_fine_tuning():
    _verdict(fits(_config("llama_3_1_8b_config.json"), "full"), 120.66, False,
             "fits(8B, 'full') (16 bytes per parameter + 1 GiB activations)")


@points(2, question="q3")
def test_fits_8b_lora_versus_qlora():
    big = _config("llama_3_1_8b_config.json")
    _verdict(fits(big, "lora"), 16.58, False, "fits(8B, 'lora', r=16)")
    _verdict(fits(big, "qlora"), 6.83, True, "fits(8B, 'qlora', r=16)")


@points(1, question="q3")
def test_fits_rank_counts_r_times_in_plus_out():
    _verdict(fits(_config("llama_3_1_8b_config.json"), "qlora", lora_r=64), 8.71, True,
             "fits(8B, 'qlora', lora_r=64): an adapter has r*(in+out) parameters per linear")


@points(1, question="q3")
def test_fits_uses_budget_and_activations():
    big = _config("llama_3_1_8b_config.json")
    _verdict(fits(big, "qlora", activation_gib=3.5, budget_gib=8.0), 9.33, False,
             "fits(8B, 'qlora', activation_gib=3.5, budget_gib=8)")
    _verdict(fits(big, "qlora", activation_gib=3.5, budget_gib=10.0), 9.33, True,
             "fits(8B, 'qlora', activation_gib=3.5, budget_gib=10)")
