"""The micro base model's architecture: a tiny Llama, built with plain transformers classes.

Why Llama: it is the architecture of SmolLM2, Llama 3 and (nearly) Qwen2.5, so every code path a
learner exercises on the micro model — 4-bit loading, LoRA on q/k/v/o and the MLP, merging,
generation — is the one they will use on a hub model. Nothing here is tunelab-specific at load
time: the saved folder opens with `AutoModelForCausalLM.from_pretrained(path)`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class MicroModelConfig:
    """Shape of the micro Llama. The defaults give ~5.8M parameters (~23 MB in fp32)."""

    hidden_size: int = 256  # width of the residual stream; cost grows with its square
    num_hidden_layers: int = 6  # depth; 6 is enough for the micro world's grammar
    num_attention_heads: int = 8  # 32-dim heads, like the hub models' 64–128 scaled down
    num_key_value_heads: int = 4  # grouped-query attention, as in Llama 3 / SmolLM2 / Qwen2.5
    intermediate_size: int = 768  # SwiGLU MLP width (3x hidden)
    vocab_size: int = 4096  # >= tokenizer size; pretraining sets it to len(tokenizer) rounded to 64
    max_position_embeddings: int = 512  # longest sequence the model is meant for (RoPE)
    rope_theta: float = 10000.0  # RoPE base; the classic value, fine for 512 positions
    tie_word_embeddings: bool = True  # share input/output embeddings: saves vocab*hidden params
    initializer_range: float = 0.02  # std of the normal init (transformers' default)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, for metrics JSON and the data card."""
        return asdict(self)


def build_llama_config(config: MicroModelConfig, tokenizer) -> Any:
    """A transformers `LlamaConfig` for `config`, with special-token ids taken from `tokenizer`."""
    from transformers import LlamaConfig

    if len(tokenizer) > config.vocab_size:
        raise ValueError(
            f"MicroModelConfig.vocab_size={config.vocab_size} is smaller than the tokenizer's "
            f"{len(tokenizer)} tokens; raise vocab_size or train a smaller tokenizer."
        )
    return LlamaConfig(
        vocab_size=config.vocab_size,
        hidden_size=config.hidden_size,
        intermediate_size=config.intermediate_size,
        num_hidden_layers=config.num_hidden_layers,
        num_attention_heads=config.num_attention_heads,
        num_key_value_heads=config.num_key_value_heads,
        max_position_embeddings=config.max_position_embeddings,
        rope_theta=config.rope_theta,
        tie_word_embeddings=config.tie_word_embeddings,
        initializer_range=config.initializer_range,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        hidden_act="silu",
        rms_norm_eps=1e-5,
        attention_bias=False,
        mlp_bias=False,
    )


def build_model(config: MicroModelConfig, tokenizer, seed: int = 0):
    """A freshly initialised (untrained) `LlamaForCausalLM`, deterministic for a given seed."""
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    model = LlamaForCausalLM(build_llama_config(config, tokenizer))
    return model.float()


def build_generation_config(tokenizer) -> Any:
    """Generation defaults saved beside the weights.

    Generation stops on `<|im_end|>` (end of a chat turn) *or* `<|endoftext|>` (end of a
    pretraining document), so both a base-model continuation and a chat answer stop cleanly.
    `pad_token_id` is the dedicated pad token, never EOS.
    """
    from transformers import GenerationConfig

    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    eot = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    return GenerationConfig(
        bos_token_id=eot,
        eos_token_id=[im_end, eot],
        pad_token_id=tokenizer.pad_token_id,
        do_sample=False,
        max_new_tokens=64,
    )


def count_parameters(model) -> int:
    """Number of distinct parameters (tied embeddings counted once)."""
    return sum(p.numel() for p in model.parameters())
