"""helpers.memory: exact parameter counts, component sanity, fit suggestions, errors, golden
values, a tensor-level check on CPU with real peft/bitsandbytes models, and the calibration file."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from helpers.memory import (
    CONFIGS_DIR,
    GIB,
    ModelConfigError,
    ModelConfigNotFoundError,
    NoGPUError,
    SettingsError,
    budget_dtype,
    count_parameters,
    estimate_memory,
    fit_check,
    fits,
    from_run,
    load_arch,
)

BUNDLED = ("SmolLM2-135M", "SmolLM2-360M", "Qwen2.5-0.5B", "Llama-3.2-1B", "Llama-3.1-8B")
# Totals the model cards publish (and transformers reports for the real checkpoints).
PUBLISHED_PARAMS = {
    "SmolLM2-135M": 134_515_008,
    "SmolLM2-360M": 361_821_120,
    "Qwen2.5-0.5B": 494_032_768,
    "Llama-3.2-1B": 1_235_814_400,
    "Llama-3.1-8B": 8_030_261_248,
}
SMOL360 = CONFIGS_DIR / "SmolLM2-360M" / "config.json"
TINY = {
    "model_type": "llama",
    "vocab_size": 2048,
    "hidden_size": 128,
    "intermediate_size": 352,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "tie_word_embeddings": True,
    "max_position_embeddings": 2048,
}


def _meta_count(config) -> int:
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):  # builds the real module tree without allocating any weights
        model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", BUNDLED)
def test_param_count_is_exact_for_bundled_configs(name):
    from transformers import AutoConfig

    cfg = AutoConfig.from_pretrained(CONFIGS_DIR / name)
    expected = _meta_count(cfg)
    assert expected == PUBLISHED_PARAMS[name]
    assert count_parameters(CONFIGS_DIR / name) == expected  # folder
    assert count_parameters(CONFIGS_DIR / name / "config.json") == expected  # file
    assert count_parameters(cfg) == expected  # transformers config object


@pytest.mark.parametrize(
    "variant",
    [
        {
            "model_type": "qwen3",
            "head_dim": 48,
            "attention_bias": True,
            "tie_word_embeddings": False,
        },
        {"model_type": "mistral", "tie_word_embeddings": False},
        {"model_type": "llama", "attention_bias": True, "mlp_bias": True, "num_key_value_heads": 1},
        {"model_type": "qwen2"},
    ],
)
def test_param_count_is_exact_for_architecture_variants(variant):
    from transformers import AutoConfig

    d = {**TINY, **variant}
    cfg = AutoConfig.for_model(**d)
    assert count_parameters(d) == _meta_count(cfg)


def test_components_are_sane():
    kw = {"batch_size": 4, "max_length": 512}
    full, lora, qlora = (
        estimate_memory(SMOL360, method=m, **kw) for m in ("full", "lora", "qlora")
    )
    assert qlora.weights < lora.weights < full.weights
    assert full.adapters == 0 < lora.adapters == qlora.adapters
    assert qlora.gradients == lora.gradients < full.gradients
    for method in ("full", "lora", "qlora"):
        off = estimate_memory(SMOL360, method=method, gradient_checkpointing=False, **kw)
        on = estimate_memory(SMOL360, method=method, gradient_checkpointing=True, **kw)
        assert on.activations < off.activations / 2 and on.total < off.total
    adam, adam8 = (
        estimate_memory(SMOL360, method="full", optim=o, **kw) for o in ("adamw", "adamw_8bit")
    )
    assert 3.5 < adam.optimizer_state / adam8.optimizer_state <= 4.0
    paged = estimate_memory(SMOL360, method="full", optim="paged_adamw_8bit", **kw)
    assert (
        paged.optimizer_state == adam8.optimizer_state
        and 0 < paged.optimizer_paged < paged.optimizer_state
    )


@pytest.mark.parametrize("method", ["full", "lora", "qlora"])
@pytest.mark.parametrize("ckpt", [False, True])
def test_estimate_grows_with_batch_and_sequence(method, ckpt):
    totals = [
        estimate_memory(
            SMOL360, method=method, gradient_checkpointing=ckpt, batch_size=b, max_length=256
        ).total
        for b in (1, 2, 3, 8, 32)
    ]
    assert totals == sorted(totals) and totals[0] < totals[-1]
    totals = [
        estimate_memory(
            SMOL360, method=method, gradient_checkpointing=ckpt, batch_size=2, max_length=n
        ).total
        for n in (64, 128, 512, 2048, 8192)
    ]
    assert totals == sorted(totals) and totals[0] < totals[-1]


def test_qlora_weights_count_nf4_blocks_and_keep_embeddings_16bit():
    arch = load_arch(SMOL360)
    e = estimate_memory(arch, method="qlora", double_quant=False)
    linear = arch.num_layers * arch.layer_linear_params()
    sixteen_bit = arch.total_params() - linear
    # 4 bits + one fp32 scale per 64 weights = 0.5625 bytes per quantized weight, plus small tables.
    assert e.weights == pytest.approx(0.5625 * linear + 2 * sixteen_bit, rel=1e-3)
    dq = estimate_memory(arch, method="qlora", double_quant=True)
    assert dq.weights < e.weights  # double quantization saves ~0.37 bit per weight
    assert e.weights - dq.weights == pytest.approx(linear * (0.5625 - 0.5 - 1 / 64), rel=0.03)


def test_prepare_kbit_upcasts_what_is_not_4bit():
    arch = load_arch(SMOL360)
    plain = estimate_memory(arch, method="qlora", batch_size=4, max_length=512)
    upcast = estimate_memory(arch, method="qlora", batch_size=4, max_length=512, prepare_kbit=True)
    not_4bit = arch.total_params() - arch.num_layers * arch.layer_linear_params()
    assert upcast.weights - plain.weights == 2 * not_4bit  # 16-bit -> fp32
    assert upcast.activations > plain.activations  # fp32 residual stream and MLP outputs
    lora = estimate_memory(arch, method="lora", batch_size=4, max_length=512)
    same = estimate_memory(arch, method="lora", batch_size=4, max_length=512, prepare_kbit=True)
    assert lora.rows() == same.rows()  # only QLoRA is affected


def test_golden_estimate_does_not_drift():
    """If the formula changes on purpose, update these numbers in the same commit and say why."""
    e = estimate_memory(
        SMOL360,
        method="qlora",
        dtype="bf16",
        batch_size=4,
        max_length=512,
        gradient_checkpointing=True,
    )
    golden = {
        "params": 361821120,
        "trainable_params": 8683520,
        "weights": 257019904,
        "weight_copies": 17367040,
        "adapters": 34734080,
        "gradients": 34734080,
        "optimizer_state": 69468160,
        "optimizer_paged": 0,
        "optimizer_temp": 34734080,
        "activations": 273590272,
        "logits": 1207959552,
        "overlap": 234448896,
        "runtime": 67108864,
        "fragmentation": 176226714,
        "cuda_context": 536870912,
    }
    assert {k: v for k, v in asdict(e).items() if k in golden} == golden
    assert e.total == 2475364762


def test_table_shows_every_component_in_gib():
    e = estimate_memory(SMOL360, method="qlora", batch_size=2, max_length=256)
    text, html = str(e), e._repr_html_()
    for label, value in e.rows():
        assert label in text and f"{value / GIB:.3f}" in text
    assert "<table>" in html and "total GPU memory needed" in html
    assert sum(v for label, v in e.rows()[:10]) == e.peak_allocated  # the rows add up


def test_fit_suggestions_are_consistent():
    report = fits(SMOL360, budget="t4", method="lora", batch_size=8, max_length=1024)
    s = report.estimate.settings
    b, n = report.max_batch_size, report.longest_max_length
    assert b >= 1 and n >= 64 and n % 64 == 0
    assert estimate_memory(SMOL360, s, batch_size=b).total <= report.budget
    assert estimate_memory(SMOL360, s, batch_size=b + 1).total > report.budget
    assert estimate_memory(SMOL360, s, max_length=n).total <= report.budget
    assert estimate_memory(SMOL360, s, max_length=n + 64).total > report.budget
    assert report.fits == (b >= s.batch_size) == bool(report)
    assert report.margin == report.budget - report.estimate.total


def test_switches_make_a_non_fitting_config_fit():
    llama8b = CONFIGS_DIR / "Llama-3.1-8B"
    report = fits(llama8b, budget="t4", method="lora", batch_size=1, max_length=512)
    assert not report.fits and report.switches
    for switch in report.switches:
        assert estimate_memory(llama8b, report.estimate.settings, **switch).total <= report.budget
    assert all(
        "method" in sw for sw in report.switches
    )  # 16 GB of 16-bit weights: only 4-bit helps
    assert "does NOT fit" in str(report) and "method='qlora'" in str(report)
    hopeless = fits(llama8b, budget=4 * GIB, method="full", batch_size=64, max_length=4096)
    assert (
        hopeless.switches == () and hopeless.max_batch_size == 0 and "bigger GPU" in str(hopeless)
    )


def test_suggestions_say_when_a_limit_is_not_memory():
    report = fits(TINY, budget=80 * GIB, method="qlora", batch_size=2, max_length=64)
    assert report.longest_max_length == TINY["max_position_embeddings"]
    assert report.max_batch_size == report.batch_limit
    assert "max_position_embeddings, not memory" in str(report) and "search limit" in str(report)


def test_fit_check_reads_the_run_config():
    """fit_check(RunConfig) = fits() with the run's own values, named as in helpers.config."""
    from helpers.config import preset, with_overrides

    run = with_overrides(preset("t4"), lora={"r": 32, "dropout": 0.1},
                         train={"batch_size": 4, "max_length": 384, "optim": "adamw_8bit"})
    s = fit_check(run, SMOL360, budget="t4").estimate.settings
    assert (s.method, s.batch_size, s.max_length, s.gradient_checkpointing, s.optim) == (
        "qlora", 4, 384, True, "adamw_8bit")
    assert (s.r, s.dropout, s.target_modules, s.dtype, s.prepare_kbit) == (
        32, 0.1, "all-linear", "fp16", True)  # "auto" dtype on a T4 is fp16; kit's QLoRA upcasts
    by_hand = fits(SMOL360, budget="t4", settings=s)
    assert fit_check(run, SMOL360, budget="t4").estimate == by_hand.estimate
    on_24gb = from_run(preset("24gb"), dtype=budget_dtype("24gb"))
    assert (on_24gb.dtype, on_24gb.optim, on_24gb.max_length) == ("bf16", "paged_adamw_8bit", 1024)
    full_precision = from_run(with_overrides(run, model={"quant": "none", "dtype": "fp32"}))
    assert (full_precision.method, full_precision.dtype, full_precision.prepare_kbit) == (
        "lora", "fp32", False)
    shorter = fit_check(run, SMOL360, budget="t4", max_length=128, logit_share=0.5)
    assert shorter.estimate.settings.max_length == 128
    assert shorter.estimate.settings.logit_share == 0.5


