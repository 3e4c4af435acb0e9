"""Build-time: the bundled instruction splits (data/instructions/) and their data card.

    python -m helpers.build.tasks build --seed 1234

    from helpers.build.tasks import build_splits
    splits = build_splits()      # the same records as data/instructions/*.jsonl

The families and the answer checker are learner-side, in helpers.tasks.
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
