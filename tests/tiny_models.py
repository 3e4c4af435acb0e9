"""One builder for the tiny random Llamas the fast tests train and load (not a fixture: each
module picks its own size and tokenizer, then scopes the result as it needs)."""

from __future__ import annotations

from pathlib import Path

import torch

# 2 layers × 64 wide: big enough for GQA (4 query heads, 2 KV heads) and real 4-bit layers,
# small enough that 12 Trainer steps take about a second on 2 cores.
TINY = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256,
        "tie_word_embeddings": True}


def tiny_llama(tok, **overrides):
    """A random LlamaForCausalLM sized for `tok`, seeded (same weights every run)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig(vocab_size=len(tok), pad_token_id=tok.pad_token_id,
                      eos_token_id=tok.eos_token_id, bos_token_id=tok.bos_token_id,
                      **{**TINY, **overrides})
    torch.manual_seed(0)
    return LlamaForCausalLM(cfg)


def save_tiny_llama(path: Path, tok, **overrides) -> Path:
    """Build `tiny_llama` and save it with its tokenizer, laid out like a hub model folder."""
    tiny_llama(tok, **overrides).save_pretrained(path)
    tok.save_pretrained(path)
    return path


def sentence_tokenizer(texts: list[str], vocab_size: int = 512):
    """A byte-level BPE tokenizer with the kit's ChatML template, trained on `texts`."""
    from helpers.tokenizer import TokenizerConfig, train_bpe_tokenizer

    return train_bpe_tokenizer(texts, TokenizerConfig(vocab_size=vocab_size))
