"""Run one BenchCase: load the model, train a few steps with the kit or TRL, measure.

`run_case` works in the calling process; `run_isolated` runs it in a fresh Python process
(`python -m helpers.bench.runner CASE.json OUT.json`), so peak memory belongs to that run alone
and no trainer inherits another's warm caches. Both trainers get the same base model (loaded
by helpers.models.load_base), the same LoRA config, the same records and the same settings.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers.bench.flops import flops_per_token, measured_cpu_peak
from helpers.bench.grid import BenchCase, bench_records
from helpers.bench.measure import StepLog, TokenCounter, memory_now, step_timer
from helpers.config import LoraSettings, TrainSettings
from helpers.memory import load_arch
from helpers.paths import DATA_DIR, REPO_ROOT

MICRO_DIR = DATA_DIR / "models" / "micro-llama"


class BenchModelNotFoundError(FileNotFoundError):
    """The model a case names is not here; the message says how to get it."""


def prepare_model(name: str, workdir: Path) -> Path:
    """Folder to load for a case's model: "micro" (the bundled model), a model folder path, or
    the name of a data/configs architecture, built once with random weights into `workdir`
    (speed and memory do not depend on the weight values) with the micro tokenizer beside it."""
    if name != "micro" and (Path(name) / "config.json").exists():
        return Path(name)
    if not (MICRO_DIR / "config.json").exists():
        raise BenchModelNotFoundError(
            f"{MICRO_DIR} has no config.json: build the micro model first "
            "(python -m helpers.build.micro pretrain --out data/models/micro-llama).")
    if name == "micro":
        return MICRO_DIR
    config_dir = DATA_DIR / "configs" / name
    if not (config_dir / "config.json").exists():
        known = sorted(p.name for p in (DATA_DIR / "configs").iterdir() if p.is_dir())
        raise BenchModelNotFoundError(
            f"model {name!r} is neither 'micro', a model folder, nor one of data/configs: {known}")
    out = workdir / f"random-{name}"
    if not (out / "config.json").exists():
        _save_random_model(config_dir, out)
    return out


def _save_random_model(config_dir: Path, out: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(MICRO_DIR)
    config = AutoConfig.from_pretrained(config_dir)
    config.pad_token_id, config.eos_token_id = tok.pad_token_id, tok.eos_token_id
    config.bos_token_id = tok.bos_token_id
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with torch.device(device):  # initialising 1B+ weights on a CPU takes minutes
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.save_pretrained(out)
    tok.save_pretrained(out)


def _train_settings(case: BenchCase, out: Path) -> TrainSettings:
    return TrainSettings(
        output_dir=str(out), max_steps=case.warmup_steps + case.measure_steps,
        batch_size=case.batch_size, max_length=case.seq_len, eval_steps=0, save_steps=10**6,
        logging_steps=10, seed=0, resume=False, gradient_checkpointing=case.gradient_checkpointing,
        packing=case.mode == "packed", group_by_length=case.mode == "grouped")


def _run_kit(case, model, tok, records, out: Path) -> tuple[StepLog, dict]:
    from helpers import models, train

    lora = LoraSettings(r=case.lora_r, alpha=2 * case.lora_r)
    model = models.attach_lora(model, tok, lora, gradient_checkpointing=case.gradient_checkpointing)
    log, counter = StepLog(), TokenCounter(model, tok.pad_token_id)
    result = train.train(model, tok, records, None, _train_settings(case, out),
                         callbacks=[step_timer(log, counter)])
    return log, {"model": model, "final_loss": result.final_train_loss}


def _trl_config(case: BenchCase, model, out: Path):
    """SFTConfig defaults, except what must match the kit's case (listed in TRL_OVERRIDES)."""
    import torch
    from trl import SFTConfig

    from helpers.train import compute_dtype_of

    on_cuda, dtype = torch.cuda.is_available(), compute_dtype_of(model)
    return SFTConfig(
        output_dir=str(out), max_steps=case.warmup_steps + case.measure_steps,
        per_device_train_batch_size=case.batch_size, max_length=case.seq_len,
        assistant_only_loss=True, gradient_checkpointing=case.gradient_checkpointing,
        bf16=on_cuda and dtype == torch.bfloat16, fp16=on_cuda and dtype == torch.float16,
        use_cpu=not on_cuda, report_to="none", save_strategy="no", seed=0)


TRL_OVERRIDES = ("max_steps", "per_device_train_batch_size", "max_length",
                 "assistant_only_loss=True (the kit's completion-only labels)",
                 "gradient_checkpointing (matched per case; TRL's default is on)",
                 "bf16/fp16 (the kit's dtype rule; TRL's default bf16=True would autocast a CPU)",
                 "use_cpu", "report_to=none", "save_strategy=no", "seed=0",
                 ("peft_config = the kit's LoRA (r, alpha, dropout, all-linear) without the "
                  "trained chat-token embedding rows: TRL 1.16's default fused lm_head loss reads "
                  "lm_head.bias, which peft's TrainableTokensWrapper (tied embeddings) lacks"))


