"""Held-out perplexity on plain texts, and the answer loss on chat records: token-weighted,
batched, padding masked.

Why token-weighted: averaging per-text perplexities lets a few short texts dominate; the
pretraining convention (and helpers.micro) is exp(total NLL / total predicted tokens).
Each text is prefixed with the tokenizer's BOS token (for the micro model `<|endoftext|>`,
the document separator it was pretrained with) so the first real token is predicted too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


class PerplexityInputError(ValueError):
    """Texts that cannot be scored (empty list, or nothing left to predict)."""


def _encode(tokenizer, texts: Sequence[str], max_length: int) -> list[list[int]]:
    bos = tokenizer.bos_token_id
    enc = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    rows = [([bos] if bos is not None else []) + ids for ids in enc]
    return [r[:max_length] for r in rows if len(r[:max_length]) >= 2]


def _summed_nll(model, ids, mask, labels) -> tuple[float, int]:
    """Summed next-token NLL over positions whose label is not -100, and how many there are."""
    import torch

    logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
    targets = labels[:, 1:]
    nll = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100, reduction="sum")
    return nll.item(), int((targets != -100).sum())


def _batch_nll(model, rows: list[list[int]], pad_id: int) -> tuple[float, int]:
    """Summed next-token NLL and the number of predicted tokens for one right-padded batch."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.tensor([r + [pad_id] * (width - len(r)) for r in rows], device=model.device)
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=model.device)
    return _summed_nll(model, ids, mask, ids.masked_fill(mask == 0, -100))  # pads never predicted


def perplexity(model, tokenizer, texts: Sequence[str], batch_size: int = 16,
               max_length: int = 256) -> float:
    """exp(mean next-token NLL) of `model` over `texts` (longer texts truncated to max_length).

    Pass held-out text the model never trained on (for the micro model: the held-out
    pretraining documents). An adapter that raises it has damaged general language modelling.
    """
    import torch

    rows = _encode(tokenizer, texts, max_length)
    if not rows:
        raise PerplexityInputError(
            f"perplexity: none of the {len(texts)} texts has a token to predict; pass non-empty texts")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    rows = sorted(rows, key=len)  # similar lengths per batch: less padding, same result
    with torch.no_grad():
        for start in range(0, len(rows), batch_size):
            nll, n = _batch_nll(model, rows[start:start + batch_size], pad_id)
            total, count = total + nll, count + n
    model.train(was_training)
    return math.exp(total / count)


def answer_loss(model, tokenizer, records: Sequence[dict], batch_size: int = 16,
                max_length: int = 256) -> float:
    """Mean NLL (nats/token) of the reference answers given their prompts: completion-only,
    the same tokens training puts in the loss (answer + end-of-turn), token-weighted.

    Why beside accuracy: exact match is all-or-nothing, so a small model that is *getting
    closer* scores 0 until it is exactly right; the answer loss moves with every step, and
    a rise after domain SFT shows forgetting long before accuracy can.
    """
    import torch

    from helpers.chat import ChatCollator, ChatEncodingConfig, encode_records

    data = encode_records(tokenizer, list(records), ChatEncodingConfig(max_length=max_length))
    if not data.examples:
        raise PerplexityInputError(f"answer_loss: no record has an answer token to score "
                                   f"({data.summary()})")
    collate = ChatCollator(tokenizer)
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(data.examples), batch_size):
            batch = {k: v.to(model.device)
                     for k, v in collate(data.examples[start:start + batch_size]).items()}
            nll, n = _summed_nll(model, batch["input_ids"], batch["attention_mask"], batch["labels"])
            total, count = total + nll, count + n
    model.train(was_training)
    return total / count
