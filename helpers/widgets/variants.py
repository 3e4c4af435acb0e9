"""Variants = one base model in memory, seen through different LoRA adapters.

A column of the comparison is a *variant*: the base with its adapters disabled, or the base
with one named adapter (or a stack of them) switched on. Nothing is copied: switching adapters
changes which small matrices are added to the frozen base's output, which is why several
fine-tuned "models" fit where one does. `memory_report` puts numbers on that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

TIE = "tie"  # the vote for "no answer is better"; therefore not allowed as a variant name

# Parameter-name segments that belong to an adapter rather than to the base model (peft).
_ADAPTER_MARKERS = ("lora_", "trainable_tokens")


class VariantError(ValueError):
    """A variant list that cannot be compared (duplicate, reserved or unknown names)."""


@dataclass(frozen=True)
class Variant:
    """One column of a comparison."""

    name: str  # column title, also the name stored with votes ("base", "instruction", ...)
    adapter: str | tuple[str, ...] | None = None  # adapter name(s) on the peft model; None = base


def as_variants(spec: Sequence[Variant | str] | Mapping[str, str | None]) -> list[Variant]:
    """Normalise a variant spec: Variants, adapter names ("base" = no adapter) or {name: adapter}.

    `{"base": None, "IT": "it"}` and `["base", "it"]` both work; names must be unique.
    """
    if isinstance(spec, Mapping):
        out = [Variant(name, _adapter(a)) for name, a in spec.items()]
    else:
        out = [v if isinstance(v, Variant) else Variant(v, None if v == "base" else v)
               for v in spec]
    names = [v.name for v in out]
    if not out:
        raise VariantError("no variants to compare: pass e.g. ['base', 'it'] or {'base': None}")
    if len(set(names)) != len(names):
        raise VariantError(f"variant names must be unique, got {names}")
    if TIE in names:
        raise VariantError(f"{TIE!r} is reserved for tied votes: rename that variant")
    return out


def _adapter(a: str | Sequence[str] | None) -> str | tuple[str, ...] | None:
    return a if a is None or isinstance(a, str) else tuple(a)


def check_adapters(model, variants: Sequence[Variant]) -> None:
    """Fail early (with the loaded names) when a variant names an adapter the model lacks."""
    loaded = set(getattr(model, "peft_config", {}) or {})
    for v in variants:
        wanted = [v.adapter] if isinstance(v.adapter, str) else list(v.adapter or ())
        missing = [a for a in wanted if a not in loaded]
        if missing:
            raise VariantError(
                f"variant {v.name!r} needs adapter(s) {missing}, but the model has "
                f"{sorted(loaded) or 'no adapters'}: load them with helpers.models.load_adapter")


@contextmanager
def use_variant(model, variant: Variant) -> Iterator:
    """Run a block with this variant's adapters active (base = adapters disabled)."""
    from peft import PeftModel

    from helpers.models import active_adapters

    if not isinstance(model, PeftModel):
        if variant.adapter is not None:
            check_adapters(model, [variant])
        with nullcontext(model):
            yield model
        return
    names = list(variant.adapter) if isinstance(variant.adapter, tuple) else variant.adapter
    with active_adapters(model, names) as m:
        yield m


def load_variants(model, adapters: Mapping[str, str], base_name: str = "base"):
    """Load one base model and every adapter in `adapters` ({name: folder}) onto it.

    model: a ModelSettings (quantization, dtype) or a model path / hub id (4-bit NF4).
    Returns (model, tokenizer, variants): the base first, then one variant per adapter.
    """
    from helpers.models import load_adapter, load_base

    peft_model, tokenizer = load_base(model)
    for name, path in adapters.items():
        peft_model = load_adapter(peft_model, path, name)
    variants = as_variants({base_name: None, **{n: n for n in adapters}})
    return peft_model, tokenizer, variants


def _tensor_bytes(t) -> int:
    return t.numel() * t.element_size()


def _quant_state_bytes(param) -> int:
    """bitsandbytes keeps 4-bit block scales beside the packed weights; count them too."""
    qs = getattr(param, "quant_state", None)
    if qs is None:
        return 0
    total = sum(_tensor_bytes(t) for t in (qs.absmax, qs.code) if t is not None)
    nested = getattr(qs, "state2", None)
    if nested is not None:
        total += sum(_tensor_bytes(t) for t in (nested.absmax, nested.code) if t is not None)
    return total


def _owner(name: str, adapters: set[str]) -> str | None:
    """The adapter a parameter/buffer belongs to, or None for the base model."""
    parts = name.split(".")
    if not any(p.startswith(_ADAPTER_MARKERS) for p in parts):
        return None
    return next((p for p in parts if p in adapters), None)


@dataclass(repr=False)
class MemoryReport:
    """Bytes held by the shared base and by each adapter on it."""

    base_bytes: int  # weights + buffers of the base (4-bit packed weights + their scales)
    adapter_bytes: dict[str, int] = field(default_factory=dict)  # adapter name → its bytes
    quantization: str = "none"  # how the base weights are stored ("4-bit NF4" or a dtype)

    @property
    def total_bytes(self) -> int:
        return self.base_bytes + sum(self.adapter_bytes.values())

    def lines(self) -> list[str]:
        out = [f"base model ({self.quantization}): {format_bytes(self.base_bytes)}"]
        for name, size in self.adapter_bytes.items():
            share = 100 * size / self.base_bytes if self.base_bytes else 0.0
            out.append(f"adapter {name!r}: {format_bytes(size)} ({share:.1f}% of the base)")
        n = 1 + len(self.adapter_bytes)
        out.append(f"in memory: {format_bytes(self.total_bytes)} for {n} variants "
                   f"(as {n} separate copies of the base: {format_bytes(n * self.base_bytes)})")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    __repr__ = __str__  # a notebook's text view shows the lines, not the field dump

    def _repr_html_(self) -> str:
        from html import escape

        return "<br>".join(escape(line) for line in self.lines())


def memory_report(model) -> MemoryReport:
    """Measure the base's footprint and each adapter's size, from the tensors in memory."""
    adapters = set(getattr(model, "peft_config", {}) or {})
    base, per_adapter = 0, dict.fromkeys(sorted(adapters), 0)
    quantized = False
    tensors = list(model.named_parameters()) + list(model.named_buffers())
    for name, t in tensors:
        owner = _owner(name, adapters)
        size = _tensor_bytes(t) + _quant_state_bytes(t)
        quantized = quantized or t.__class__.__name__ == "Params4bit"
        if owner is None:
            base += size
        else:
            per_adapter[owner] += size
    kind = "4-bit NF4" if quantized else str(getattr(model, "dtype", "unknown")).replace("torch.", "")
    return MemoryReport(base, per_adapter, kind)


def format_bytes(n: float) -> str:
    """Human-readable size: 1536 → '1.5 KB' (powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
