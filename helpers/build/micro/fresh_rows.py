"""Fresh embedding rows for words a continued-pretraining stage puts into sentences first.

Why this module exists: a token the corpus never holds still gets a gradient at every step,
through the tied output embedding: the softmax pushes its logit down, along the same direction
for every such token. After eight stages the 1844 never-seen rows of the micro model are one
vector, 3.5x the norm of a trained row (mean pairwise cosine 0.997 for "memory", "disk",
"cores", "cost"), and the rows of words seen only in word lists are nearly one too (0.905 for
"storage", "RAM", "SSD", "vCPUs", "GB"; data/results/micro/probe_stage8_bundled.json). When a
later stage gives such a word contexts of its own (goods.py), Adam moves the row too slowly to
leave that cluster: 400 steps of the goods genre moved "memory"/"cost"/"cores" from 0.997 to
0.97 (data/results/micro/README.md). `PretrainConfig.fresh_rows` redraws those rows before the
stage, at a trained row's typical length, so each starts as a word of its own.
"""

from __future__ import annotations

from collections.abc import Sequence


def sentence_ids(tokenizer, docs: Sequence[str]) -> set[int]:
    """The ids `docs` hold outside word-list lines."""
    from helpers.build.micro.vocab import ids_by_line_kind

    return ids_by_line_kind(tokenizer, docs)[1]


def newcomer_ids(tokenizer, before: set[int], now: Sequence[str]) -> list[int]:
    """Ids that `now` holds in a sentence and that are not in `before`, the ids an earlier
    corpus held in sentences (`sentence_ids`): held only in word lists or never."""
    return sorted(sentence_ids(tokenizer, now) - before)


def redraw_rows(model, ids: Sequence[int], keep: Sequence[int], seed: int) -> float:
    """Replace the input-embedding rows `ids` (tied: the output rows too) with independent
    normal draws whose expected length is the median length of the rows `keep`; return it."""
    import torch

    weight = model.get_input_embeddings().weight
    with torch.no_grad():
        scale = weight[list(keep)].norm(dim=1).median().item()
        gen = torch.Generator().manual_seed(seed)
        fresh = torch.randn(len(ids), weight.shape[1], generator=gen) * scale / weight.shape[1] ** 0.5
        weight[list(ids)] = fresh.to(weight.dtype)
    return scale


def refresh_newcomers(model, tokenizer, init_from: str, docs: Sequence[str], seed: int,
                      log=print) -> dict:
    """Redraw the rows of the words `docs` holds in sentences first (see `newcomer_ids`);
    the init model's corpus is rebuilt from its record. Returns what was done, for the card."""
    from helpers.build.micro.corpus import recorded_split

    before = sentence_ids(tokenizer, recorded_split(init_from).train)  # tokenised once
    ids = newcomer_ids(tokenizer, before, docs)
    scale = redraw_rows(model, ids, sorted(before), seed)
    words = [tokenizer.convert_ids_to_tokens(i) for i in ids]
    log(f"fresh rows for {len(ids)} ids first held in sentences (length {scale:.2f}): "
        f"{', '.join(w for w in words if w.isalpha())[:300]}")
    return {"count": len(ids), "row_length": round(scale, 4), "tokens": words}
