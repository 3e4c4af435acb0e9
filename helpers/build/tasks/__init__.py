"""Build-time: the bundled instruction splits (data/instructions/) and their data card.

    python -m helpers.build.tasks build --seed 1234

    from helpers.build.tasks import build_splits
    splits = build_splits()      # the same records as data/instructions/*.jsonl

The families (how each is asked and checked) and the answer checker are learner-side, in
helpers.tasks; what draws each family's examples is here: generators (the registry, one
generator per family), generators_{words,lists,numbers,facts}, lexicon (their word pools).
"""

from helpers.build.tasks.build import (
    SPLITS,
    BuildConfig,
    BuildError,
    Planned,
    alpaca_record,
    build_splits,
    plan_splits,
    write_dataset,
)

__all__ = [
    "SPLITS", "BuildConfig", "BuildError", "Planned", "alpaca_record", "build_splits",
    "plan_splits", "write_dataset",
]
