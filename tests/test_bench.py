"""helpers.bench: the reduced CPU benchmark runs end to end (kit vs TRL SFTTrainer on the micro
model) and writes results with the documented schema; the committed results name their hardware;
the FLOPs/MFU arithmetic and the grid are what the docs say."""

from __future__ import annotations

import json

import pytest

from helpers.bench import results_file
from helpers.bench.flops import Peak, flops_per_token, gpu_peak, matmul_params, mfu
from helpers.bench.grid import BenchConfigError, cpu_grid, gpu_grid, grid
from helpers.paths import DATA_DIR

MICRO = DATA_DIR / "models" / "micro-llama"
COMMITTED = DATA_DIR / "results" / "bench" / "cpu.json"


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    if not (MICRO / "config.json").exists():
        pytest.skip("micro model not built (data/models/micro-llama)")
    from helpers.bench.__main__ import run

    out = tmp_path_factory.mktemp("bench")
    results = run("cpu", quick=True, out_dir=out, log=lambda *_: None)
    return results, out


@pytest.mark.slow
def test_quick_benchmark_writes_valid_json_and_markdown(quick_results):
    results, out = quick_results
    on_disk = json.loads((out / "cpu-quick.json").read_text())
    results_file.validate(on_disk)
    assert on_disk["cases"] == json.loads(json.dumps(results["cases"]))
    assert [c["name"] for c in results["cases"]] == [c.name for c in cpu_grid(quick=True)]
    assert not [c["error"] for c in results["cases"] if "error" in c]
    md = (out / "cpu-quick.md").read_text()
    assert "| model | method | trainer |" in md and results["hardware"]["name"] in md
    assert results["versions"]["trl"] != "missing"


@pytest.mark.slow
def test_quick_benchmark_compares_like_with_like(quick_results):
    """Both trainers saw the same examples in the same order (same sampler seed), so every row
    trained on exactly the same number of non-pad tokens; the kit rows carry ratios to TRL."""
    cases = quick_results[0]["cases"]
    assert len({c["tokens"] for c in cases}) == 1 and cases[0]["tokens"] > 0
    share = {c["mode"]: c["real_token_share"] for c in cases}
    assert 0 < share["padded"] < share["packed"] <= 1  # packing computes on fewer pads
    assert share["default"] == pytest.approx(share["padded"])  # TRL pads like the kit
    for c in cases:
        assert c["peak_memory_bytes"] > c["train_memory_bytes"] >= 0
        assert 0 < c["mfu"] < 1
        if c["runner"] == "kit":
            assert c["vs_trl"]["reference"] == "micro/qlora/trl-default/gc-off"
            assert c["vs_trl"]["tokens_per_s"] > 0 and c["vs_trl"]["peak_memory"] > 0
        else:
            assert c["vs_trl"] is None


def test_committed_cpu_results_have_schema_and_name_their_hardware():
    results = json.loads(COMMITTED.read_text())
    results_file.validate(results)
    assert results["grid"] == "cpu" and results["quick"] is False
    assert results["hardware"]["device"] == "cpu" and results["hardware"]["cpu_count"] >= 1
    assert len(results["hardware"]["load_average_before"]) == 3
    assert {c["name"] for c in results["cases"]} >= {c.name for c in cpu_grid()}
    kit = [c for c in results["cases"] if c["runner"] == "kit" and "error" not in c]
    assert kit and all(c["vs_trl"]["tokens_per_s"] > 0 for c in kit)
    assert (COMMITTED.with_suffix(".md")).exists()


def test_validate_names_the_missing_field():
    bad = {"schema": results_file.SCHEMA, "grid": "cpu", "quick": True, "date": "x",
           "hardware": {"device": "cpu", "name": "X"}, "versions": {}, "peak": {},
           "flops_formula": "", "cases": [{"name": "m/kit-padded/gc-off"}]}
    with pytest.raises(results_file.BenchSchemaError, match="cases\\[0\\] lacks field 'model'"):
        results_file.validate(bad)
    with pytest.raises(results_file.BenchSchemaError, match="name the device"):
        results_file.validate({**bad, "hardware": {"device": "cpu", "name": ""}})


def test_flops_formula_on_the_micro_architecture():
    from helpers.memory import load_arch

    arch = load_arch({"vocab_size": 2304, "hidden_size": 256, "intermediate_size": 768,
                      "num_hidden_layers": 6, "num_attention_heads": 8,
                      "num_key_value_heads": 4, "tie_word_embeddings": True})
    per_block = 256 * 256 * 2 + 256 * 128 * 2 + 3 * 256 * 768  # q,o + k,v (GQA) + MLP
    assert matmul_params(arch) == 6 * per_block + 2304 * 256
    n = matmul_params(arch)
    assert flops_per_token(arch, 1000) == 4 * n + 6000
    assert flops_per_token(arch, 0, full=True, seq=100) == 6 * n + 12 * 6 * 256 * 100


