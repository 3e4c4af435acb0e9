"""The bundled domain splits as the notebooks read them: names, system prompt, loader.

Built by `python -m helpers.build.domain build` (helpers/build/domain); this module only reads.
"""

from __future__ import annotations

import os

from helpers.data.bundled import bundled_split

DOMAIN_SYSTEM_PROMPT = "You are the Nimbusly support assistant. Answer in one short sentence."
SPLITS = ("train", "validation", "test")


def load_split(split: str, data_dir: str | os.PathLike | None = None) -> list[dict]:
    """Read one built split ("train", "validation" or "test") as a list of records.

    data_dir: a rebuilt copy's folder; None reads the bundled data/domain (helpers.data's
    bundled_split, the one reader of the kit's splits).
    """
    if split not in SPLITS:
        raise ValueError(f"split {split!r} is not one of {SPLITS}")
    return bundled_split("domain", split, data_dir)


def trained_fact_sample(train_records: list[dict], n: int | None = 70, seed: int = 0) -> list[dict]:
    """`n` fact questions from the training split, balanced over topics (deterministic).

    Scored beside the test split's held-out phrasings they separate what SFT memorised (the
    trained phrasings' answers) from what it learned (the facts behind them). 70 = the test
    split's fact questions, so both shares carry intervals of the same width.
    """
    from helpers.evaluate import sample_records

    facts = [r for r in train_records if r.get("kind") == "fact"]
    if not facts:
        raise ValueError("no fact records among the training records: pass the domain train "
                         "split (helpers.domain.load_split('train'))")
    return sample_records(facts, n, seed, key="topic")
