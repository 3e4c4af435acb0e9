"""One row per task family: accuracy with its interval, next to what a trivial model scores.

Read a row left to right: is the interval narrow enough to mean anything (n >= 20 gives about
±0.2), and is the accuracy above both baselines? A family at its majority baseline has learned
the answer distribution, not the task. Letter-level families (reverse_word, uppercase, …) are
flagged and left out of the headline "seen, excluding letter-level" number: a BPE model sees
tokens, not letters, so they measure the tokenizer more than the tuning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from helpers.evaluate.intervals import Proportion, proportion

# Families whose answer needs the letters inside a token; reported apart (see module doc).
LETTER_LEVEL_FAMILIES: frozenset[str] = frozenset({
    "reverse_word", "uppercase", "count_letters", "first_letter", "last_letter"})


@dataclass(frozen=True)
class FamilyRow:
    """One family's result on one split."""

    family: str
    n: int  # test records of the family
    correct: int  # of those answered right (the family's checker)
    accuracy: float  # correct / n
    low: float  # Wilson 95% interval, lower end
    high: float  # Wilson 95% interval, upper end
    majority: float  # accuracy of always giving the majority training answer
    majority_answer: str  # that answer
    chance: float  # expected accuracy of a uniform guess among the input's candidates
    letter_level: bool  # in LETTER_LEVEL_FAMILIES: reported apart
    held_out: bool  # a family never trained on (test_unseen_family)


@dataclass(frozen=True)
class FamilyTable:
    """Per-family rows plus pooled accuracies (None where a group has no records)."""

    rows: list[FamilyRow]
    seen_excluding_letters: Proportion | None  # the headline number for seen families
    letter_level: Proportion | None  # letter-level families, pooled
    held_out: Proportion | None  # held-out families, pooled
    eos_stop_share: float | None  # answers that ended by themselves (None: plain strings)

    def as_dicts(self) -> list[dict]:
        """The rows as plain dicts (for JSON, pandas or helpers.evaluate.ResultTable)."""
        return [asdict(r) for r in self.rows]

    def __str__(self) -> str:
        from helpers.evaluate.table import ResultTable

        lines = [str(ResultTable(self.as_dicts()))]
        for name in ("seen_excluding_letters", "letter_level", "held_out"):
            if getattr(self, name) is not None:
                lines.append(f"{name}: {getattr(self, name)}")
        return "\n".join(lines)


def family_table(records: Sequence[Mapping], generations: Sequence,
                 train_records: Sequence[Mapping] | None = None, z: float = 1.96) -> FamilyTable:
    """Per-family n, correct, accuracy, Wilson interval, majority and chance baselines.

    Takes what instruction_metrics takes (records from data/instructions, one generation per
    record: str or helpers.generate.Generation). `train_records` feed the majority baseline;
    default: the bundled data/instructions/train.jsonl, the split the adapters are tuned on.
    """
    from helpers.evaluate.baselines import chance_baseline, majority_baseline
    from helpers.evaluate.metrics import _check_aligned, eos_stop_share, family_hits, texts_of

    _check_aligned(records, generations, "family_table")
    hits = family_hits(records, texts_of(generations), "family_table")
    majority = majority_baseline(records, _default_train() if train_records is None else train_records)
    chance = chance_baseline(records)
    rows = [_row(f, h, majority[f], chance[f], z) for f, h in sorted(hits.items())]
    return FamilyTable(
        rows=rows,
        seen_excluding_letters=_pooled([r for r in rows if not r.held_out and not r.letter_level], z),
        letter_level=_pooled([r for r in rows if r.letter_level], z),
        held_out=_pooled([r for r in rows if r.held_out], z),
        eos_stop_share=eos_stop_share(generations))


@dataclass(frozen=True)
class SplitSummary:
    """A whole test split at a glance: the score with its interval beside both baselines."""

    score: Proportion  # every example of the split, pooled
    majority: float  # accuracy of always giving each family's majority training answer
    chance: float  # expected accuracy of uniform guessing among each input's candidates

    def __str__(self) -> str:
        return f"{self.score}  (majority answer {self.majority:.2f}, chance {self.chance:.2f})"


def split_summary(families: Sequence[Mapping], z: float = 1.96) -> SplitSummary:
    """Pool per-family rows (FamilyRow dicts, e.g. EvalResult.details[split]["families"]) into
    one score with its interval and the example-weighted majority and chance baselines."""
    n = sum(f["n"] for f in families)
    if not n:
        raise ValueError("split_summary: no examples in these family rows")
    return SplitSummary(score=proportion(sum(f["correct"] for f in families), n, z),
                        majority=sum(f["majority"] * f["n"] for f in families) / n,
                        chance=sum(f["chance"] * f["n"] for f in families) / n)


def _row(family: str, hits: list[bool], majority, chance: float, z: float) -> FamilyRow:
    from helpers.tasks import HELD_OUT_FAMILIES

    p = proportion(sum(hits), len(hits), z)
    return FamilyRow(family=family, n=p.n, correct=p.correct, accuracy=p.accuracy, low=p.low,
                     high=p.high, majority=majority.accuracy, majority_answer=majority.answer,
                     chance=chance, letter_level=family in LETTER_LEVEL_FAMILIES,
                     held_out=family in HELD_OUT_FAMILIES)


def _pooled(rows: list[FamilyRow], z: float) -> Proportion | None:
    """All examples of `rows` counted together (a big family weighs more), or None if none."""
    if not rows:
        return None
    return proportion(sum(r.correct for r in rows), sum(r.n for r in rows), z)


def _default_train() -> list[dict]:
    from helpers.data.bundled import bundled_split

    return bundled_split("instructions", "train")
