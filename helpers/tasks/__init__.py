"""helpers.tasks: the instruction-task suite the micro model is instruction-tuned on.

40 small task families over the micro world's vocabulary, each with several phrasings and a
programmatic answer checker, split to measure seen-task accuracy, robustness to an unseen
phrasing and zero-shot transfer to unseen families. Rebuild the bundled files with
`python -m helpers.tasks build`; score generations with `score_records`.

    from helpers.tasks import build_splits, score_records
    splits = build_splits()                      # same records as data/instructions/*.jsonl
    acc = score_records(splits["test_seen"], generations)   # {family: accuracy}
"""

from helpers.tasks.base import Example, Family
from helpers.tasks.build import (
    SPLITS,
    BuildConfig,
    BuildError,
    Planned,
    alpaca_record,
    build_splits,
    plan_splits,
    split_user_content,
    write_dataset,
)
from helpers.tasks.families import (
    FAMILIES,
    HELD_OUT_FAMILIES,
    UnknownFamilyError,
    family_names,
    get_family,
)
from helpers.tasks.score import ScoringError, normalise, score, score_records

__all__ = [
    "FAMILIES",
    "HELD_OUT_FAMILIES",
    "SPLITS",
    "BuildConfig",
    "BuildError",
    "Example",
    "Family",
    "Planned",
    "ScoringError",
    "UnknownFamilyError",
    "alpaca_record",
    "build_splits",
    "family_names",
    "get_family",
    "normalise",
    "plan_splits",
    "score",
    "score_records",
    "split_user_content",
    "write_dataset",
]