def _run_trl(case, model, tok, records, out: Path) -> tuple[StepLog, dict]:
    from datasets import Dataset
    from trl import SFTTrainer

    from helpers import models

    lora = LoraSettings(r=case.lora_r, alpha=2 * case.lora_r)
    trainer = SFTTrainer(
        model=model, args=_trl_config(case, model, out), processing_class=tok,
        train_dataset=Dataset.from_list([{"messages": r["messages"]} for r in records]),
        peft_config=models.lora_config(lora))  # no chat-token rows: see TRL_OVERRIDES
    log, counter = StepLog(), TokenCounter(trainer.model, tok.pad_token_id)
    trainer.add_callback(step_timer(log, counter))
    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return log, {"model": trainer.model, "final_loss": losses[-1] if losses else None}


def run_case(case: BenchCase, workdir: Path, records: list[dict] | None = None) -> dict:
    """Train `case` in this process and return its measurements (see helpers.bench.results_file).

    `records` replaces the case's bundled records (helpers.bench.seqfit passes long chats)."""
    import torch

    from helpers import models
    from helpers.config import ModelSettings

    if case.threads:
        torch.set_num_threads(case.threads)
    # A CPU's matmul peak is measured in every case's process (the best of all of them is the
    # MFU denominator): one measurement taken while other processes run would be too low.
    cpu_peak = None if torch.cuda.is_available() else measured_cpu_peak(0.5).flops
    path = prepare_model(case.model, workdir)
    model, tok = models.load_base(ModelSettings(model=str(path), quant=case.quant))
    records = records if records is not None else bench_records(case.n_records)
    out = Path(tempfile.mkdtemp(dir=workdir, prefix="run-"))
    runner = _run_kit if case.runner == "kit" else _run_trl
    log, info = runner(case, model, tok, records, out)
    trainable, _ = models.count_parameters(info["model"])
    span = attention_span(tok, records, case.seq_len)
    return {**case.to_dict(), **log.summary(case.warmup_steps),
            **_memory_fields(memory_now(), log.memory_at_start),
            "trainable_params": trainable, "final_loss": info["final_loss"],
            "attention_span": span,
            "flops_per_token": flops_per_token(load_arch(path), trainable, seq=span),
            "model_device": str(next(info["model"].parameters()).device),
            "cpu_matmul_flops": cpu_peak,
            "torch_threads": torch.get_num_threads()}


def attention_span(tok, records: list[dict], max_length: int) -> float:
    """Σn²/Σn over the encoded examples: the mean context a trained token attends over."""
    from helpers.chat import ChatEncodingConfig, encode_records

    data = encode_records(tok, records, ChatEncodingConfig(max_length=max_length))
    lengths = [len(e["input_ids"]) for e in data.examples]
    return sum(n * n for n in lengths) / max(1, sum(lengths))


def _memory_fields(now: dict, start: dict) -> dict:
    """Peak memory of training: CUDA allocated on a GPU, process RSS on a CPU."""
    if "cuda_max_allocated" in now:
        return {"memory_kind": "cuda_max_allocated", "peak_memory_bytes": now["cuda_max_allocated"],
                "train_memory_bytes": now["cuda_max_allocated"] - start["cuda_max_allocated"],
                "cuda_max_reserved_bytes": now["cuda_max_reserved"]}
    # Linux batches each thread's RSS counter (up to 64 pages), so when training adds almost
    # nothing over the start, VmHWM can read a few hundred KB *below* the start RSS (measured:
    # -196 KB on the micro model). Below zero means "no measurable growth": report 0.
    return {"memory_kind": "peak_rss", "peak_memory_bytes": now["peak_rss"],
            "train_memory_bytes": max(0, now["peak_rss"] - start["rss"])}


def run_isolated(case: BenchCase, workdir: Path, timeout: int = 3600) -> dict:
    """`run_case` in a fresh Python process; a failure comes back as {"error": ...}."""
    case_file, out_file = workdir / "case.json", workdir / "result.json"
    case_file.write_text(json.dumps(case.to_dict()))
    out_file.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, "-m", "helpers.bench.runner", str(case_file),
                           str(out_file), str(workdir)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if proc.returncode != 0 or not out_file.exists():
        return {**case.to_dict(), "error": proc.stderr.strip()[-2000:] or f"exit {proc.returncode}"}
    return json.loads(out_file.read_text())


def main(argv: list[str] | None = None) -> int:
    case_file, out_file, workdir = (argv or sys.argv[1:])[:3]
    case = BenchCase.from_dict(json.loads(Path(case_file).read_text()))
    result = run_case(case, Path(workdir))
    Path(out_file).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
