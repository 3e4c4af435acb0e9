"""Pretrain the micro base model from scratch with a plain PyTorch loop.

A plain loop (not Trainer) on purpose: this is the one place in the kit where a learner can read
all of pretraining in one screen — packed blocks in, next-token loss, AdamW, warmup + cosine,
gradient clipping — before the later lessons hide the same loop inside transformers' Trainer.

It runs on the CPU (the micro model is small enough; a GPU would mostly wait on Python).
Threads: on a busy or small machine `--threads 1` is often *faster* than 2 — two threads that
must meet at every matmul stall whenever another process holds one of the cores.

Run it:  python -m helpers.build.micro pretrain --out /tmp/micro --steps 50   (seconds, for a look)
The bundled model's exact command is in data/models/micro-llama/README.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from helpers.build.micro.corpus import CorpusConfig
from helpers.build.micro.model import MicroModelConfig
from helpers.paths import MICRO_MODEL_DIR
from helpers.tokenizer import TokenizerConfig


@dataclass
class PretrainConfig:
    """Everything that determines a pretraining run (and so the bundled model)."""

    out_dir: Path = MICRO_MODEL_DIR  # where the model folder is written
    seed: int = 0  # corpus, init, and batch order all derive from it
    steps: int = 1000  # optimizer steps; tokens seen = steps * batch_size * seq_len
    batch_size: int = 16  # blocks per step
    seq_len: int = 256  # tokens per block; documents are short, 256 holds several
    lr: float = 2e-3  # peak learning rate; small models tolerate (and need) a high one
    warmup_steps: int = 50  # linear warmup avoids early blow-ups with a high peak lr
    min_lr_ratio: float = 0.1  # cosine decays to lr * this, not to zero
    weight_decay: float = 0.1  # on matrices only; norms and embeddings are not decayed
    grad_clip: float = 1.0  # max global grad norm; guards against rare loss spikes
    log_every: int = 10  # steps per printed line / loss-curve point
    eval_every: int = 100  # steps between held-out evaluations (0 = only at the end)
    eval_tokens: int = 16_384  # held-out tokens per periodic evaluation (kept small: CPU)
    final_eval_tokens: int = 65_536  # held-out tokens for the reported perplexities
    threads: int = 2  # torch CPU threads; more than the free cores only slows things down
    bf16_autocast: bool = False  # bf16 matmuls: only on CPUs with native bf16 (AVX512-BF16/AMX);
    # elsewhere torch emulates it and a step is ~25x SLOWER (measured: 86 vs 2,330 tok/s)
    checkpoint_every: int = 200  # steps between resumable checkpoints in out_dir/checkpoint (0 = off)
    resume: bool = False  # continue from out_dir/checkpoint if it exists (same config required)
    init_from: str | None = None  # continue pretraining this model folder (its weights and
    # tokenizer) instead of starting from random weights and a new tokenizer
    # Before continuing, redraw the embedding rows of words the new corpus holds in sentences
    # and the init model's corpus held only in word lists or never (fresh_rows.py): such rows
    # are stuck in one shared vector that a stage cannot pull them out of. Needs init_from.
    fresh_rows: bool = False
    stop_after: int | None = None  # pause after this step (checkpoint saved), e.g. before a
    # session's time limit; run the same command with --resume to continue
    corpus: CorpusConfig = field(default_factory=CorpusConfig)  # what text to generate
    model: MicroModelConfig = field(default_factory=MicroModelConfig)  # architecture
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)  # BPE vocabulary

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (paths as strings)."""
        d = asdict(self)
        d["out_dir"] = str(self.out_dir)
        return d


def lr_at(step: int, config: PretrainConfig) -> float:
    """Learning rate at `step` (0-based): linear warmup, then cosine down to min_lr_ratio."""
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    span = max(1, config.steps - config.warmup_steps)
    progress = min(1.0, (step - config.warmup_steps) / span)
    floor = config.lr * config.min_lr_ratio
    return floor + 0.5 * (config.lr - floor) * (1.0 + math.cos(math.pi * progress))


