"""Embedding rows a base model's pretraining never trained, and reading their list.

Why this matters for LoRA: peft freezes the embeddings, so a word the base never read keeps its
random initial vector for good — the adapter must learn to recognise noise. The micro model's
world corpus never contains "cost", "CPU", "phone", "much" or about half the other words of the
domain questions (their rows stay at the initial norm, ~3.8, where trained rows sit near 1).
Domain SFT then keys on the sentence frame, not the content word, and answers "How much does the
Squall plan cost?" with the Squall plan's storage. Training those rows too (peft
`trainable_token_indices`, the mechanism that already trains the chat markers) lets SFT read the
words. A hub model (SmolLM2) was pretrained on trillions of tokens and ships no such list.

`python -m helpers.build.micro untrained MODEL_DIR` writes the list; its corpus is deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path

UNTRAINED_TOKENS_FILE = "untrained_tokens.json"  # in the model folder, beside the weights


class UntrainedTokensError(ValueError):
    """untrained_tokens.json is unreadable or names ids outside the vocabulary."""


def read_untrained_token_ids(folder: str | Path, vocab_size: int) -> list[int]:
    """Ids in `folder`/untrained_tokens.json ([] when the folder has none, as hub models)."""
    path = Path(folder) / UNTRAINED_TOKENS_FILE
    if not path.is_file():
        return []
    try:
        ids = json.loads(path.read_text(encoding="utf-8"))["ids"]
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise UntrainedTokensError(
            f"{path}: not a token list ({e}); rebuild it with "
            f"`python -m helpers.build.micro untrained {folder}`") from e
    bad = [i for i in ids if not isinstance(i, int) or not 0 <= i < vocab_size]
    if bad:
        raise UntrainedTokensError(
            f"{path}: field 'ids' holds {bad[:5]}, outside this tokenizer's vocabulary of "
            f"{vocab_size}; the file belongs to another tokenizer — rebuild it for this folder")
    return sorted(set(ids))


def untrained_token_ids(model, vocab_size: int) -> list[int]:
    """The untrained rows of the folder `model` was loaded from (peft or plain, 4-bit or not)."""
    folder = getattr(model.config, "_name_or_path", "") or ""
    return read_untrained_token_ids(folder, vocab_size) if Path(folder).is_dir() else []