def test_one_class_is_named_train_settings():
    import helpers.memory as memory

    assert not hasattr(memory, "TrainSettings") and memory.MemorySettings


def test_budgets():
    assert fits(SMOL360, budget="t4").budget == 15 * GIB
    assert fits(SMOL360, budget="24gb").budget > 20 * GIB
    assert fits(SMOL360, budget=8 * GIB).budget == 8 * GIB
    with pytest.raises(SettingsError, match="budget"):
        fits(SMOL360, budget="a100")


def test_current_budget_without_gpu_says_so():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(NoGPUError, match="no|none"):
        fits(SMOL360, budget="current")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"method": "prefix-tuning"}, "method"),
        ({"batch_size": 0}, "batch_size"),
        ({"max_length": -5}, "max_length"),
        ({"optim": "sgd"}, "optim"),
        ({"dtype": "int8"}, "dtype"),
        ({"target_modules": ("q_proj", "qkv")}, "target_modules"),
        ({"dropout": 1.5}, "dropout"),
        ({"logit_share": 0.0}, "logit_share"),
        ({"batchsize": 4}, "batchsize"),
    ],
)
def test_bad_settings_name_the_field(kwargs, field):
    with pytest.raises(SettingsError, match=field):
        estimate_memory(SMOL360, **kwargs)