def make_optimizer(model, config: PretrainConfig):
    """AdamW with weight decay on weight matrices only (the usual GPT/Llama recipe)."""
    import torch

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embed" not in n]
    other = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embed" not in n)]
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": other, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=config.lr, betas=(0.9, 0.95), eps=1e-8)


def batch_order(n_blocks: int, steps: int, batch_size: int, seed: int):
    """Block indices for every step: shuffled epochs, concatenated (deterministic for `seed`)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    need = steps * batch_size
    perms = [torch.randperm(n_blocks, generator=g) for _ in range(math.ceil(need / n_blocks))]
    return torch.cat(perms)[:need].view(steps, batch_size)


def train_loop(model, train_blocks, eval_blocks, config: PretrainConfig,
               log: Callable[[str], None] = print) -> list[dict[str, float]]:
    """Train `model` in place; return the loss curve (train and held-out points).

    Resumable: with `config.checkpoint_every` the model, optimizer and curve are saved every so
    many steps; `config.resume` picks the run up at the saved step. The batch order and the
    learning rate depend only on the step and the seed, so a resumed run is the same run (tested).
    """

    from helpers.build.micro.checkpoint import load_checkpoint, save_checkpoint

    opt = make_optimizer(model, config)
    order = batch_order(len(train_blocks), config.steps, config.batch_size, config.seed)
    state = load_checkpoint(model, opt, config, log) if config.resume else None
    history, running, start, prior = (state or ([], [], 0, 0.0))
    t0 = time.perf_counter() - prior  # elapsed time carries over across sessions
    model.train()
    for step in range(start, config.steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, config)
        loss = _step(model, opt, train_blocks[order[step]], config, step)
        running.append(loss)
        done = step + 1
        if done % config.log_every == 0 or done == config.steps:
            point = _train_point(done, running, config, time.perf_counter() - t0)
            history.append(point)
            running = []
            log(_format_point(point, config.steps))
        if config.eval_every and (done % config.eval_every == 0 or done == config.steps):
            history.append(_heldout_point(model, eval_blocks, config, done, log))
        paused = config.stop_after is not None and done >= config.stop_after and done < config.steps
        if config.checkpoint_every and (done % config.checkpoint_every == 0 or paused):
            save_checkpoint(model, opt, config, (history, running, done,
                                                 time.perf_counter() - t0))
        if paused:
            log(f"paused after step {done}; run the same command with --resume to continue")
            break
    return history


def _step(model, opt, x, config: PretrainConfig, step: int) -> float:
    """One optimizer step on the batch `x`; returns its loss."""
    import torch

    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16_autocast):
        loss = model(input_ids=x, labels=x).loss
    if not torch.isfinite(loss):
        raise FloatingPointError(f"Loss is {loss.item()} at step {step}; lower --lr.")
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.item()


def _heldout_point(model, eval_blocks, config: PretrainConfig, done: int,
                   log: Callable[[str], None]) -> dict[str, float]:
    from helpers.build.micro.tokens import mean_loss

    ev = mean_loss(model, eval_blocks, config.batch_size, config.bf16_autocast)
    log(f"step {done:5d}  held-out loss {ev:.3f}  ppl {math.exp(ev):.2f}")
    return {"step": done, "heldout_loss": ev}


def _train_point(done: int, losses: list[float], config: PretrainConfig,
                 elapsed: float) -> dict[str, float]:
    tokens = done * config.batch_size * config.seq_len
    return {
        "step": done, "train_loss": sum(losses) / len(losses), "lr": lr_at(done - 1, config),
        "tokens": tokens, "elapsed_s": round(elapsed, 2), "tokens_per_s": round(tokens / elapsed),
    }


def _format_point(p: dict[str, float], steps: int) -> str:
    eta = (steps - p["step"]) * p["elapsed_s"] / p["step"]
    return (f"step {p['step']:5d}/{steps}  loss {p['train_loss']:.3f}  lr {p['lr']:.2e}  "
            f"{p['tokens_per_s']} tok/s  elapsed {p['elapsed_s']:.0f}s  eta {eta:.0f}s")
