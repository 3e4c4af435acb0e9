"""Train the four adapters of one seed (it, hybrid, replay, sft) and evaluate them on one base.

Every variant trains a fresh LoRA adapter on the same 4-bit NF4 base (real QLoRA), except the
hybrid and the replay variant, which start from the IT adapter's weights
(helpers.models.branch_adapter). Adapters
are saved and then loaded by name onto ONE base for evaluation, the way notebook 06 compares
them — so what is evaluated is exactly what a reload from disk gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from helpers.bench.experiment.config import ExperimentConfig
from helpers.bench.experiment.data import mix_records
from helpers.config import LoraSettings, ModelSettings, TrainSettings, preset


@dataclass
class TrainingData:
    """The training records every seed uses."""

    instructions: list[dict]  # data/instructions/train.jsonl
    domain: list[dict]  # data/domain/train.jsonl


@dataclass
class TrainedRun:
    """One trained adapter."""

    variant: str  # it / hybrid / replay / sft
    seed: int  # adapter init and data-order seed
    adapter_dir: Path  # where save_adapter wrote it (a temporary folder in the experiment)
    steps: int  # optimizer steps done
    seconds: float  # wall time of the training call
    final_train_loss: float | None  # last logged training loss
    train_examples: int  # records in its training set
    history: list[dict] = field(default_factory=list)  # helpers.train history (loss per step)

    def summary(self) -> dict:
        """JSON-ready record of the run (history kept: it is small and feeds the loss plot)."""
        return {"variant": self.variant, "seed": self.seed, "steps": self.steps,
                "seconds": round(self.seconds, 1), "final_train_loss": self.final_train_loss,
                "train_examples": self.train_examples,
                "history": [{k: h[k] for k in ("step", "loss") if k in h}
                            for h in self.history if "loss" in h]}


VARIANT_ORDER = ("it", "sft", "hybrid", "replay")  # column order of tables and the showcase


def train_settings(cfg: ExperimentConfig, steps: int, seed: int, out_dir: Path,
                   learning_rate: float) -> TrainSettings:
    """The cpu preset with this experiment's steps, batch and seed, the given peak LR (IT and
    domain SFT differ; a sweep point brings its own); one checkpoint only."""
    return replace(preset("cpu").train, output_dir=str(out_dir), max_steps=steps,
                   batch_size=cfg.batch_size, learning_rate=learning_rate,
                   max_length=cfg.max_length, eval_steps=0, save_steps=steps, save_total_limit=1,
                   logging_steps=cfg.logging_steps, seed=seed, resume=False)


def model_settings(cfg: ExperimentConfig) -> ModelSettings:
    return ModelSettings(model=cfg.model, quant="4bit")


def _fresh(cfg: ExperimentConfig, name: str, seed: int):
    from helpers.models import attach_lora, load_base

    model, tok = load_base(model_settings(cfg))
    lora = LoraSettings(r=cfg.lora_r, alpha=2 * cfg.lora_r,
                        train_untrained_tokens=cfg.train_untrained_tokens)
    return attach_lora(model, tok, lora, name=name, seed=seed), tok


def _fit(model, tok, variant: str, records: list[dict], steps: int, cfg: ExperimentConfig,
         seed: int, workdir: Path) -> TrainedRun:
    from helpers.models import save_adapter
    from helpers.train import train

    run_dir = workdir / f"seed{seed}" / variant
    lr = cfg.learning_rate if variant == "it" else cfg.sft_learning_rate
    result = train(model, tok, records, None,
                   train_settings(cfg, steps, seed, run_dir / "trainer", lr))
    out = save_adapter(model, tok, run_dir / "adapter", variant,
                       {"stage": variant, "seed": seed, "experiment": "helpers.bench.experiment"})
    return TrainedRun(variant, seed, out, result.steps, result.seconds, result.final_train_loss,
                      len(records), result.history)


def train_seed(cfg: ExperimentConfig, seed: int, data: TrainingData, workdir: Path,
               log=print) -> list[TrainedRun]:
    """Train it, then hybrid and replay (both branched from it), then sft from a fresh base."""
    from helpers.models import branch_adapter

    model, tok = _fresh(cfg, "it", seed)
    runs = [_fit(model, tok, "it", data.instructions, cfg.it_steps, cfg, seed, workdir)]
    log(f"  seed {seed} it: {runs[-1].seconds:.0f}s, loss {runs[-1].final_train_loss}")
    mixed = mix_records(data.domain, data.instructions, cfg.replay_fraction, seed)
    for variant, records in (("hybrid", data.domain), ("replay", mixed)):
        branch_adapter(model, tok, "it", variant)  # each starts from the IT weights
        runs.append(_fit(model, tok, variant, records, cfg.sft_steps, cfg, seed, workdir))
        log(f"  seed {seed} {variant}: {runs[-1].seconds:.0f}s, loss {runs[-1].final_train_loss}")
    model, tok = _fresh(cfg, "sft", seed)
    runs.append(_fit(model, tok, "sft", data.domain, cfg.sft_steps, cfg, seed, workdir))
    log(f"  seed {seed} sft: {runs[-1].seconds:.0f}s, loss {runs[-1].final_train_loss}")
    return runs


def evaluate_seed(cfg: ExperimentConfig, adapter_dirs: dict[str, Path], suite,
                  include_base: bool) -> tuple[dict, dict | None]:
    """Load one base, load every adapter by name, evaluate each (and the base if asked).

    With the base (the first seed), also the showcase table: the fixed prompts with every
    variant's answer, which notebook 05 prints from the results file.
    """
    from helpers.evaluate import evaluate_variants
    from helpers.evaluate.showcase import showcase_table
    from helpers.models import load_adapter, load_base

    model, tok = load_base(model_settings(cfg))
    for variant, path in adapter_dirs.items():
        model = load_adapter(model, path, variant)
    variants: dict = {"base": None} if include_base else {}
    variants.update({v: v for v in (*VARIANT_ORDER, *adapter_dirs) if v in adapter_dirs})
    results = evaluate_variants(model, tok, variants, suite)
    if not include_base:
        return results, None
    table = showcase_table(model, tok, variants, suite.generation)
    return results, {"columns": table.columns, "rows": table.rows}
