"""Train a LoRA adapter with transformers' Trainer: completion-only labels, checkpoints and
resume, a NaN guard, out-of-memory advice, and the loss history as data.

Usage (what notebooks 03 and 04 do):
    model, tok = models.load_base(cfg.model)
    model = models.attach_lora(model, tok, cfg.lora, name="it")
    result = train.train(model, tok, train_records, eval_records, cfg.train)
    train.plot_history(result.history)
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from helpers.config import TrainSettings


class TrainingDivergedError(RuntimeError):
    """The loss became NaN/inf; the message lists the likely causes for this run."""


class OutOfMemoryAdvice(RuntimeError):
    """CUDA ran out of memory; the message says what was in use and what to change."""


@dataclass
class TrainResult:
    """What a training run produced."""

    history: list[dict]  # one dict per log/eval event: step, loss or eval_loss, learning_rate
    final_train_loss: float | None  # the last logged training loss
    final_eval_loss: float | None  # the last eval loss (None when eval was off)
    steps: int  # optimizer steps completed (including ones done before a resume)
    seconds: float  # wall time of this call (a resumed run counts only its own part)
    resumed_from: str | None  # checkpoint folder this call resumed from, if any
    dropped: dict = field(default_factory=dict)  # examples dropped while encoding, by reason


def _optimizer_name(settings: TrainSettings, on_cuda: bool) -> str:
    if settings.optim != "auto":
        return settings.optim
    # Paged 8-bit AdamW: optimizer state in 8 bits and paged to CPU on memory spikes (QLoRA).
    return "paged_adamw_8bit" if on_cuda else "adamw_torch"


def _checkpointing_args(args_cls, enabled: bool) -> dict:
    """transformers ≥5.2x renamed gradient_checkpointing → activation_checkpointing; the
    floor version only knows the old name. Pass whichever this version has."""
    if not enabled:
        return {}
    import dataclasses

    names = {f.name for f in dataclasses.fields(args_cls)}
    prefix = "activation" if "activation_checkpointing" in names else "gradient"
    return {f"{prefix}_checkpointing": True,
            f"{prefix}_checkpointing_kwargs": {"use_reentrant": False}}


def _grouping_args(args_cls, enabled: bool) -> dict:
    """transformers 5.x replaced group_by_length=True by train_sampling_strategy="group_by_length";
    pass whichever this version has (both use LengthGroupedSampler)."""
    if not enabled:
        return {}
    import dataclasses

    names = {f.name for f in dataclasses.fields(args_cls)}
    if "train_sampling_strategy" in names:
        return {"train_sampling_strategy": "group_by_length"}
    return {"group_by_length": True}


def training_arguments(settings: TrainSettings, dtype=None):
    """Map TrainSettings onto transformers.TrainingArguments (the one place that does so)."""
    import torch
    from transformers import TrainingArguments

    on_cuda = torch.cuda.is_available()
    return TrainingArguments(
        output_dir=settings.output_dir,
        max_steps=settings.max_steps,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.batch_size,
        gradient_accumulation_steps=settings.grad_accum,
        learning_rate=settings.learning_rate,
        lr_scheduler_type=settings.lr_schedule,
        warmup_steps=max(0, round(settings.warmup_ratio * settings.max_steps)),
        weight_decay=settings.weight_decay,
        max_grad_norm=settings.max_grad_norm,
        logging_steps=settings.logging_steps,
        # Trainer's default replaces NaN/inf losses in the logs with the running average, which
        # hides divergence; we want to see it (and the guard below stops the run with advice).
        logging_nan_inf_filter=False,
        eval_strategy="steps" if settings.eval_steps else "no",
        eval_steps=settings.eval_steps or None,
        save_strategy="steps",
        save_steps=settings.save_steps,
        save_total_limit=settings.save_total_limit,
        seed=settings.seed,
        data_seed=settings.seed,
        optim=_optimizer_name(settings, on_cuda),
        bf16=on_cuda and dtype == torch.bfloat16,
        fp16=on_cuda and dtype == torch.float16,  # loss scaling on; LoRA weights stay fp32
        **_checkpointing_args(TrainingArguments, settings.gradient_checkpointing),
        **_grouping_args(TrainingArguments, settings.group_by_length),
        use_cpu=not on_cuda,
        report_to="none",
        dataloader_num_workers=0,
        remove_unused_columns=False,  # our examples are already input_ids/attention_mask/labels
        prediction_loss_only=True,  # evaluation reports eval_loss; never gather eval logits
    )


def _nan_advice(settings: TrainSettings, dtype) -> str:
    import torch

    causes = [f"learning rate {settings.learning_rate:g} too high: try {settings.learning_rate / 10:g}"]
    if dtype == torch.float16:
        causes.insert(0, "fp16 overflow (T4): keep LoRA weights in fp32 (helpers.models does), "
                         "keep fp16 loss scaling on, or lower the learning rate")
    causes.append("a batch with no trainable tokens (all labels -100): helpers.chat drops "
                  "such examples — check EncodedDataset.summary() for your data")
    return "; ".join(causes)


def _callbacks(settings: TrainSettings, dtype, history: list, stop_at: int | None):
    from transformers import TrainerCallback

    class Guard(TrainerCallback):
        """Record every log event; stop with an explanation on a NaN/inf loss."""

        def on_log(self, args, state, control, logs=None, **kw):
            logs = dict(logs or {})
            history.append({"step": state.global_step, **logs})
            for key in ("loss", "eval_loss"):
                if key in logs and not math.isfinite(float(logs[key])):
                    raise TrainingDivergedError(
                        f"{key} became {logs[key]} at step {state.global_step}. Likely causes: "
                        f"{_nan_advice(settings, dtype)}.")

    class Interrupt(TrainerCallback):
        """Simulate a crash right after a checkpoint is written (for resume tests/lessons)."""

        def on_save(self, args, state, control, **kw):
            if stop_at is not None and state.global_step >= stop_at:
                raise KeyboardInterrupt(f"interrupted after checkpoint {state.global_step}")

    return [Guard(), Interrupt()]


def last_checkpoint(output_dir: str | Path) -> str | None:
    """The newest checkpoint-N folder in output_dir, or None."""
    from transformers.trainer_utils import get_last_checkpoint

    output_dir = Path(output_dir)
    return get_last_checkpoint(str(output_dir)) if output_dir.is_dir() else None


def _oom_advice(exc: BaseException, settings: TrainSettings) -> OutOfMemoryAdvice:
    import torch

    used = torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else 0.0
    total = (torch.cuda.get_device_properties(0).total_memory / 2**30
             if torch.cuda.is_available() else 0.0)
    tips = [f"batch_size {settings.batch_size} → {max(1, settings.batch_size // 2)} "
            f"(raise grad_accum to keep the effective batch)",
            f"max_length {settings.max_length} → {settings.max_length // 2}"]
    if not settings.gradient_checkpointing:
        tips.append("gradient_checkpointing=True")
    tips.append("load the base in 4-bit (ModelSettings.quant='4bit')")
    return OutOfMemoryAdvice(
        f"CUDA out of memory (peak {used:.1f} GiB of {total:.1f} GiB in use). Try: "
        + "; ".join(tips) + ". helpers.memory.fits() predicts what fits before you load.")


def _encode(tokenizer, records, settings: TrainSettings):
    from helpers.chat import ChatEncodingConfig, encode_records

    cfg = ChatEncodingConfig(max_length=settings.max_length, truncation=settings.truncation)
    return encode_records(tokenizer, records, cfg)


def _dropped_counts(encoded) -> dict:
    counts: dict = {}
    for item in encoded.dropped:
        reason = getattr(item, "reason", None) or str(item)
        counts[reason] = counts.get(reason, 0) + 1
    return counts


def compute_dtype_of(model):
    """The dtype the base was loaded to compute in (what bf16/fp16 autocast must match).

    Not `model.dtype`: for QLoRA, peft's prepare_model_for_kbit_training upcasts norms and
    embeddings to fp32, so a bf16-loaded 4-bit model reads float32 there — and a GPU run
    would silently lose bf16/fp16 autocast. The config keeps the dtype it was loaded in.
    """
    import torch

    config = getattr(model, "config", None)
    dtype = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None)
    if isinstance(dtype, str):
        dtype = getattr(torch, dtype, None)
    return dtype if isinstance(dtype, torch.dtype) else getattr(model, "dtype", None)


def _collator(tokenizer, settings: TrainSettings):
    """Padded batches (ChatCollator), or packed rows of max_length tokens (helpers.packing)."""
    if settings.packing:
        from helpers.packing import PackedCollator

        return PackedCollator(tokenizer, row_tokens=settings.max_length)
    from helpers.chat import ChatCollator

    return ChatCollator(tokenizer)


def train(model, tokenizer, train_records, eval_records=None, settings: TrainSettings | None = None,
          *, interrupt_after_step: int | None = None, callbacks: list | None = None) -> TrainResult:
    """Train the active adapter(s) of a peft model on chat records; return the history.

    `interrupt_after_step` raises KeyboardInterrupt right after that checkpoint is saved:
    the resume lesson/test uses it to simulate a crash. `callbacks` are extra transformers
    TrainerCallbacks (helpers.bench times steps with one). Runs unchanged under torchrun /
    accelerate launch: Trainer then trains data-parallel (DDP) with batch_size per process.
    """
    import torch

    settings = settings or TrainSettings()
    dtype = compute_dtype_of(model)
    train_set = _encode(tokenizer, train_records, settings)
    if settings.group_by_length and (note := grouping_note(len(train_set.examples), settings)):
        warnings.warn(note, stacklevel=2)
    if not train_set.examples:
        raise ValueError("no trainable examples: every record was dropped while encoding — "
                         + train_set.summary())
    eval_set = _encode(tokenizer, eval_records, settings) if eval_records else None
    history: list[dict] = []
    settings_eval = settings if eval_set else _no_eval(settings)
    trainer = _trainer_class(settings)(
        model=model, args=training_arguments(settings_eval, dtype),
        train_dataset=train_set.examples,
        eval_dataset=eval_set.examples if eval_set else None,
        data_collator=_collator(tokenizer, settings),
        callbacks=_callbacks(settings, dtype, history, interrupt_after_step) + list(callbacks or []),
    )
    resume = last_checkpoint(settings.output_dir) if settings.resume else None
    start = time.perf_counter()
    try:
        trainer.train(resume_from_checkpoint=resume)
    except torch.cuda.OutOfMemoryError as exc:
        raise _oom_advice(exc, settings) from exc
    return _result(history, trainer, time.perf_counter() - start, resume, _dropped_counts(train_set))


def train_briefly(model, tokenizer, records, **settings) -> TrainResult:
    """A short run whose checkpoints nobody wants (a quick widget adapter, an exercise's trial):
    TrainSettings(**settings) with a temporary output folder, no evaluation, no saves and no
    resume, so nothing is left on disk and an old run's checkpoint is never picked up."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        run = TrainSettings(output_dir=tmp, eval_steps=0, save_steps=10 * settings["max_steps"],
                            resume=False, **settings)
        return train(model, tokenizer, records, None, run)


