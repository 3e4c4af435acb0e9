"""The training settings a memory estimate depends on, validated with errors that name the field.

Field names are the run config's (helpers.config): `batch_size`, `max_length`,
`gradient_checkpointing` and `optim` as in TrainSettings, `r`, `dropout` and `target_modules` as
in LoraSettings, `dtype` and `double_quant` as in ModelSettings. `from_run` turns a RunConfig
into MemorySettings; what a run config does not say (full fine-tuning, the answer share of the
logits) is an explicit argument.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from helpers.memory.arch import LINEAR_NAMES

if TYPE_CHECKING:
    from helpers.config import RunConfig

METHODS = ("full", "lora", "qlora")
OPTIMIZERS = ("adamw", "adamw_8bit", "paged_adamw_8bit")
DTYPES = ("bf16", "fp16", "fp32")
DTYPE_BYTES = {"bf16": 2, "fp16": 2, "fp32": 4}

# Other spellings people pass (transformers' `optim=` strings, torch dtype names).
_OPTIMIZER_ALIASES = {
    "adamw_torch": "adamw",
    "adamw_torch_fused": "adamw",
    "adam": "adamw",
    "adamw_bnb_8bit": "adamw_8bit",
    "adamw_8bit": "adamw_8bit",
    "adam8bit": "adamw_8bit",
    "paged_adamw_8bit": "paged_adamw_8bit",
    "paged_adamw8bit": "paged_adamw_8bit",
}
_DTYPE_ALIASES = {
    "bfloat16": "bf16",
    "torch.bfloat16": "bf16",
    "float16": "fp16",
    "torch.float16": "fp16",
    "half": "fp16",
    "float32": "fp32",
    "torch.float32": "fp32",
    "float": "fp32",
}


class SettingsError(ValueError):
    """A training setting has a value the estimator cannot use (the message names the field)."""


@dataclass(frozen=True)
class MemorySettings:
    """One training configuration: what is trained, how, and on how many tokens per step."""

    # "full" fine-tuning, "lora" on a 16-bit base, "qlora" on a 4-bit base (a RunConfig's
    # model.quant "4bit" is qlora, "none" is lora; the kit's runs never train the full model)
    method: str = "qlora"
    batch_size: int = 1  # sequences per micro-step (gradient accumulation costs no memory)
    max_length: int = 512  # tokens per sequence after padding/packing
    gradient_checkpointing: bool = False  # keep block inputs only, recompute (~30% slower)
    optim: str = "adamw"  # "adamw" (fp32 states), "adamw_8bit", "paged_adamw_8bit" (bnb)
    dtype: str = "bf16"  # compute dtype: "bf16" (Ampere+), "fp16" (T4), "fp32" (CPU / debugging)
    r: int = 16  # LoRA rank; adapter size grows linearly with it
    target_modules: str | tuple[str, ...] = "all-linear"  # or module names: ("q_proj", "v_proj")
    dropout: float = 0.0  # LoRA dropout: > 0 keeps a dropout mask and an input copy per layer
    double_quant: bool = True  # QLoRA: quantize the 4-bit scales too (saves ~0.4 bit/weight)
    # QLoRA after peft's prepare_model_for_kbit_training (as helpers.models.attach_lora does):
    # embedding, lm_head and norms are upcast to fp32, so is the residual stream and the 4-bit
    # layers' outputs. More memory than the plain 16-bit setup the issue describes.
    prepare_kbit: bool = False
    # Share of the positions whose logits are computed. 1.0 = all of them (plain transformers,
    # TRL). helpers.train computes them only before answer tokens (answer_logits_only): use the
    # answer share of your data (helpers.chat's collate view shows it; ~0.3 for system-prompted
    # support chats) — with a 128k vocabulary this is often the biggest saving there is.
    logit_share: float = 1.0

    @property
    def tokens(self) -> int:
        """Tokens processed per micro-step."""
        return self.batch_size * self.max_length

    @property
    def logit_tokens(self) -> int:
        """Positions per micro-step whose logits (and loss buffers) exist."""
        return max(1, round(self.tokens * self.logit_share))

    @property
    def fp32_upcast(self) -> bool:
        """QLoRA with peft's fp32 upcast of everything that is not 4-bit."""
        return self.method == "qlora" and self.prepare_kbit

    @property
    def compute_bytes(self) -> int:
        """Bytes per element of activations (autocast dtype)."""
        return DTYPE_BYTES[self.dtype]

    def targets(self) -> tuple[str, ...]:
        """The linear layers of each block that carry a LoRA adapter (none for full fine-tuning)."""
        if self.method == "full":
            return ()
        return LINEAR_NAMES if self.target_modules == "all-linear" else tuple(self.target_modules)