def test_bad_configs_name_the_field(tmp_path):
    broken = {k: v for k, v in TINY.items() if k != "intermediate_size"}
    with pytest.raises(ModelConfigError, match="intermediate_size"):
        estimate_memory(broken)
    with pytest.raises(ModelConfigError, match="num_attention_heads"):
        count_parameters({**TINY, "num_attention_heads": 0})
    with pytest.raises(ModelConfigNotFoundError, match="config.json"):
        count_parameters(tmp_path)
    bad_json = tmp_path / "config.json"
    bad_json.write_text('{"vocab_size": 10,\n "hidden_size": }')
    with pytest.raises(ModelConfigError, match=r"config.json:2"):
        count_parameters(bad_json)


def test_unknown_model_type_warns_but_estimates():
    with pytest.warns(UserWarning, match="gpt_neox"):
        arch = load_arch({**TINY, "model_type": "gpt_neox"})
    assert not arch.exact and arch.total_params() > 0


# --- Tensor-level check on CPU: the same real model code (transformers, peft, bitsandbytes NF4)
# runs one training step under torch's MemTracker, which records every tensor's bytes. This checks
# the formula's moving parts (activations, logits, gradients, optimizer temporaries) without a GPU;
# the CUDA-only constants (context, cuBLAS workspace, allocator overhead) are calibrated by
# `python -m helpers.bench.memory`.