def grouping_note(n_examples: int, settings: TrainSettings) -> str | None:
    """Why group_by_length will do nothing here, or None when it groups.

    transformers' LengthGroupedSampler sorts within "mega-batches" of
    min(n // (4 * batch), 50) batches: under 8 batches' worth of examples that is one batch,
    so the order is a plain shuffle and the padding is what it would be without grouping.
    """
    if n_examples // (4 * settings.batch_size) >= 2:
        return None
    return (f"group_by_length has no effect on {n_examples} examples at batch_size "
            f"{settings.batch_size}: transformers groups lengths only from "
            f"{8 * settings.batch_size} examples on. Use packing=True to cut padding instead.")


def _trainer_class(settings: TrainSettings):
    """transformers.Trainer, or its subclass that computes logits only at answer positions."""
    if settings.answer_logits_only:
        from helpers.answer_logits import answer_logits_trainer_class

        return answer_logits_trainer_class()
    from transformers import Trainer

    return Trainer


def _no_eval(settings: TrainSettings) -> TrainSettings:
    from dataclasses import replace

    return replace(settings, eval_steps=0)


def _result(history, trainer, seconds, resume, dropped) -> TrainResult:
    train_losses = [h["loss"] for h in history if "loss" in h]
    eval_losses = [h["eval_loss"] for h in history if "eval_loss" in h]
    return TrainResult(
        history=history,
        final_train_loss=train_losses[-1] if train_losses else None,
        final_eval_loss=eval_losses[-1] if eval_losses else None,
        steps=trainer.state.global_step, seconds=seconds, resumed_from=resume, dropped=dropped,
    )


def plot_history(history: list[dict], title: str = "training loss", ax=None):
    """Plot train (and eval) loss against step; returns the matplotlib Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    for key, style in (("loss", "-"), ("eval_loss", "o--")):
        points = [(h["step"], h[key]) for h in history if key in h]
        if points:
            ax.plot(*zip(*points), style, label=key.replace("_", " "))
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax
