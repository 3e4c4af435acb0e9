"""What a benchmark run measures, the same way for the kit's Trainer and TRL's SFTTrainer.

- Tokens: a forward pre-hook on the model's input embedding counts the non-pad ids it is given
  (exactly the tokens trained on, whatever the batching: padded, grouped or packed).
- Time: a TrainerCallback stamps the end of every optimizer step (CUDA synchronised first), so a
  step's time includes data loading, forward, backward and the optimizer — what a user waits for.
- Memory: peak RSS of the process on CPU (Linux /proc VmHWM, reset at the start of training via
  /proc/self/clear_refs), or torch.cuda.max_memory_allocated/reserved on a GPU (reset there too).
"""

from __future__ import annotations

import os
import re
import statistics
import time
from dataclasses import dataclass, field

_HWM = re.compile(r"VmHWM:\s+(\d+)\s+kB")
_RSS = re.compile(r"VmRSS:\s+(\d+)\s+kB")


def _status_kb(pattern: re.Pattern) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            match = pattern.search(f.read())
    except OSError:
        return None
    return int(match.group(1)) * 1024 if match else None


def reset_peak_memory() -> bool:
    """Start a new peak: CUDA peak stats, and on Linux the process's peak RSS (VmHWM)."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")  # "5" resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def memory_now() -> dict:
    """Peak memory since the last reset: CUDA allocated/reserved on a GPU, RSS on the host."""
    import torch

    out = {"peak_rss": _status_kb(_HWM), "rss": _status_kb(_RSS)}
    if torch.cuda.is_available():
        out["cuda_max_allocated"] = torch.cuda.max_memory_allocated()
        out["cuda_max_reserved"] = torch.cuda.max_memory_reserved()
    return out


class TokenCounter:
    """Counts the non-pad input ids the model embeds (a forward pre-hook on its embedding)."""

    def __init__(self, model, pad_token_id: int) -> None:
        self.pad_token_id = pad_token_id
        self._total = None  # a device tensor: no host sync per forward
        self.positions = 0  # every position computed on, pads included (shapes: no sync)
        self._handle = model.get_input_embeddings().register_forward_pre_hook(self._hook)

    def _hook(self, module, args) -> None:
        if args and hasattr(args[0], "ne"):
            n = args[0].ne(self.pad_token_id).sum()
            self._total = n if self._total is None else self._total + n
            self.positions += args[0].numel()

    @property
    def total(self) -> int:
        """Non-pad tokens so far (synchronises with the device)."""
        return 0 if self._total is None else int(self._total.item())

    def remove(self) -> None:
        self._handle.remove()


@dataclass
class StepLog:
    """Wall time and token count at the end of each optimizer step."""

    times: list[float] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    memory_at_start: dict = field(default_factory=dict)

    def window(self, warmup: int) -> tuple[list[float], int]:
        """Step durations and tokens after the first `warmup` steps."""
        if len(self.times) <= warmup:
            raise ValueError(f"only {len(self.times)} steps ran; need more than warmup={warmup}")
        durations = [b - a for a, b in zip(self.times[warmup:], self.times[warmup + 1:])]
        return durations, self.tokens[-1] - self.tokens[warmup]

    def summary(self, warmup: int) -> dict:
        durations, tokens = self.window(warmup)
        seconds = sum(durations)
        positions = self.positions[-1] - self.positions[warmup]
        return {"steps_measured": len(durations), "tokens": tokens, "seconds": seconds,
                "real_token_share": tokens / positions if positions else None,
                "tokens_per_s": tokens / seconds if seconds else 0.0,
                "step_time_s": statistics.median(durations),
                "step_time_mean_s": seconds / len(durations)}


def step_timer(log: StepLog, counter: TokenCounter):
    """A TrainerCallback that fills `log` (and resets the memory peak when training starts)."""
    import torch
    from transformers import TrainerCallback

    def stamp() -> None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        log.times.append(time.perf_counter())
        log.tokens.append(counter.total)
        log.positions.append(counter.positions)

    class StepTimer(TrainerCallback):
        def on_train_begin(self, args, state, control, **kw):
            reset_peak_memory()
            log.memory_at_start = memory_now()
            stamp()  # the first interval (step 1) starts here

        def on_step_end(self, args, state, control, **kw):
            stamp()

    return StepTimer()


def load_average() -> list[float] | None:
    """1, 5 and 15-minute load averages (how busy the machine was), where the OS has them."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
