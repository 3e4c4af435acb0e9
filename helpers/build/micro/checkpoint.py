"""Resumable pretraining checkpoints: a long run survives a stopped session.

Pretraining the micro model is a one-off maintainers' job that may take longer than one sitting
(a session here is stopped at 180 minutes and whatever runs then is killed). So the loop saves
the model, the optimizer and the loss curve every `checkpoint_every` steps into
`<out_dir>/checkpoint/state.pt`, written to a temporary file and renamed, so a kill mid-write
never leaves a broken checkpoint. Resuming needs the same configuration: a checkpoint from other
settings is refused, not silently mixed in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

CHECKPOINT_DIR = "checkpoint"  # inside the run's out_dir; delete it once the run is done
_STATE = "state.pt"
# Settings that do not change the numbers of the run, so a resume may differ in them.
_FREE = {"resume", "stop_after", "threads", "log_every", "checkpoint_every"}


class CheckpointMismatchError(ValueError):
    """The checkpoint on disk was written by a run with different settings."""


def checkpoint_path(config) -> Path:
    """Where the run's checkpoint lives."""
    return Path(config.out_dir) / CHECKPOINT_DIR / _STATE


def _fingerprint(config) -> dict:
    return {k: v for k, v in config.to_dict().items() if k not in _FREE}


def save_checkpoint(model, opt, config, progress: tuple) -> Path:
    """Atomically write model, optimizer, curve, step and elapsed seconds."""
    import torch

    history, running, step, elapsed = progress
    path = checkpoint_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                "history": history, "running": running, "elapsed_s": elapsed,
                "config": _fingerprint(config)}, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(model, opt, config, log: Callable[[str], None] = print):
    """Restore into `model`/`opt`; return (history, running, step, elapsed) or None if absent."""
    import torch

    path = checkpoint_path(config)
    if not path.exists():
        log(f"no checkpoint at {path}; starting from step 0")
        return None
    state = torch.load(path, weights_only=False)
    if state["config"] != _fingerprint(config):
        diff = sorted(k for k in state["config"] if state["config"][k] != _fingerprint(config).get(k))
        raise CheckpointMismatchError(
            f"{path} was written with other settings (differs in: {', '.join(diff)}). Run with "
            "the command in the checkpoint's run, or delete the checkpoint folder to start over.")
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    log(f"resumed from {path} at step {state['step']}")
    return state["history"], state["running"], state["step"], state["elapsed_s"]


def checkpoint_to_model(run_dir: str | Path, like: str | Path, out: str | Path) -> tuple[Path, int]:
    """Write the weights of a paused run's checkpoint as a model folder `out` that the probes
    and the sweep load, with the configuration and tokenizer of `like` (the folder the run
    continues from: same architecture, same tokenizer). Returns the folder and the step."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(run_dir) / CHECKPOINT_DIR / _STATE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: pass the --out folder of a pretraining run "
                                "that saved a checkpoint (--checkpoint-every)")
    state = torch.load(path, map_location="cpu", weights_only=False)
    model = AutoModelForCausalLM.from_pretrained(like)
    model.load_state_dict(state["model"])  # raises if `like` is another architecture
    out = Path(out)
    model.save_pretrained(out)  # config and generation config too
    AutoTokenizer.from_pretrained(like).save_pretrained(out)  # as a continued stage saves it
    return out, state["step"]
