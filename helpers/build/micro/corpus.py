"""The micro pretraining corpus: many short English documents about the world of helpers.world.

Deterministic for a seed (Python's `random.Random`, no global state), so the same command always
produces the same corpus, tokenizer and — up to floating-point nondeterminism — the same model.

Preview it from a shell:  python -m helpers.build.micro corpus --n 5
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.build.micro import dialogue, facts, goods, lexicon, recall, stories
from helpers.io import write_jsonl

Genre = Callable[[random.Random], str]


@dataclass
class CorpusConfig:
    """How much text to generate and how to split it."""

    seed: int = 0  # same seed -> same documents, in the same order
    n_documents: int = 150_000  # ~5.6M tokens with the default tokenizer; fewer for quick runs
    heldout_fraction: float = 0.02  # share of documents kept out of training for perplexity
    story_weight: float = 1.5  # narrative genres are drawn this much more often than facts
    recall_weight: float = 2.0  # genres that refer back to their context (recall.py): ~half the text
    # Word lists of the domain's and the instruction prompts' vocabulary, copied (lexicon.py), so
    # every token can be predicted. 0 (the default) leaves the corpus of stages 1-3 unchanged.
    lexicon_weight: float = 0.0
    lexicon_pool: str = "all"  # "all" words of the domain set and prompts, or "answers" only
    # Questions about the context asked and answered in speech (dialogue.py), so that a model
    # that reads its context can also answer a question about it. 0 (the default) leaves the
    # corpus of stages 1-5 unchanged.
    dialogue_weight: float = 0.0
    # Lists of people's names and towns, named again by place (dialogue.roll_call), so that the
    # model learns to tell them apart. 0 (the default) leaves the corpus of stages 1-6 unchanged.
    name_list_weight: float = 0.0
    # Words of the domain's and the prompts' vocabulary spelled out (lexicon.spelled_word), so
    # that words seen only in lists stop sharing one embedding. 0 (the default) leaves the
    # corpus of stages 1-8 unchanged.
    spelling_weight: float = 0.0
    # Market goods with fixed attributes (a chest's storage, a music box's memory, a cart's
    # cost), asked about by the attribute's word (goods.py), so that the domain's attribute
    # words get contexts of their own. 0 (the default) leaves the corpus of stages 1-8 unchanged.
    goods_weight: float = 0.0


def genres(config: CorpusConfig) -> tuple[list[Genre], list[float]]:
    """All document genres and their sampling weights."""
    gs = list(facts.GENRES) + list(stories.GENRES) + list(recall.GENRES)
    ws = ([1.0] * len(facts.GENRES) + [config.story_weight] * len(stories.GENRES)
          + [config.recall_weight] * len(recall.GENRES))
    if config.lexicon_weight > 0:  # appended only when used: the random stream stays as before
        extra = lexicon.ANSWER_GENRES if config.lexicon_pool == "answers" else lexicon.GENRES
        gs += list(extra)
        ws += [config.lexicon_weight] * len(extra)
    if config.dialogue_weight > 0:  # appended after the lexicon: earlier stages' streams hold
        gs += list(dialogue.GENRES)
        ws += [config.dialogue_weight] * len(dialogue.GENRES)
    if config.name_list_weight > 0:
        gs += list(dialogue.NAME_GENRES)
        ws += [config.name_list_weight] * len(dialogue.NAME_GENRES)
    if config.spelling_weight > 0:
        gs += list(lexicon.SPELLING_GENRES)
        ws += [config.spelling_weight] * len(lexicon.SPELLING_GENRES)
    if config.goods_weight > 0:
        gs += list(goods.GENRES)
        ws += [config.goods_weight] * len(goods.GENRES)
    return gs, ws


def generate_corpus(config: CorpusConfig | None = None) -> list[str]:
    """`config.n_documents` documents, each from a randomly chosen genre."""
    config = config or CorpusConfig()
    if config.n_documents < 1:
        raise ValueError(f"CorpusConfig.n_documents must be >= 1, got {config.n_documents}.")
    rng = random.Random(config.seed)
    gs, ws = genres(config)
    return [rng.choices(gs, ws)[0](rng) for _ in range(config.n_documents)]


@dataclass
class CorpusSplit:
    """Training documents and held-out documents (none of which also occurs in training)."""

    train: list[str]  # documents the model is trained on
    heldout: list[str]  # documents only used to measure perplexity


def split_corpus(docs: Sequence[str], heldout_fraction: float) -> CorpusSplit:
    """Last `heldout_fraction` of the documents is held out; exact duplicates of a training
    document are dropped from held-out, so perplexity is measured on text the model never saw.
    """
    if not 0.0 < heldout_fraction < 1.0:
        raise ValueError(f"heldout_fraction must be in (0, 1), got {heldout_fraction}.")
    cut = len(docs) - max(1, int(len(docs) * heldout_fraction))
    train = list(docs[:cut])
    seen = set(train)
    return CorpusSplit(train=train, heldout=[d for d in docs[cut:] if d not in seen])


def write_corpus(docs: Sequence[str], path: str | Path) -> Path:
    """Write documents as JSONL (`{"text": ...}` per line), loadable with `datasets`."""
    return write_jsonl(({"text": d} for d in docs), path)


def genre_counts(config: CorpusConfig) -> dict[str, int]:
    """How many documents of each genre the config generates (for the data card)."""
    rng = random.Random(config.seed)
    gs, ws = genres(config)
    counts = {g.__name__: 0 for g in gs}
    for _ in range(config.n_documents):
        g = rng.choices(gs, ws)[0]
        g(rng)  # keep the random stream identical to generate_corpus
        counts[g.__name__] += 1
    return counts


def recorded_split(model_dir: str | Path):
    """The train/held-out split of a pretrained micro model's last stage, rebuilt from its
    recorded corpus settings (pretrain_metrics.json; the corpus is deterministic)."""
    import json

    metrics_path = Path(model_dir) / "pretrain_metrics.json"
    if not metrics_path.exists():
        raise FileNotFoundError(f"{metrics_path} not found: the corpus is rebuilt from the "
                                "micro model's pretraining record")
    config = CorpusConfig(**json.loads(metrics_path.read_text())["config"]["corpus"])
    return split_corpus(generate_corpus(config), config.heldout_fraction)


def heldout_documents(model_dir: str | Path) -> list[str]:
    """All held-out documents of a pretrained micro model (see `recorded_split`)."""
    return recorded_split(model_dir).heldout


def write_heldout_sample(model_dir: str | Path, n: int = 64) -> Path:
    """Write the first `n` held-out documents to <model_dir>/heldout_sample.jsonl, the file
    helpers.data.heldout_texts reads (notebook 01, the experiment's perplexity)."""
    from helpers.data.bundled import HELDOUT_SAMPLE

    docs = heldout_documents(model_dir)[:n]
    return write_jsonl([{"text": d} for d in docs], Path(model_dir) / HELDOUT_SAMPLE)
