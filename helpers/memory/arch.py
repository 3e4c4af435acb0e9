"""Read a model's shape from its `config.json` and count its parameters exactly, without weights.

Supported exactly: Llama-style decoders (`llama`, `mistral`, `qwen2`, `qwen3`): RMSNorm, SwiGLU MLP,
grouped-query attention (GQA), optional biases (Qwen2 always has q/k/v biases), tied or untied
embeddings. Other `model_type`s are read the same way with a warning: the count is then an
approximation (their extra norms or biases are not known here).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Model types whose parameter layout this module reproduces exactly (tested against transformers).
EXACT_MODEL_TYPES = ("llama", "mistral", "qwen2", "qwen3")
REQUIRED_FIELDS = (
    "vocab_size",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
)
# The seven linear layers of one decoder block, in forward order; "all-linear" LoRA targets these.
LINEAR_NAMES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class ModelConfigError(ValueError):
    """A model config is missing a field or has a value that cannot describe a real model."""


class ModelConfigNotFoundError(FileNotFoundError):
    """The path given for a model config has no `config.json`."""


@dataclass(frozen=True)
class ModelArch:
    """The shape of a decoder-only model, as far as memory is concerned."""

    name: str  # where it came from: a file path, `_name_or_path`, or "dict"
    model_type: str  # transformers' model_type, e.g. "llama", "qwen2"
    vocab_size: int  # rows of the embedding and of lm_head (the logits width)
    hidden_size: int  # width of the residual stream
    intermediate_size: int  # width of the SwiGLU MLP
    num_layers: int  # decoder blocks
    num_heads: int  # query heads
    num_kv_heads: int  # key/value heads (GQA: fewer than query heads)
    head_dim: int  # width of one head (usually hidden_size / num_heads)
    tie_word_embeddings: bool  # lm_head shares the embedding matrix (one copy in memory)
    qkv_bias: bool  # q/k/v projections have biases (always true for Qwen2)
    o_bias: bool  # o_proj has a bias (Llama's attention_bias)
    mlp_bias: bool  # gate/up/down have biases
    qk_norm: bool  # per-head RMSNorm on q and k (Qwen3)
    max_position_embeddings: int | None  # longest sequence the model was built for, if stated
    exact: bool  # True when model_type is one this module counts exactly

    def linear_shapes(self) -> dict[str, tuple[int, int]]:
        """(in_features, out_features) of each linear layer in one decoder block."""
        h, q, kv, i = (
            self.hidden_size,
            self.num_heads * self.head_dim,
            self.num_kv_heads * self.head_dim,
            self.intermediate_size,
        )
        return {
            "q_proj": (h, q),
            "k_proj": (h, kv),
            "v_proj": (h, kv),
            "o_proj": (q, h),
            "gate_proj": (h, i),
            "up_proj": (h, i),
            "down_proj": (i, h),
        }

    def layer_linear_params(self) -> int:
        """Weights of the seven linear layers of one block (what 4-bit quantization applies to)."""
        return sum(i * o for i, o in self.linear_shapes().values())

    def layer_small_params(self) -> int:
        """Biases and norm weights of one block (kept in 16-bit even in QLoRA)."""
        shapes = self.linear_shapes()
        n = 2 * self.hidden_size  # input_layernorm + post_attention_layernorm
        if self.qkv_bias:
            n += sum(shapes[k][1] for k in ("q_proj", "k_proj", "v_proj"))
        if self.o_bias:
            n += self.hidden_size
        if self.mlp_bias:
            n += 2 * self.intermediate_size + self.hidden_size
        if self.qk_norm:
            n += 2 * self.head_dim
        return n

    def embedding_params(self) -> int:
        """Embedding matrix plus lm_head (counted once when tied)."""
        emb = self.vocab_size * self.hidden_size
        return emb if self.tie_word_embeddings else 2 * emb

    def total_params(self) -> int:
        """Exact parameter count, as `sum(p.numel() for p in model.parameters())` reports it."""
        per_layer = self.layer_linear_params() + self.layer_small_params()
        return (
            self.embedding_params() + self.num_layers * per_layer + self.hidden_size
        )  # + final norm


def count_parameters(config: Any) -> int:
    """Exact parameter count of a model from its config (dict, path or transformers config)."""
    return load_arch(config).total_params()


def load_arch(config: Any) -> ModelArch:
    """Build a ModelArch from a config dict, a path to `config.json` (or its folder), or a
    transformers `PretrainedConfig`. Raises ModelConfigError naming the field that is wrong."""
    if isinstance(config, ModelArch):
        return config
    if isinstance(config, (str, os.PathLike)):
        data, source = _read_config_file(Path(config)), str(config)
    elif isinstance(config, Mapping):
        data, source = dict(config), str(config.get("_name_or_path") or "dict")
    elif hasattr(
        config, "to_dict"
    ):  # transformers PretrainedConfig, without importing transformers
        data = config.to_dict()
        source = str(data.get("_name_or_path") or type(config).__name__)
    else:
        raise ModelConfigError(
            "config must be a dict, a path to config.json, or a transformers config; "
            f"got {type(config).__name__}."
        )
    return _arch_from_dict(_text_config(data), source)


def _read_config_file(path: Path) -> dict[str, Any]:
    """Load config.json from a file or a model folder, with errors that say which path was tried."""
    file = path / "config.json" if path.is_dir() else path
    if not file.is_file():
        raise ModelConfigNotFoundError(
            f"No model config at {file}. Pass a model folder containing config.json, the "
            "config.json file itself, or a dict (e.g. AutoConfig.from_pretrained(...).to_dict())."
        )
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ModelConfigError(f"{file}:{e.lineno}: not valid JSON ({e.msg}).") from e


def _text_config(data: dict[str, Any]) -> dict[str, Any]:
    """Vision-language configs nest the language model under `text_config`; use that part."""
    text = data.get("text_config")
    return dict(text) if isinstance(text, Mapping) and "hidden_size" not in data else data


def _arch_from_dict(d: dict[str, Any], source: str) -> ModelArch:
    """Validate the fields and fill the defaults transformers would use for this model_type."""
    missing = [f for f in REQUIRED_FIELDS if d.get(f) is None]
    if missing:
        raise ModelConfigError(
            f"{source}: config is missing field(s) {', '.join(missing)}; a decoder config.json "
            f"needs {', '.join(REQUIRED_FIELDS)}."
        )
    model_type = str(d.get("model_type") or "llama")
    exact = model_type in EXACT_MODEL_TYPES
    if not exact:
        warnings.warn(
            f"{source}: model_type {model_type!r} is not one of {EXACT_MODEL_TYPES}; memory is "
            "estimated as for a Llama-style decoder, so the parameter count may be slightly off.",
            stacklevel=3,
        )
    heads = _positive_int(d, "num_attention_heads", source)
    hidden = _positive_int(d, "hidden_size", source)
    head_dim = d.get("head_dim") or _default_head_dim(hidden, heads, source)
    is_qwen2 = model_type == "qwen2"
    return ModelArch(
        name=source,
        model_type=model_type,
        vocab_size=_positive_int(d, "vocab_size", source),
        hidden_size=hidden,
        intermediate_size=_positive_int(d, "intermediate_size", source),
        num_layers=_positive_int(d, "num_hidden_layers", source),
        num_heads=heads,
        num_kv_heads=_positive_int(d, "num_key_value_heads", source, default=heads),
        head_dim=_positive_int({"head_dim": head_dim}, "head_dim", source),
        # transformers' Llama/Qwen2/Mistral configs default to untied embeddings if it is absent.
        tie_word_embeddings=bool(d.get("tie_word_embeddings", False)),
        qkv_bias=True if is_qwen2 else bool(d.get("attention_bias", False)),
        o_bias=False if is_qwen2 else bool(d.get("attention_bias", False)),
        mlp_bias=bool(d.get("mlp_bias", False)),
        qk_norm=model_type == "qwen3",
        max_position_embeddings=d.get("max_position_embeddings"),
        exact=exact,
    )


def _positive_int(d: Mapping[str, Any], field: str, source: str, default: int | None = None) -> int:
    value = d.get(field, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ModelConfigError(
            f"{source}: field {field!r} must be a positive integer, got {value!r}."
        )
    return value


def _default_head_dim(hidden: int, heads: int, source: str) -> int:
    if hidden % heads:
        raise ModelConfigError(
            f"{source}: hidden_size {hidden} is not divisible by num_attention_heads {heads}; "
            "add an explicit 'head_dim' field."
        )
    return hidden // heads
