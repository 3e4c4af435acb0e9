"""Calibrate helpers.memory against real peaks: `python -m helpers.bench.memory`.

On a CUDA GPU it builds each model of a small grid from the bundled configs (random weights;
real bitsandbytes NF4 layers and real peft LoRA), runs one warm-up step (so optimizer state
and cuBLAS workspaces exist, as in a real run), resets the peak counters, runs one measured
forward + backward + optimizer step, and compares `torch.cuda.max_memory_allocated` /
`max_memory_reserved` with the estimate. Results go to data/results/memory_calibration.json.

Without a GPU nothing is measured: the file gets status "not yet measured" (an existing
measured file is kept as it is) — never a pass that nobody observed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from helpers.device import package_versions
from helpers.io import write_json
from helpers.memory import CONFIGS_DIR, MemorySettings, estimate_memory, make_settings
from helpers.paths import RESULTS_DIR

CALIBRATION_FILE = RESULTS_DIR / "memory_calibration.json"
TOLERANCE = 0.10  # the estimate must be within +-10% of the measurement
NOT_MEASURED = "not yet measured"
MEASURED = "measured"

def _point(model: str, **settings: Any) -> tuple[str, dict[str, Any]]:
    """One grid point: a model folder under data/configs and the settings to run it with."""
    return model, settings


# Short sequences so the whole grid runs in a few minutes on one GPU.
GRID: tuple[tuple[str, dict[str, Any]], ...] = (
    _point("SmolLM2-135M", method="full", batch_size=4, max_length=256),
    _point("SmolLM2-135M", method="lora", batch_size=4, max_length=256),
    _point("SmolLM2-135M", method="qlora", batch_size=4, max_length=256),
    _point("SmolLM2-135M", method="qlora", batch_size=4, max_length=256, gradient_checkpointing=True),
    _point("SmolLM2-135M", method="full", batch_size=2, max_length=256, optim="adamw_8bit"),
    _point("SmolLM2-135M", method="full", batch_size=2, max_length=256, optim="paged_adamw_8bit"),
    _point("SmolLM2-135M", method="lora", batch_size=4, max_length=256, dtype="fp16"),
    _point("SmolLM2-135M", method="lora", batch_size=2, max_length=128, dtype="fp32"),
    _point("SmolLM2-360M", method="lora", batch_size=4, max_length=512),
    _point("SmolLM2-360M", method="lora", batch_size=4, max_length=512, gradient_checkpointing=True),
    _point("SmolLM2-360M", method="qlora", batch_size=4, max_length=512),
    _point("SmolLM2-360M", method="qlora", batch_size=4, max_length=512, gradient_checkpointing=True),
    _point("SmolLM2-360M", method="full", batch_size=2, max_length=256, gradient_checkpointing=True),
    _point("SmolLM2-360M", method="qlora", batch_size=4, max_length=512, prepare_kbit=True,
           gradient_checkpointing=True, optim="paged_adamw_8bit"),
    _point("Qwen2.5-0.5B", method="lora", batch_size=2, max_length=512),
    _point("Qwen2.5-0.5B", method="qlora", batch_size=2, max_length=512),
    _point("Qwen2.5-0.5B", method="qlora", batch_size=4, max_length=512, gradient_checkpointing=True,
           optim="paged_adamw_8bit", dropout=0.05),
    _point("Llama-3.2-1B", method="qlora", batch_size=2, max_length=512),
    _point("Llama-3.2-1B", method="qlora", batch_size=2, max_length=512, gradient_checkpointing=True),
    _point("Llama-3.2-1B", method="qlora", batch_size=2, max_length=512, prepare_kbit=True),
    _point("Llama-3.2-1B", method="lora", batch_size=1, max_length=512, r=64,
           target_modules=("q_proj", "v_proj")),
    # helpers.train's default: logits only before answer tokens (a third of a support chat)
    _point("Llama-3.2-1B", method="qlora", batch_size=2, max_length=512, logit_share=0.3),
    _point("SmolLM2-360M", method="qlora", batch_size=4, max_length=512, logit_share=0.3),
)


def torch_dtype(name: str) -> Any:
    """torch dtype for a settings dtype name."""
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


def build_model(config: dict[str, Any], s: MemorySettings, device: str, workdir: Path) -> Any:
    """A randomly initialised model set up for `s.method`, the way tunelab trains it."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, BitsAndBytesConfig

    cfg = AutoConfig.for_model(**config)
    dtype = torch_dtype(s.dtype)
    torch.manual_seed(0)
    if s.method == "full":  # fp32 master weights; autocast does the 16-bit compute
        model = AutoModelForCausalLM.from_config(
            cfg, dtype=torch.float32, attn_implementation="sdpa"
        )
        model.to(device)
    elif s.method == "lora":
        model = AutoModelForCausalLM.from_config(cfg, dtype=dtype, attn_implementation="sdpa").to(
            device
        )
    else:  # real NF4 layers need a from_pretrained load: save the random model, load it quantized
        AutoModelForCausalLM.from_config(cfg, dtype=dtype).save_pretrained(workdir)
        quant = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=dtype,
            bnb_4bit_use_double_quant=s.double_quant,
        )
        model = AutoModelForCausalLM.from_pretrained(
            workdir,
            quantization_config=quant,
            dtype=dtype,
            attn_implementation="sdpa",
            device_map={"": device},
        )
    if s.fp32_upcast:  # what helpers.models.attach_lora does for 4-bit models
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, s.gradient_checkpointing)
    elif s.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    if s.method != "full":
        from peft import LoraConfig, get_peft_model

        targets = "all-linear" if s.target_modules == "all-linear" else list(s.target_modules)
        lora = LoraConfig(
            r=s.r,
            lora_alpha=2 * s.r,
            target_modules=targets,
            lora_dropout=s.dropout,
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
    model.config.use_cache = False  # training never needs a KV cache
    return model.train()


def make_optimizer(model: Any, s: MemorySettings) -> Any:
    """The optimizer Trainer would build for `s.optim` (torch AdamW or bitsandbytes 8-bit)."""
    import torch

    trainable = [p for p in model.parameters() if p.requires_grad]
    if s.optim == "adamw":
        return torch.optim.AdamW(trainable, lr=1e-5, foreach=True)
    import bitsandbytes as bnb

    cls = bnb.optim.AdamW8bit if s.optim == "adamw_8bit" else bnb.optim.PagedAdamW8bit
    return cls(trainable, lr=1e-5)


def train_step(model: Any, opt: Any, ids: Any, s: MemorySettings, scaler: Any = None) -> float:
    """One Trainer-like step: autocast forward, backward (scaled for fp16), clip, step, zero.

    With s.logit_share < 1 the last share of each sequence is the "answer": logits only there,
    as helpers.train computes them (helpers.answer_logits)."""
    import torch

    device = ids.device.type
    with torch.autocast(device, dtype=torch_dtype(s.dtype), enabled=s.dtype != "fp32"):
        if s.logit_share < 1.0:
            loss = _answer_only_loss(model, ids, s)
        else:
            loss = model(input_ids=ids, labels=ids).loss  # keep only the loss: logits freed here
    (scaler.scale(loss) if scaler else loss).backward()
    if scaler:
        scaler.unscale_(opt)
    torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
    if scaler:
        scaler.step(opt)
        scaler.update()
    else:
        opt.step()
    opt.zero_grad(set_to_none=True)
    return float(loss.detach())


def _answer_only_loss(model: Any, ids: Any, s: MemorySettings) -> Any:
    from helpers.answer_logits import answer_only_forward
    from helpers.chat.encode import IGNORE_INDEX

    labels = ids.clone()
    labels[:, : ids.shape[1] - max(1, s.logit_tokens // ids.shape[0])] = IGNORE_INDEX
    return answer_only_forward(model, {"input_ids": ids}, labels)[0]


def measure(model_name: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """Measure one grid point on the current CUDA device and compare it with the estimate."""
    import torch

    config_path = CONFIGS_DIR / model_name / "config.json"
    s = make_settings(**overrides)
    config = json.loads(config_path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        model = build_model(config, s, "cuda", Path(tmp))
        opt = make_optimizer(model, s)
        scaler = torch.amp.GradScaler("cuda") if s.dtype == "fp16" else None
        ids = torch.randint(0, config["vocab_size"], (s.batch_size, s.max_length), device="cuda")
        train_step(model, opt, ids, s, scaler)  # warm-up: optimizer state, workspaces, autotuning
        torch.cuda.synchronize()
        static = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        train_step(model, opt, ids, s, scaler)
        torch.cuda.synchronize()
        allocated, reserved = torch.cuda.max_memory_allocated(), torch.cuda.max_memory_reserved()
        del model, opt, ids, scaler
    gc.collect()
    torch.cuda.empty_cache()
    row = _estimate_row(model_name, s)
    ratio_a = row["estimated_allocated"] / allocated
    ratio_r = row["estimated_reserved"] / reserved
    row.update(
        measured_allocated=allocated, measured_reserved=reserved, measured_static_allocated=static,
        ratio_allocated=round(ratio_a, 4), ratio_reserved=round(ratio_r, 4),
        within_tolerance=abs(ratio_a - 1) <= TOLERANCE and abs(ratio_r - 1) <= TOLERANCE,
    )
    return row


def _estimate_row(model_name: str, s: MemorySettings) -> dict[str, Any]:
    """The estimate in the terms PyTorch's allocator reports (paged optimizer state is outside)."""
    est = estimate_memory(CONFIGS_DIR / model_name / "config.json", s)
    allocated = est.peak_allocated - est.optimizer_paged
    static = est.weights + est.adapters + est.optimizer_state - est.optimizer_paged + est.runtime
    return {
        "model": model_name, "settings": _settings_dict(s),
        "estimated_allocated": allocated, "estimated_reserved": allocated + est.fragmentation,
        "estimated_static_allocated": static,
        "measured_allocated": None, "measured_reserved": None, "measured_static_allocated": None,
    }


def _measure_or_report(model_name: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """Measure one point; a failure (e.g. out of memory) is recorded, not fatal to the grid."""
    import torch

    try:
        row = measure(model_name, overrides)
    except (torch.cuda.OutOfMemoryError, RuntimeError, ValueError) as e:
        gc.collect()
        torch.cuda.empty_cache()
        row = _estimate_row(model_name, make_settings(**overrides))
        row.update(error=f"{type(e).__name__}: {e}"[:500], within_tolerance=False)
    ratios = f"{row.get('ratio_allocated', 'n/a')} / {row.get('ratio_reserved', 'n/a')}"
    print(f"{model_name:<14} {overrides} estimate/measured, allocated/reserved: {ratios}")
    return row


def _settings_dict(s: MemorySettings) -> dict[str, Any]:
    d = asdict(s)
    d["target_modules"] = (s.target_modules if isinstance(s.target_modules, str)
                           else list(s.target_modules))
    return d


def _versions() -> dict[str, str]:
    return package_versions(("torch", "transformers", "peft", "bitsandbytes"))


def not_measured_record() -> dict[str, Any]:
    """The calibration file's content when no GPU has measured anything yet (estimates only)."""
    rows = [_estimate_row(name, make_settings(**overrides)) for name, overrides in GRID]
    return {
        "status": NOT_MEASURED, "device": None, "versions": _versions(),
        "date": dt.date.today().isoformat(), "tolerance": TOLERANCE, "all_within_tolerance": None,
        "note": "No CUDA GPU was available: run `python -m helpers.bench.memory` on one.",
        "results": rows,
    }


def run(out: Path = CALIBRATION_FILE) -> dict[str, Any]:
    """Measure the grid on CUDA and write `out`; without CUDA write (or keep) an unmeasured file."""
    import torch

    if not torch.cuda.is_available():
        existing = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
        if existing.get("status") == MEASURED:
            print(f"No CUDA GPU here; keeping the measured results in {out}.")
            return existing
        record = not_measured_record()
        write_json(record, out)
        print(f"No CUDA GPU here; wrote status '{NOT_MEASURED}' with the estimates to {out}.")
        return record
    rows = [_measure_or_report(name, overrides) for name, overrides in GRID]
    record = {
        "status": MEASURED, "device": torch.cuda.get_device_name(0), "versions": _versions(),
        "date": dt.date.today().isoformat(), "tolerance": TOLERANCE,
        "all_within_tolerance": all(r["within_tolerance"] for r in rows), "results": rows,
    }
    write_json(record, out)
    print(f"All within +-{TOLERANCE:.0%}: {record['all_within_tolerance']}. Wrote {out}.")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=CALIBRATION_FILE, help="where to write the JSON results"
    )
    args = parser.parse_args(argv)
    run(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
