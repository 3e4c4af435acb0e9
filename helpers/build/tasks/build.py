"""Build the instruction-task suite: draw examples, split them, write JSONL + Alpaca + card.

The splits answer the lessons' three questions:

| file                       | families        | phrasings           | question it answers           |
|----------------------------|-----------------|---------------------|-------------------------------|
| train.jsonl                | seen            | seen (all but last) | —                             |
| test_seen.jsonl            | seen            | seen                | did it learn the tasks?       |
| test_phrasing.jsonl        | seen            | held out (the last) | does it follow new wordings?  |
| test_unseen_family.jsonl   | held out        | all                 | does it transfer zero-shot?   |

No input appears in two splits: inputs are drawn per family without replacement (by the
example's field values, so the same input asked with another phrasing still counts as the
same input), tests first, then train from what is left. The one exception: test_phrasing
grew from 10 to 20 per family after adapters had been trained, so its second ten are drawn
*after* train from the same RNG (`test_phrasing_before_train`), which left train.jsonl
byte-identical. Families whose input space is used up by then (the letter families: 149
words) keep only the first ten.

Each family draws from its own RNG seeded with (seed, family name), so adding a family or
changing one family's count leaves every other family's examples unchanged. The draws are made
by the family's example generator (helpers.build.tasks.generators); the phrasings they are
asked with come from the learner-side family (helpers.tasks).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.build.tasks.generators import check_generators, generator
from helpers.tasks.base import Example, Family, split_user_content, user_content
from helpers.tasks.families import FAMILIES, HELD_OUT_FAMILIES, get_family

SPLITS = ("train", "test_seen", "test_phrasing", "test_unseen_family")


@dataclass(frozen=True)
class BuildConfig:
    """How many examples of what go where. The defaults build the bundled data/instructions."""

    seed: int = 1234  # one seed for everything; same seed => byte-identical files
    train_per_family: int = 130  # upper bound: families with a small input space get fewer
    test_seen_per_family: int = 20  # new inputs, seen phrasings
    test_phrasing_per_family: int = 20  # new inputs, the held-out phrasing (>= 20: see intervals)
    # How many test_phrasing inputs are drawn before train; the rest come after it, so growing
    # test_phrasing never changes train. Keep it at 10 unless you mean to change train.jsonl.
    test_phrasing_before_train: int = 10
    test_unseen_per_family: int = 25  # held-out families, all phrasings
    held_out_families: tuple[str, ...] = field(default=HELD_OUT_FAMILIES)  # never trained on
    max_draws: int = 20_000  # per family: stop drawing when the input space is exhausted


class BuildError(ValueError):
    """A build configuration that cannot produce the requested splits."""


def draw_unique(family: Family, rng: random.Random, n: int, max_draws: int,
                exclude: frozenset[str] = frozenset()) -> list[Example]:
    """Up to `n` examples of `family` with pairwise different inputs (fewer if the space is small).

    Inputs whose key is in `exclude` (already placed in another split) are skipped.
    """
    make = generator(family.name)
    seen: set[str] = set(exclude)
    out: list[Example] = []
    for _ in range(max_draws):
        if len(out) == n:
            break
        example = make(rng)
        if example.key not in seen:
            seen.add(example.key)
            out.append(example)
    return out


def make_record(family: Family, example: Example, phrasing: int, split: str, index: int) -> dict[str, Any]:
    """The canonical record: messages (user, assistant) plus the metadata evaluation needs."""
    instruction, data = family.render(example, phrasing)
    return {
        "messages": [
            {"role": "user", "content": user_content(instruction, data)},
            {"role": "assistant", "content": example.answer},
        ],
        "id": f"{family.name}-{split}-{index:04d}",
        "family": family.name,
        "phrasing": phrasing,
        "split": split,
        "answer": example.answer,
    }


@dataclass(frozen=True)
class Planned:
    """One example placed in a split: what build_splits turns into a record."""

    family: Family  # the task family
    example: Example  # the drawn input and its answer
    phrasing: int  # index into family.phrasings
    split: str  # one of SPLITS
    index: int  # position within (family, split); makes the record id


def plan_splits(config: BuildConfig | None = None) -> dict[str, list[Planned]]:
    """Which example goes to which split with which phrasing (train shuffled, tests by family).

    Exposed so tests can check leakage on the examples' input keys, not only on the text.
    """
    config = config or BuildConfig()
    for name in config.held_out_families:
        get_family(name)  # raises UnknownFamilyError for a typo
    check_generators()  # every family has its generator, and no generator lacks a family
    plan: dict[str, list[Planned]] = {s: [] for s in SPLITS}
    for family in FAMILIES:
        rng = random.Random(f"{config.seed}:{family.name}")  # str seeds are stable across runs
        if family.name in config.held_out_families:
            _plan_unseen(plan, family, rng, config)
        else:
            _plan_seen(plan, family, rng, config)
    random.Random(config.seed).shuffle(plan["train"])
    return plan


def build_splits(config: BuildConfig | None = None) -> dict[str, list[dict[str, Any]]]:
    """All four splits as lists of canonical records (train shuffled, tests grouped by family)."""
    return {name: [make_record(p.family, p.example, p.phrasing, p.split, p.index) for p in items]
            for name, items in plan_splits(config).items()}


def _plan_seen(plan: dict, family: Family, rng: random.Random, config: BuildConfig) -> None:
    n_seen = config.test_seen_per_family
    n_first = min(config.test_phrasing_before_train, config.test_phrasing_per_family)
    wanted = n_seen + n_first + config.train_per_family
    examples = draw_unique(family, rng, wanted, config.max_draws)
    if len(examples) < n_seen + n_first + 1:
        raise BuildError(f"family {family.name!r} has only {len(examples)} distinct inputs; "
                         f"lower test_seen_per_family/test_phrasing_per_family or hold it out")
    trained = len(family.phrasings) - 1  # the last phrasing is never used in training
    for i, e in enumerate(examples[:n_seen]):
        plan["test_seen"].append(Planned(family, e, i % trained, "test_seen", i))
    for i, e in enumerate(examples[n_seen + n_first:]):
        plan["train"].append(Planned(family, e, rng.randrange(trained), "train", i))
    # Drawn after train (same RNG), so train does not depend on test_phrasing_per_family.
    late = _draw_late(family, rng, config, examples, exhausted=len(examples) < wanted)
    for i, e in enumerate(examples[n_seen:n_seen + n_first] + late):
        plan["test_phrasing"].append(Planned(family, e, trained, "test_phrasing", i))


def _draw_late(family: Family, rng: random.Random, config: BuildConfig,
               taken: list[Example], exhausted: bool) -> list[Example]:
    """The test_phrasing inputs beyond the first `test_phrasing_before_train`: new inputs only.

    None when the family's input space was already used up (draw_unique found fewer than it
    asked for): another 20,000 draws would find nothing and only cost time.
    """
    extra = config.test_phrasing_per_family - config.test_phrasing_before_train
    if extra <= 0 or exhausted:
        return []
    return draw_unique(family, rng, extra, config.max_draws, frozenset(e.key for e in taken))


def _plan_unseen(plan: dict, family: Family, rng: random.Random, config: BuildConfig) -> None:
    examples = draw_unique(family, rng, config.test_unseen_per_family, config.max_draws)
    for i, e in enumerate(examples):
        phrasing = i % len(family.phrasings)
        plan["test_unseen_family"].append(Planned(family, e, phrasing, "test_unseen_family", i))


def alpaca_record(record: dict[str, Any]) -> dict[str, Any]:
    """Alpaca form via helpers.data.to_alpaca, with the input moved back out of the instruction.

    to_alpaca keeps the whole user turn as `instruction`; splitting at the blank line gives the
    natural Alpaca record, and helpers.data reads it back to the identical canonical record
    (it joins instruction and input with the same blank line).
    """
    from helpers.data import to_alpaca

    out = to_alpaca(record)
    out["instruction"], out["input"] = split_user_content(record["messages"][0]["content"])
    return out


def write_dataset(out_dir: str | Path | None = None, config: BuildConfig | None = None) -> dict[str, Path]:
    """Build and write the JSONL splits, their Alpaca copies and the README data card."""
    from helpers import paths
    from helpers.build.tasks.data_card import write_card
    from helpers.io import write_json, write_jsonl

    config = config or BuildConfig()
    out = Path(out_dir) if out_dir is not None else paths.INSTRUCTIONS_DIR
    splits = build_splits(config)
    written: dict[str, Path] = {}
    for name, records in splits.items():
        written[name] = write_jsonl(records, out / f"{name}.jsonl")
        written[f"alpaca/{name}"] = write_json([alpaca_record(r) for r in records],
                                               out / "alpaca" / f"{name}.json")
    written["README"] = write_card(out, splits, config)
    return written