def _tracked_dynamic_peak(config: dict, settings, tmp_path: Path) -> int:
    torch = pytest.importorskip("torch")
    mem_tracker = pytest.importorskip("torch.distributed._tools.mem_tracker")
    from helpers.bench.memory import build_model, make_optimizer, train_step

    class Tracker(mem_tracker.MemTracker):  # frozen base weights cannot take gradient hooks
        def _track_module_params_and_buffers(self, module, install_grad_hooks=True):
            return super()._track_module_params_and_buffers(module, install_grad_hooks=False)

    torch.set_num_threads(min(2, torch.get_num_threads()))  # the build machines are shared
    torch.manual_seed(0)
    model = build_model(config, settings, "cpu", tmp_path)
    opt = make_optimizer(model, settings)
    ids = torch.randint(0, config["vocab_size"], (settings.batch_size, settings.max_length))
    train_step(model, opt, ids, settings)  # warm-up: optimizer state exists, as in a real run
    tracker = Tracker()
    tracker.track_external(model, opt)
    with tracker:
        before = tracker.get_tracker_snapshot("current")[torch.device("cpu")]["Total"]
        train_step(model, opt, ids, settings)
        peak = tracker.get_tracker_snapshot("peak")[torch.device("cpu")]["Total"]
    return peak - before


@pytest.mark.parametrize(
    "config, overrides",
    [
        (TINY, {"method": "full", "max_length": 128}),
        (TINY, {"method": "qlora", "max_length": 128}),
        (
            {**TINY, "model_type": "qwen2", "tie_word_embeddings": False, "vocab_size": 512},
            {
                "method": "lora",
                "max_length": 256,
                "gradient_checkpointing": True,
                "target_modules": ("q_proj", "v_proj", "down_proj"),
            },
        ),
        ({**TINY, "vocab_size": 512}, {"method": "lora", "max_length": 128, "dtype": "fp32"}),
        (
            {**TINY, "vocab_size": 512},
            {"method": "qlora", "max_length": 256, "prepare_kbit": True,
             "gradient_checkpointing": True},
        ),
        # helpers.train's answer-only logits, on a vocabulary big enough for logits to dominate
        ({**TINY, "vocab_size": 8192}, {"method": "qlora", "max_length": 128, "logit_share": 0.25}),
    ],
)
def test_dynamic_memory_matches_tracked_tensors_on_cpu(config, overrides, tmp_path):
    from helpers.memory import make_settings

    s = make_settings(batch_size=2, **overrides)
    est = estimate_memory(config, s)
    est_dynamic = (
        est.peak_allocated - est.runtime - est.weights - est.adapters - est.optimizer_state
    )
    measured = _tracked_dynamic_peak(config, s, tmp_path)
    assert est_dynamic == pytest.approx(measured, rel=0.05)


# --- The committed calibration file: measured on a named GPU, or honestly not measured yet.


def test_calibration_file_is_measured_or_honestly_not():
    from helpers.bench.memory import CALIBRATION_FILE, MEASURED, NOT_MEASURED

    record = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert record["status"] in (MEASURED, NOT_MEASURED)
    assert record["results"] and record["versions"]["torch"]
    if record["status"] == NOT_MEASURED:
        assert record["device"] is None and record["all_within_tolerance"] is None
        assert all(r["measured_allocated"] is None for r in record["results"])
    else:
        assert record["device"]
        assert all(isinstance(r["measured_allocated"], int) for r in record["results"])
        assert record["all_within_tolerance"] == all(
            r["within_tolerance"] for r in record["results"]
        )


def test_bench_without_gpu_writes_not_measured_and_keeps_measured(tmp_path):
    import torch

    from helpers.bench.memory import MEASURED, NOT_MEASURED, run

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: the bench would measure")
    out = tmp_path / "calibration.json"
    record = run(out)
    assert record["status"] == NOT_MEASURED == json.loads(out.read_text())["status"]
    out.write_text(json.dumps({"status": MEASURED, "device": "some GPU", "results": [1]}))
    assert run(out)["status"] == MEASURED  # a GPU's measurement is never overwritten from a CPU
    assert json.loads(out.read_text())["device"] == "some GPU"
