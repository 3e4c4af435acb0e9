"""What the benchmark runs: one BenchCase per (model, trainer, batching, checkpointing) cell.

Every kit case has a TRL reference with the same model, quantization, data, batch size, sequence
length, checkpointing and device; the report divides by it. Grids:

- cpu: the bundled micro model, QLoRA (the kit's CPU default) and LoRA, batch 8, max_length 256.
- gpu: the micro model plus real architectures from data/configs with random weights (speed and
  memory do not depend on the weights), QLoRA, batch 16, max_length 1024.
- quick (CI): the cpu grid cut to QLoRA padded/packed vs TRL, checkpointing off, 3 steps.

Each run draws exactly the examples it trains on (one epoch), so all batchings see the same
examples. Length grouping (transformers' LengthGroupedSampler) puts the longest batch first,
inside the untimed warm-up, so its timed steps are a little shorter on average than the others'.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, replace

KIT_MODES = ("padded", "grouped", "packed")  # kit batching: ChatCollator, +LengthGrouped, Packed
GPU_MODELS = ("micro", "SmolLM2-135M", "SmolLM2-360M", "Qwen2.5-0.5B", "Llama-3.2-1B")


class BenchConfigError(ValueError):
    """A grid or case was asked for that does not exist; the message lists what does."""


@dataclass(frozen=True)
class BenchCase:
    """One benchmark run."""

    model: str  # "micro" (data/models/micro-llama) or a folder of data/configs (random weights)
    runner: str  # "kit" (helpers.train) or "trl" (TRL SFTTrainer, the reference)
    mode: str  # kit: "padded" | "grouped" | "packed"; trl: "default" (its padded collator)
    gradient_checkpointing: bool  # recompute activations in backward (less memory, more time)
    quant: str = "4bit"  # "4bit" = QLoRA (the kit's default), "none" = LoRA on a 16/32-bit base
    batch_size: int = 8  # examples per optimizer step (one process)
    seq_len: int = 256  # max_length: longer examples are truncated (by both trainers)
    warmup_steps: int = 2  # steps run but not timed (allocator, kernels, caches warming up)
    measure_steps: int = 8  # steps timed
    records: int = 0  # examples drawn from the bundled data; 0 = exactly one epoch of the run
    #                   (batch_size × all steps), so every batching trains on the same examples
    lora_r: int = 16  # LoRA rank (alpha = 2r, all linear layers, as LoraSettings defaults)
    threads: int | None = None  # torch CPU threads; None = torch's default (all cores)

    @property
    def name(self) -> str:
        """e.g. "micro/qlora/kit-packed/gc-off" (unique within a grid)."""
        gc = "gc-on" if self.gradient_checkpointing else "gc-off"
        method = "qlora" if self.quant == "4bit" else "lora"
        return f"{self.model}/{method}/{self.runner}-{self.mode}/{gc}"

    @property
    def n_records(self) -> int:
        """Examples to draw: `records`, or one epoch of this run when records is 0."""
        return self.records or self.batch_size * (self.warmup_steps + self.measure_steps)

    def reference(self) -> BenchCase:
        """The TRL case this case is compared with (itself for a TRL case)."""
        return replace(self, runner="trl", mode="default")

    def to_dict(self) -> dict:
        return {"name": self.name, **asdict(self)}

    @classmethod
    def from_dict(cls, d: dict) -> BenchCase:
        return cls(**{k: v for k, v in d.items() if k != "name"})


def _cells(model: str, base: BenchCase, gcs=(False, True), modes=KIT_MODES) -> list[BenchCase]:
    out = []
    for gc in gcs:
        cell = replace(base, model=model, gradient_checkpointing=gc)
        out += [replace(cell, runner="kit", mode=m) for m in modes]
        out.append(cell.reference())
    return out


def cpu_grid(quick: bool = False) -> list[BenchCase]:
    """The micro model on this CPU: QLoRA (the kit's default) with 3 kit batchings + TRL,
    checkpointing off and on (8 cases), and LoRA on the fp32 base without checkpointing (4
    cases: what 4-bit costs on a CPU). Plus one real architecture (SmolLM2-135M, random weights,
    49k vocabulary: where the LM head and its logits matter), kit vs TRL, a few steps."""
    base = BenchCase("micro", "kit", "padded", False, warmup_steps=2, measure_steps=20)
    if quick:
        base = replace(base, warmup_steps=1, measure_steps=2)
        return _cells("micro", base, gcs=(False,), modes=("padded", "packed"))
    # 32 records: transformers' LengthGroupedSampler needs >= 4 mega-batches of 2+ batches to
    # group at all (with 20 it is a plain shuffle); padded = the same order as TRL.
    real = replace(base, batch_size=4, warmup_steps=1, measure_steps=7)
    return (_cells("micro", base) + _cells("micro", replace(base, quant="none"), gcs=(False,))
            + _cells("SmolLM2-135M", real, gcs=(True,), modes=("padded", "grouped")))


def gpu_grid(quick: bool = False, models: tuple[str, ...] = GPU_MODELS) -> list[BenchCase]:
    """Each model on the GPU: 8 cases per model (the cpu grid's cells), batch 16, length 1024."""
    base = BenchCase("micro", "kit", "padded", False, batch_size=16, seq_len=1024,
                     warmup_steps=5, measure_steps=30)
    if quick:
        base = replace(base, warmup_steps=2, measure_steps=5)
    return [case for m in models for case in _cells(m, base)]


def grid(name: str, quick: bool = False, models: tuple[str, ...] | None = None) -> list[BenchCase]:
    """The named grid ("cpu" or "gpu")."""
    if name == "cpu":
        return cpu_grid(quick)
    if name == "gpu":
        return gpu_grid(quick, models or GPU_MODELS)
    raise BenchConfigError(f"unknown grid {name!r}: use 'cpu' or 'gpu'.")


def bench_records(n: int, seed: int = 0) -> list[dict]:
    """`n` chat records drawn (seeded) from the bundled instruction and domain training sets:
    the mix of short task prompts and longer system-prompted support chats the kit trains on."""
    from helpers.bench.experiment.data import load_instructions
    from helpers.domain import load_split

    records = [{"messages": r["messages"]} for r in load_instructions("train") + load_split("train")]
    random.Random(seed).shuffle(records)
    return records[:n]
