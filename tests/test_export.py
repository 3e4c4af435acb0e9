"""helpers.export on a tiny random Llama in real 4-bit with a real adapter trained a few steps:
the merge into the dequantized base reproduces the adapter model, the merge into the 4-bit
weights does not, and the exported folder is a plain transformers model with its template."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from tiny_models import save_tiny_llama, sentence_tokenizer

from helpers import export, models, train
from helpers.config import LoraSettings, ModelSettings, TrainSettings
from helpers.paths import REPO_ROOT
from helpers.tokenizer import IM_END
from helpers.world import COLORS, OBJECTS, PEOPLE

RECORDS = [
    {"messages": [{"role": "user", "content": f"Which colour? {p} has a {c} {o}."},
                  {"role": "assistant", "content": c}], "id": f"r{i}"}
    for i, (p, c, o) in enumerate(zip(PEOPLE * 3, COLORS * 9, OBJECTS * 3))
][:32]
PROMPTS = [r["messages"][:1] for r in RECORDS[:4]] + ["Ana has a red"]  # chat + raw text


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """(settings, adapter folder): a 2-layer random Llama and a LoRA trained 6 steps in 4-bit."""
    torch.set_num_threads(2)
    texts = [f"{p} has a {c} {o}." for p in PEOPLE for c in COLORS for o in OBJECTS[:6]]
    root = tmp_path_factory.mktemp("export")
    save_tiny_llama(root / "tiny-llama", sentence_tokenizer(texts * 2))
    settings = ModelSettings(model=str(root / "tiny-llama"))
    model, tok = models.load_base(settings)
    model = models.attach_lora(model, tok, LoraSettings(r=4, alpha=8, dropout=0.0), name="sft")
    train.train(model, tok, RECORDS, None, TrainSettings(
        output_dir=str(root / "run"), max_steps=6, batch_size=8, learning_rate=1e-2,
        eval_steps=0, save_steps=100, logging_steps=3, max_length=64, seed=0))
    return settings, models.save_adapter(model, tok, root / "adapter", "sft"), root


@pytest.fixture(scope="module")
def comparison(tiny):
    settings, adapter, _ = tiny
    return export.compare_merges(settings, adapter, PROMPTS, max_new_tokens=6,
                                 variants=("merged_dequantized", "merged_4bit"))


@pytest.fixture(scope="module")
def exported(tiny):
    settings, adapter, root = tiny
    return export.export_merged(settings, adapter, root / "merged")


def test_merge_into_dequantized_base_matches_adapter_model(comparison):
    row = comparison.row("merged_dequantized")
    assert row["max_abs_logit_diff"] < 1e-4  # float rounding only (fp32)
    assert row["top1_agreement"] == 1.0 and row["same_greedy_answer"] == 1.0
    assert comparison.row("adapter_4bit")["max_abs_logit_diff"] == 0.0  # (a) is the reference


def test_merge_into_4bit_weights_differs_more(comparison):
    dequantized = comparison.row("merged_dequantized")["max_abs_logit_diff"]
    requantized = comparison.row("merged_4bit")["max_abs_logit_diff"]
    assert requantized > 1e-3  # the second NF4 rounding is visible
    assert requantized > 100 * dequantized
    assert [r["variant"] for r in comparison.rows] == ["adapter_4bit", "merged_dequantized",
                                                       "merged_4bit"]
    assert "merged into the 4-bit weights" in str(comparison.table())


def test_dequantize_model_holds_exactly_the_nf4_weights(tiny):
    import bitsandbytes as bnb

    base, tok = models.load_base(tiny[0])
    export.exact_4bit_numerics(base)
    full = export.dequantize_model(base)
    q4 = base.model.layers[1].mlp.down_proj.weight
    expected = bnb.functional.dequantize_4bit(q4.data, q4.quant_state)
    assert torch.equal(full.model.layers[1].mlp.down_proj.weight, expected)
    assert not any(isinstance(m, bnb.nn.Linear4bit) for m in full.modules())
    assert not hasattr(full.config, "quantization_config") and full.dtype == torch.float32
    ids = torch.tensor([tok("Ana has a red kite.")["input_ids"]])
    with torch.no_grad():
        assert torch.allclose(base(input_ids=ids).logits, full(input_ids=ids).logits, atol=1e-5)


def test_dequantize_model_refuses_peft_and_full_precision_models(tiny):
    base, _ = models.load_base(tiny[0])
    peft_model = models.load_adapter(base, tiny[1], "sft")
    with pytest.raises(export.ExportError, match="load_base"):
        export.dequantize_model(peft_model)
    full, _ = models.load_base(ModelSettings(model=tiny[0].model, quant="none"))
    with pytest.raises(export.ExportError, match="not loaded in 4-bit"):
        export.dequantize_model(full)


def test_load_base_keeps_4bit_weights_unpacked_through_eval(tiny):
    """Training after an evaluation must see the same 4-bit weights: load_base turns the CPU
    inference repack off, so an eval-mode forward leaves the packed codes untouched."""
    base, _ = models.load_base(tiny[0])
    layer = base.model.layers[0].self_attn.q_proj
    codes = layer.weight.data.clone()
    with torch.no_grad():
        base.eval()(input_ids=torch.tensor([[5, 6, 7]]))
    assert not getattr(layer.weight.quant_state, "packing_format_for_cpu", False)
    assert torch.equal(layer.weight.data, codes)


def test_cpu_bf16_repack_is_undone_before_dequantizing(tiny):
    """bitsandbytes repacks 4-bit weights at the first eval forward on AVX512-BF16 CPUs;
    dequantizing the repacked data gives wrong weights (what peft's 4-bit merge would use)."""
    import bitsandbytes as bnb

    if not bnb.functional.has_avx512bf16():
        pytest.skip("this CPU has no AVX512-BF16: bitsandbytes never repacks 4-bit weights here")
    base, _ = models.load_base(tiny[0])
    for module in base.modules():  # as plain from_pretrained leaves them (load_base turns it off)
        if isinstance(module, bnb.nn.Linear4bit):
            module.support_avx512bf16_for_cpu = True
    layer = base.model.layers[0].self_attn.q_proj
    before = bnb.functional.dequantize_4bit(layer.weight.data, layer.weight.quant_state)
    with torch.no_grad():
        base.eval()(input_ids=torch.tensor([[5, 6, 7]]))
    assert layer.weight.quant_state.packing_format_for_cpu  # the repack happened
    wrong = bnb.functional.dequantize_4bit(layer.weight.data, layer.weight.quant_state)
    assert (wrong - before).abs().max() > 0.05
    assert export.exact_4bit_numerics(base) == 14  # 7 linear layers × 2 blocks
    after = bnb.functional.dequantize_4bit(layer.weight.data, layer.weight.quant_state)
    assert (after - before).abs().max() < 0.01 * before.abs().max()  # only bf16 block scales


def test_exported_model_loads_with_plain_transformers_and_has_the_template(tiny, exported):
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    model = AutoModelForCausalLM.from_pretrained(exported)
    tok = AutoTokenizer.from_pretrained(exported)
    assert type(model) is LlamaForCausalLM and not hasattr(model.config, "quantization_config")
    assert "endgeneration" in tok.chat_template  # the kit's template, with its training markers
    text = tok.apply_chat_template(PROMPTS[0], tokenize=False, add_generation_prompt=True)
    assert text.startswith("<|im_start|>user") and text.endswith("<|im_start|>assistant\n")
    assert tok.convert_tokens_to_ids(IM_END) in model.generation_config.eos_token_id
    meta = json.loads((exported / "tunelab.json").read_text())
    assert meta["dtype"] == "float32" and meta["adapter"] == "<external>/adapter"  # helpers.paths.portable


def test_verify_merged_passes_for_the_export_and_fails_for_a_wrong_merge(tiny, exported):
    settings, adapter, root = tiny
    base, _ = models.load_base(settings)
    adapter_model = models.load_adapter(base, adapter, "sft")
    ok = export.verify_merged(adapter_model, exported, PROMPTS)
    assert ok.passed and ok.max_abs < 1e-4 and ok.atol == export.DEFAULT_ATOL["float32"]
    assert ok.adapter_effect > 100 * ok.max_abs  # the tolerance is small against the adapter
    assert "PASS" in str(ok)
    wrong, tok = export.load_variant(settings, adapter, "merged_original")
    bad = export.verify_merged(adapter_model, export.save_merged(wrong, tok, root / "bad"), PROMPTS)
    assert not bad.passed and bad.max_abs > bad.atol


def test_bf16_export_passes_its_default_tolerance(tiny):
    settings, adapter, root = tiny
    merged, tok = export.load_variant(settings, adapter, "merged_dequantized")
    out = export.save_merged(merged, tok, root / "bf16", dtype="bfloat16")
    base, _ = models.load_base(settings)
    result = export.verify_merged(models.load_adapter(base, adapter, "sft"), out, PROMPTS)
    assert result.dtype == "bfloat16" and result.atol == export.DEFAULT_ATOL["bfloat16"]
    assert result.passed and result.max_abs > 1e-4  # bf16 rounding is visible, and tolerated


def test_exported_folder_has_no_machine_paths(tiny, exported):
    root = tiny[2]
    markers = {str(root), str(REPO_ROOT), str(Path.home()), str(root.resolve())}
    for path in exported.iterdir():
        if path.suffix in (".json", ".jinja", ".md", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert not [m for m in markers if m in text], path.name
    config = json.loads((exported / "config.json").read_text())
    assert "_name_or_path" not in config or not Path(config["_name_or_path"]).is_absolute()


def test_tolerance_follows_the_adapters_compute_dtype(tiny, exported):
    """A GPU adapter model computes in fp16/bf16; the fp32 reload of its merge must not be held
    to fp32's tolerance, or verify_merged reports a failure that is none. On CPU: bf16."""
    settings, adapter, _ = tiny
    base, _ = models.load_base(replace(settings, dtype="bfloat16"))
    result = export.verify_merged(models.load_adapter(base, adapter, "sft"), exported, PROMPTS)
    assert result.passed, str(result)
    assert (result.dtype, result.adapter_dtype) == ("float32", "bfloat16")
    assert result.atol == export.DEFAULT_ATOL["bfloat16"] == export.default_atol("float32",
                                                                                  "bfloat16")
    assert result.max_abs > export.DEFAULT_ATOL["float32"]  # bf16 compute rounding is real
    assert export.default_atol("float16", "float32") == export.DEFAULT_ATOL["float16"]