def test_peak_table_and_mfu():
    assert gpu_peak("NVIDIA H100 80GB HBM3").flops == 989e12
    assert gpu_peak("NVIDIA H100 PCIe").flops == 756e12
    assert gpu_peak("NVIDIA L40S").flops == 362e12  # not mistaken for an L4
    assert gpu_peak("Tesla T4").flops == 65e12
    unknown = gpu_peak("Some Future GPU")
    assert unknown.flops is None and "PEAK_TFLOPS" in unknown.source
    assert mfu(1000.0, 1e9, Peak(1e13, "x")) == pytest.approx(0.1)
    assert mfu(1000.0, 1e9, unknown) is None


def test_grids_pair_every_kit_case_with_a_trl_reference():
    for cases in (cpu_grid(), cpu_grid(quick=True), gpu_grid()):
        names = [c.name for c in cases]
        assert len(names) == len(set(names))
        for c in cases:
            assert c.reference().name in names
    assert len(cpu_grid()) == 15  # micro: 8 QLoRA + 4 LoRA; SmolLM2-135M: 2 kit + TRL
    assert {c.model for c in cpu_grid()} == {"micro", "SmolLM2-135M"}
    assert {c.mode for c in cpu_grid() if c.runner == "kit"} == {"padded", "grouped", "packed"}
    assert {c.gradient_checkpointing for c in cpu_grid()} == {False, True}
    with pytest.raises(BenchConfigError, match="unknown grid"):
        grid("tpu")


def test_qlora_keeps_its_compute_dtype_for_autocast():
    """GPU speed depends on it: after prepare_model_for_kbit_training the peft model reads
    float32, but training must still autocast to the bf16 the 4-bit base was loaded with."""
    if not (MICRO / "config.json").exists():
        pytest.skip("micro model not built (data/models/micro-llama)")
    import torch

    from helpers import models
    from helpers.config import LoraSettings, ModelSettings
    from helpers.train import compute_dtype_of

    base, tok = models.load_base(ModelSettings(model=str(MICRO), quant="4bit", dtype="bfloat16"))
    model = models.attach_lora(base, tok, LoraSettings(r=4, alpha=8))
    assert model.dtype == torch.float32  # what helpers.train used to pass to TrainingArguments
    assert compute_dtype_of(model) == torch.bfloat16
    base, tok = models.load_base(ModelSettings(model=str(MICRO), quant="none", dtype="float32"))
    assert compute_dtype_of(models.attach_lora(base, tok, LoraSettings(r=4, alpha=8))) == torch.float32


def test_ratios_to_same_cell_and_to_trl_defaults():
    from dataclasses import replace

    from helpers.bench.grid import BenchCase

    kit = BenchCase("m", "kit", "packed", False)
    rows = []
    for case, tps, mem in ((kit, 300.0, 100), (kit.reference(), 200.0, 200),
                           (replace(kit.reference(), gradient_checkpointing=True), 150.0, 50)):
        rows.append({**case.to_dict(), "tokens_per_s": tps, "peak_memory_bytes": mem,
                     "train_memory_bytes": mem // 2, "flops_per_token": 1e6})
    results_file.add_comparisons(rows, {"flops": 1e10, "source": "test"})
    assert rows[0]["vs_trl"]["tokens_per_s"] == pytest.approx(1.5)
    assert rows[0]["vs_trl"]["peak_memory"] == pytest.approx(0.5)
    assert rows[0]["vs_trl_default"]["tokens_per_s"] == pytest.approx(2.0)
    assert rows[0]["vs_trl_default"]["reference"] == "m/qlora/trl-default/gc-on"
    assert rows[1]["vs_trl"] is None and rows[0]["mfu"] == pytest.approx(0.03)


def test_cpu_training_memory_is_never_negative():
    """VmHWM lags the start RSS by a few hundred KB when training adds nothing (Linux batches
    per-thread RSS counters): that is no growth, not negative memory (it failed a CI run)."""
    from helpers.bench.runner import _memory_fields

    fields = _memory_fields({"peak_rss": 1_000_000, "rss": 990_000}, {"rss": 1_200_704})
    assert fields["train_memory_bytes"] == 0 and fields["peak_memory_bytes"] == 1_000_000
    grown = _memory_fields({"peak_rss": 3_000_000, "rss": 2_000_000}, {"rss": 1_000_000})
    assert grown["train_memory_bytes"] == 2_000_000
