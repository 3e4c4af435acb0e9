"""Group-aware train/eval split: whole groups go to one side, deterministically.

Why groups: examples generated from one template, one document or one task family are near
copies. A random split puts siblings on both sides and the eval score measures memorisation.
Splitting by group (e.g. key="family") makes eval measure transfer to unseen groups.

How: the distinct group values are sorted (so record order and hash seeds do not matter),
shuffled with random.Random(seed), and walked in that order; a group goes to eval when adding
it brings the eval record count closer to eval_fraction * len(records). Both sides always get
at least one group. Same records + same key + same seed -> the same split, on every machine.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from helpers.data.errors import MissingFieldError, WrongTypeError, describe


@dataclass
class SplitResult:
    """The two sides of a group split, and which groups went where."""

    train: list[dict[str, Any]]  # records whose group is in train_groups, input order kept
    eval: list[dict[str, Any]]  # records whose group is in eval_groups, input order kept
    train_groups: list[Any]  # group values on the train side, in shuffled order
    eval_groups: list[Any]  # group values on the eval side, in shuffled order
    key: str  # the record key that defined the groups
    seed: int  # the seed used

    def summary(self) -> str:
        """e.g. "split by 'family' (seed 0): train 80 records / 8 groups, eval 20 / 2"."""
        total = len(self.train) + len(self.eval)
        share = len(self.eval) / total if total else 0.0
        return (f"split by {self.key!r} (seed {self.seed}): train {len(self.train)} records / "
                f"{len(self.train_groups)} groups, eval {len(self.eval)} records / "
                f"{len(self.eval_groups)} groups ({share:.0%} eval)")


def _group_of(record: Any, key: str, index: int) -> Any:
    if not isinstance(record, dict) or record.get(key) is None:
        raise MissingFieldError("record has no group value", record=index + 1, field=key,
                                expected=f"every record to have a '{key}' value (or pass another "
                                "key=)")
    value = record[key]
    if not isinstance(value, (str, int, bool)):
        raise WrongTypeError(f"group value is {describe(value)}", record=index + 1, field=key,
                             expected="a string or integer group label")
    return value


def group_split(records: Any, key: str = "family", eval_fraction: float = 0.2,
                seed: int = 0) -> SplitResult:
    """Split records into train/eval so that no value of record[key] is on both sides."""
    if not 0.0 < eval_fraction < 1.0:
        raise ValueError(f"eval_fraction={eval_fraction}; expected a number between 0 and 1")
    records = list(records)
    members: dict[Any, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        members[_group_of(rec, key, i)].append(i)
    if len(members) < 2:
        raise ValueError(f"only {len(members)} distinct '{key}' value(s) in {len(records)} "
                         "records; expected at least 2 groups to split (use another key)")
    order = sorted(members, key=lambda g: (type(g).__name__, str(g)))
    random.Random(seed).shuffle(order)
    eval_groups = _choose_eval_groups(order, members, eval_fraction * len(records))
    chosen = set(eval_groups)
    train_groups = [g for g in order if g not in chosen]
    in_eval = {i for g in eval_groups for i in members[g]}
    return SplitResult(
        train=[r for i, r in enumerate(records) if i not in in_eval],
        eval=[r for i, r in enumerate(records) if i in in_eval],
        train_groups=train_groups, eval_groups=eval_groups, key=key, seed=seed)


def _choose_eval_groups(order: list, members: dict, target: float) -> list:
    """Walk groups in shuffled order; take one if it moves the eval count closer to target."""
    chosen, count = [], 0
    for g in order:
        size = len(members[g])
        # |count + size - target| <= |count - target|  <=>  count + size / 2 <= target
        if count + size / 2 <= target and len(chosen) < len(order) - 1:
            chosen.append(g)
            count += size
    return chosen or order[:1]