def make_settings(settings: MemorySettings | None = None, **overrides: Any) -> MemorySettings:
    """Validate and normalise settings; keyword overrides win. Raises SettingsError."""
    known = {f.name for f in fields(MemorySettings)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise SettingsError(
            f"unknown setting(s) {', '.join(unknown)}; "
            f"valid settings are {', '.join(sorted(known))}."
        )
    s = replace(settings or MemorySettings(), **overrides)
    s = replace(
        s,
        method=_choice("method", s.method, METHODS, {}),
        optim=_choice("optim", s.optim, OPTIMIZERS, _OPTIMIZER_ALIASES),
        dtype=_choice("dtype", str(s.dtype), DTYPES, _DTYPE_ALIASES),
        target_modules=_targets(s.target_modules),
    )
    for name in ("batch_size", "max_length", "r"):
        value = getattr(s, name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise SettingsError(f"setting {name!r} must be a positive integer, got {value!r}.")
    if not 0.0 <= float(s.dropout) < 1.0:
        raise SettingsError(f"setting 'dropout' must be in [0, 1), got {s.dropout!r}.")
    if not 0.0 < float(s.logit_share) <= 1.0:
        raise SettingsError(f"setting 'logit_share' must be in (0, 1], got {s.logit_share!r}: "
                            "the share of positions whose logits are computed.")
    return s


def from_run(run: RunConfig, dtype: str = "bf16", logit_share: float = 1.0) -> MemorySettings:
    """The memory settings of a RunConfig's training run (on a CUDA GPU, where memory is tight).

    Taken from the run config: model.quant ("4bit" → method "qlora" with peft's fp32 upcast,
    as helpers.models.attach_lora does; "none" → "lora"), model.double_quant and model.dtype,
    lora.r / dropout / target_modules, train.batch_size / max_length / gradient_checkpointing /
    optim ("auto" → "paged_adamw_8bit", what helpers.train picks on CUDA).
    Not in a run config, so explicit: `dtype` when model.dtype is "auto" (the GPU decides it:
    "fp16" on a T4, "bf16" on Ampere or newer), and `logit_share`, the share of positions whose
    logits are computed (1.0 is the upper bound; with train.answer_logits_only on, the answer
    share of your data is closer).
    """
    qlora = run.model.quant == "4bit"
    targets = run.lora.target_modules
    return MemorySettings(
        method="qlora" if qlora else "lora",
        batch_size=run.train.batch_size,
        max_length=run.train.max_length,
        gradient_checkpointing=run.train.gradient_checkpointing,
        optim="paged_adamw_8bit" if run.train.optim == "auto" else run.train.optim,
        dtype=dtype if run.model.dtype == "auto" else run.model.dtype,
        r=run.lora.r,
        target_modules=targets if isinstance(targets, str) else tuple(targets),
        dropout=run.lora.dropout,
        double_quant=run.model.double_quant,
        prepare_kbit=qlora,
        logit_share=logit_share,
    )


def _choice(field: str, value: Any, allowed: tuple[str, ...], aliases: dict[str, str]) -> str:
    key = str(value).strip().lower()
    key = aliases.get(key, key)
    if key not in allowed:
        raise SettingsError(
            f"setting {field!r} must be one of {', '.join(allowed)}; got {value!r}."
        )
    return key


def _targets(value: Any) -> str | tuple[str, ...]:
    if value == "all-linear":
        return value
    names = (value,) if isinstance(value, str) else tuple(value)
    bad = [n for n in names if n not in LINEAR_NAMES]
    if not names or bad:
        raise SettingsError(
            "setting 'target_modules' must be 'all-linear' or names from "
            f"{', '.join(LINEAR_NAMES)}; got {value!r}."
        )
    return tuple(n for n in LINEAR_NAMES if n in names)  # canonical order, duplicates dropped
