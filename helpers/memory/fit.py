"""The fit check: will this model train with these settings on this GPU, and if not, what helps?"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape
from itertools import combinations
from typing import TYPE_CHECKING, Any

from helpers.memory.arch import load_arch
from helpers.memory.estimate import GIB, MemoryEstimate, estimate_memory
from helpers.memory.settings import MemorySettings, SettingsError, from_run, make_settings

if TYPE_CHECKING:
    from helpers.config import RunConfig

# Usable memory of common cards, as torch.cuda.get_device_properties(0).total_memory reports it
# (a bit under the number on the box). A10G and L4 report 22.5 GiB, RTX 3090/4090 about 23.6 GiB.
BUDGETS = {"t4": 15 * GIB, "24gb": int(22.5 * GIB)}
SEQ_STEP = 64  # suggested sequence lengths are multiples of this
MAX_BATCH = 4096  # search limit for the batch-size suggestion


class NoGPUError(ValueError):
    """budget="current" was asked for on a machine where torch sees no CUDA GPU."""


@dataclass(frozen=True)
class FitReport:
    """Whether an estimate fits a memory budget, with the largest settings that do."""

    fits: bool  # estimate.total <= budget
    budget: int  # bytes available
    budget_name: str  # "t4", "24gb", the GPU's name, or "N GiB"
    estimate: MemoryEstimate  # the estimate for the requested settings
    max_batch_size: int  # largest batch that fits at the requested max_length (0: not even 1)
    longest_max_length: int  # largest multiple of 64 that fits at the requested batch_size (0: none)
    switches: tuple[dict[str, Any], ...]  # smallest sets of setting changes that make it fit
    batch_limit: int = MAX_BATCH  # the batch search stopped here
    length_limit: int = 131072  # the model's max_position_embeddings: longer is not an option

    @property
    def margin(self) -> int:
        """Bytes left over (negative: missing)."""
        return self.budget - self.estimate.total

    def __bool__(self) -> bool:
        return self.fits

    def lines(self) -> list[str]:
        """The verdict and the suggestions, one sentence per line."""
        t, b = self.estimate.total / GIB, self.budget / GIB
        word = "fits" if self.fits else "does NOT fit"
        how = "left over" if self.margin >= 0 else "missing"
        verdict = (
            f"{word}: needs {t:.2f} GiB of {b:.2f} GiB ({self.budget_name}); "
            f"{abs(self.margin) / GIB:.2f} GiB {how}."
        )
        out = [verdict]
        s = self.estimate.settings
        out.append(_limit_text("batch_size", self.max_batch_size, s.max_length, self.batch_limit))
        out.append(_limit_text("max_length", self.longest_max_length, s.batch_size,
                               self.length_limit))
        if not self.fits:
            if self.switches:
                options = " | ".join(
                    ", ".join(f"{k}={v!r}" for k, v in sw.items()) for sw in self.switches
                )
                out.append(f"to make it fit, change: {options}")
            else:
                out.append(
                    "no combination of 4-bit, checkpointing and 8-bit optimizer is enough: "
                    "lower batch_size/max_length (use gradient accumulation) or use a bigger GPU."
                )
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines()) + "\n\n" + str(self.estimate)

    def _repr_html_(self) -> str:
        colour = "green" if self.fits else "crimson"
        lines = [escape(line) for line in self.lines()]
        items = "".join(f"<li>{line}</li>" for line in lines[1:])
        return (
            f"<p style='color:{colour};font-weight:bold'>{lines[0]}</p><ul>{items}</ul>"
            + self.estimate._repr_html_()
        )


def resolve_budget(budget: Any) -> tuple[int, str]:
    """Bytes and a display name for "t4", "24gb", "current" (this machine's GPU 0) or bytes."""
    if isinstance(budget, (int, float)) and not isinstance(budget, bool):
        if budget <= 0:
            raise SettingsError(f"budget must be a positive number of bytes, got {budget!r}.")
        return int(budget), f"{budget / GIB:.1f} GiB"
    key = str(budget).strip().lower()
    if key == "current":
        return _current_gpu()
    if key in BUDGETS:
        return BUDGETS[key], key
    raise SettingsError(
        f"budget must be one of {', '.join(BUDGETS)}, 'current', or a number of bytes; "
        f"got {budget!r}."
    )


def _current_gpu() -> tuple[int, str]:
    import torch

    if not torch.cuda.is_available():
        raise NoGPUError(
            "budget='current' needs a CUDA GPU, but torch sees none on this machine "
            "(torch.cuda.is_available() is False). Plan for the GPU you will use instead: "
            "budget='t4' (Colab), budget='24gb', or a number of bytes."
        )
    props = torch.cuda.get_device_properties(0)
    return int(props.total_memory), props.name


def fits(
    config: Any, budget: Any = "t4", settings: MemorySettings | None = None, **overrides: Any
) -> FitReport:
    """Check an estimate against a budget and suggest the largest batch / sequence that fit and
    the switches (4-bit, gradient checkpointing, 8-bit optimizer) that would make it fit."""
    arch = load_arch(config)
    s = make_settings(settings, **overrides)
    limit, name = resolve_budget(budget)
    est = estimate_memory(arch, s)

    def ok(**changes: Any) -> bool:
        return estimate_memory(arch, replace(s, **changes)).total <= limit

    seq_steps = max(1, (arch.max_position_embeddings or 131072) // SEQ_STEP)
    return FitReport(
        fits=est.total <= limit,
        budget=limit,
        budget_name=name,
        estimate=est,
        max_batch_size=_largest(lambda b: ok(batch_size=b), 1, MAX_BATCH),
        longest_max_length=SEQ_STEP * _largest(lambda k: ok(max_length=SEQ_STEP * k), 1,
                                               seq_steps),
        switches=() if est.total <= limit else _switches(s, ok),
        batch_limit=MAX_BATCH,
        length_limit=SEQ_STEP * seq_steps,
    )


def fit_check(run: RunConfig, model_config: Any, budget: Any = "t4", logit_share: float = 1.0,
              **overrides: Any) -> FitReport:
    """Will this run config's training fit `budget`? `fits` for the settings `from_run` reads.

    `model_config`: the model's config.json (path, folder or dict): the architecture numbers a
    run config does not hold. A model.dtype of "auto" becomes the budget's dtype (`budget_dtype`).
    `logit_share` and keyword overrides (MemorySettings fields) as in `from_run` and `fits`.
    """
    settings = from_run(run, dtype=budget_dtype(budget), logit_share=logit_share)
    return fits(model_config, budget, settings, **overrides)


def budget_dtype(budget: Any) -> str:
    """The compute dtype "auto" means on a budget's GPU: "fp16" on a T4 (no bf16), else "bf16"."""
    key = str(budget).strip().lower()
    if key == "t4":
        return "fp16"
    if key == "current":
        import torch

        if torch.cuda.is_available() and not torch.cuda.is_bf16_supported():
            return "fp16"
    return "bf16"


def _largest(ok: Any, low: int, high: int) -> int:
    """Largest n in [low, high] with ok(n), for ok monotone (True then False); low-1 if none."""
    if not ok(low):
        return low - 1
    lo, hi = low, high
    while lo < hi:  # invariant: ok(lo) is True
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid - 1)
    return lo


def _switches(s: MemorySettings, ok: Any) -> tuple[dict[str, Any], ...]:
    """The fewest memory switches that make it fit; every combination of that size that works."""
    options = []
    if s.method != "qlora":
        options.append(("method", "qlora"))
    if not s.gradient_checkpointing:
        options.append(("gradient_checkpointing", True))
    if s.optim == "adamw":
        options.append(("optim", "adamw_8bit"))
    for size in range(1, len(options) + 1):
        found = tuple(dict(c) for c in combinations(options, size) if ok(**dict(c)))
        if found:
            return found
    return ()


def _limit_text(field: str, value: int, other: int, cap: int) -> str:
    where = f"at {'max_length' if field == 'batch_size' else 'batch_size'}={other}"
    if value <= 0:
        return f"largest {field} that fits {where}: none"
    why = " (the search limit, not memory)" if value >= cap else ""
    if field == "max_length" and value >= cap:
        why = " (the model's max_position_embeddings, not memory)"
    return f"largest {field} that fits {where}: {value}{why}"
