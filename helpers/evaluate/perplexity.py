"""Held-out perplexity on plain texts, and the answer loss on chat records: token-weighted,
batched, padding masked.

Why token-weighted: averaging per-text perplexities lets a few short texts dominate; the
pretraining convention (and helpers.build.micro) is exp(total NLL / total predicted tokens).
Each text is prefixed with the tokenizer's BOS token (for the micro model `<|endoftext|>`,
the document separator it was pretrained with) so the first real token is predicted too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from helpers.chat.encode import IGNORE_INDEX


class PerplexityInputError(ValueError):
    """Texts that cannot be scored (empty list, or nothing left to predict)."""


def _encode(tokenizer, texts: Sequence[str], max_length: int) -> list[list[int]]:
    bos = tokenizer.bos_token_id
    enc = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    rows = [([bos] if bos is not None else []) + ids for ids in enc]
    return [r[:max_length] for r in rows if len(r[:max_length]) >= 2]


def _summed_nll(model, ids, mask, labels) -> tuple[float, int]:
    """Summed next-token NLL over positions whose label is not IGNORE_INDEX, and how many there are."""
    import torch

    logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
    targets = labels[:, 1:]
    nll = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE_INDEX, reduction="sum")
    return nll.item(), int((targets != IGNORE_INDEX).sum())


def _batch_nll(model, rows: list[list[int]], pad_id: int) -> tuple[float, int]:
    """Summed next-token NLL and the number of predicted tokens for one right-padded batch."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.tensor([r + [pad_id] * (width - len(r)) for r in rows], device=model.device)
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=model.device)
    return _summed_nll(model, ids, mask, ids.masked_fill(mask == 0, IGNORE_INDEX))  # pads never predicted


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


def _answer_batches(model, tokenizer, records: Sequence[dict], batch_size: int,
                    max_length: int, what: str):
    """Yield collated, on-device batches of the records' chat encodings (labels = answer +
    end-of-turn, the same tokens training puts in the loss)."""
    from helpers.chat import ChatCollator, ChatEncodingConfig, encode_records

    data = encode_records(tokenizer, list(records), ChatEncodingConfig(max_length=max_length))
    if not data.examples:
        raise PerplexityInputError(f"{what}: no record has an answer token to score "
                                   f"({data.summary()})")
    collate = ChatCollator(tokenizer)
    for start in range(0, len(data.examples), batch_size):
        yield {k: v.to(model.device) for k, v in collate(data.examples[start:start + batch_size]).items()}


def answer_loss(model, tokenizer, records: Sequence[dict], batch_size: int = 16,
                max_length: int = 256) -> float:
    """Mean NLL (nats/token) of the reference answers given their prompts: completion-only,
    the same tokens training puts in the loss (answer + end-of-turn), token-weighted.

    Why beside accuracy: exact match is all-or-nothing, so a small model that is *getting
    closer* scores 0 until it is exactly right; the answer loss moves with every step, and
    a rise after domain SFT shows forgetting long before accuracy can. With answers of a few
    tokens the end-of-turn token is ~30% of what is scored, so much of an early drop is the
    model learning to stop: answer_loss_parts shows the two apart.
    """
    import torch

    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in _answer_batches(model, tokenizer, records, batch_size, max_length, "answer_loss"):
            nll, n = _summed_nll(model, batch["input_ids"], batch["attention_mask"], batch["labels"])
            total, count = total + nll, count + n
    model.train(was_training)
    return total / count


@dataclass(frozen=True)
class AnswerLossParts:
    """The answer loss split into the answer's own tokens and the end-of-turn token."""

    content: float | None  # mean NLL over answer tokens that are not the EOS (None: none)
    end_of_turn: float | None  # mean NLL of the end-of-turn EOS token (None: all truncated)
    content_tokens: int  # how many content tokens were scored
    end_of_turn_tokens: int  # how many end-of-turn tokens were scored (one per answer turn)

    @property
    def total(self) -> float:
        """The token-weighted mean of both parts: what answer_loss returns."""
        n = self.content_tokens + self.end_of_turn_tokens
        return ((self.content or 0.0) * self.content_tokens
                + (self.end_of_turn or 0.0) * self.end_of_turn_tokens) / n


def _summed_nll_parts(model, batch: dict, eos_id: int) -> tuple[float, int, float, int]:
    """(summed NLL, count) over content label tokens, then over end-of-turn label tokens."""
    import torch

    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    logits, targets = logits[:, :-1].float(), batch["labels"][:, 1:]
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                            ignore_index=IGNORE_INDEX, reduction="none").view_as(targets)
    eot = targets == eos_id  # labels are -100 on padding, so pad == EOS is not counted here
    content = (targets != IGNORE_INDEX) & ~eot
    return nll[content].sum().item(), int(content.sum()), nll[eot].sum().item(), int(eot.sum())


def answer_loss_parts(model, tokenizer, records: Sequence[dict], batch_size: int = 16,
                      max_length: int = 256) -> AnswerLossParts:
    """answer_loss split in two: the content tokens and the end-of-turn token (the EOS).

    Why: the end-of-turn loss falls fast in the first steps of instruction tuning (the model
    learns to stop) and says nothing about whether the answers are right; the content loss is
    the part that tracks the skill. Compare `content` between variants, and read
    `end_of_turn` next to eos_stop_share. `.total` recombines them into answer_loss.
    """
    import torch

    sums = [0.0, 0, 0.0, 0]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for batch in _answer_batches(model, tokenizer, records, batch_size, max_length,
                                     "answer_loss_parts"):
            sums = [a + b for a, b in zip(sums, _summed_nll_parts(model, batch, tokenizer.eos_token_id))]
    model.train(was_training)
    c_nll, c_n, e_nll, e_n = sums
    return AnswerLossParts(content=c_nll / c_n if c_n else None,
                           end_of_turn=e_nll / e_n if e_n else None,
                           content_tokens=int(c_n), end_of_turn_tokens=int(e_n))
