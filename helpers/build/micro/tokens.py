"""Token streams for pretraining: encode documents, pack them, measure perplexity.

Packing: documents are joined into one stream, each preceded by `<|endoftext|>`, and the stream
is cut into equal blocks. No padding is wasted, and the separator teaches the model where a
document starts and ends. Tokens in a block may attend across a separator — the GPT-2/Llama
pretraining convention; harmless here because documents are independent and the separator marks
the boundary. (Fine-tuning is different: helpers.chat keeps examples apart.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def encode_documents(tokenizer, docs: Sequence[str], batch: int = 2048) -> list[int]:
    """One flat token list: `<|endoftext|>` + document, for every document, in order."""
    eot = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    stream: list[int] = []
    for start in range(0, len(docs), batch):
        enc = tokenizer(list(docs[start : start + batch]), add_special_tokens=False)
        for ids in enc["input_ids"]:
            stream.append(eot)
            stream.extend(ids)
    return stream


def pack(stream: Sequence[int], seq_len: int, max_tokens: int | None = None):
    """Cut a token stream into a `(n_blocks, seq_len)` LongTensor; the ragged tail is dropped."""
    import torch

    if seq_len < 2:
        raise ValueError(f"seq_len must be >= 2 to have anything to predict, got {seq_len}.")
    n = len(stream) if max_tokens is None else min(len(stream), max_tokens)
    n_blocks = n // seq_len
    if n_blocks == 0:
        raise ValueError(
            f"Only {len(stream)} tokens, fewer than one block of seq_len={seq_len}; "
            "generate more documents (CorpusConfig.n_documents) or lower seq_len."
        )
    return torch.tensor(stream[: n_blocks * seq_len], dtype=torch.long).view(n_blocks, seq_len)


def mean_loss(model, blocks, batch_size: int = 16, autocast_bf16: bool = False) -> float:
    """Mean next-token cross-entropy (nats/token) of `model` over packed `blocks`."""
    import torch

    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    device = model.device
    with torch.no_grad(), torch.autocast(device.type, torch.bfloat16, enabled=autocast_bf16):
        for start in range(0, len(blocks), batch_size):
            x = blocks[start : start + batch_size].to(device)
            loss = model(input_ids=x, labels=x).loss.float().item()
            n_pred = x.shape[0] * (x.shape[1] - 1)  # labels are shifted: one fewer per block
            total += loss * n_pred
            count += n_pred
    model.train(was_training)
    return total / count


def perplexity(model, blocks, batch_size: int = 16, autocast_bf16: bool = False) -> float:
    """exp(mean loss): how many tokens the model is "choosing between" on average.

    An untrained model over a 4096-token vocabulary scores around 4096 (uniform guessing); a
    model that learned the corpus scores in the single digits.
    """
    return math.exp(mean_loss(model, blocks, batch_size, autocast_bf16))
