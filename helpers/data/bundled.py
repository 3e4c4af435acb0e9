"""The kit's bundled splits: data/instructions/{split}.jsonl and data/domain/{split}.jsonl.

One reader for both, so where they live, how a missing one is reported and what builds it are
written once. These files are the kit's own (already canonical chat records), so they are read
as they are (helpers.io.read_jsonl), not validated like a user's file (helpers.data.load).

    bundled_split("instructions", "test_seen")    # → list of {"messages": [...], ...}
    bundled_split("domain", "train")
"""

from __future__ import annotations

import os
from pathlib import Path

from helpers import paths
from helpers.io import read_jsonl

# dataset → (default folder, the command that builds it). The builders are named, not imported:
# reading the data must not pull the generators in.
BUNDLED = {
    "instructions": (paths.INSTRUCTIONS_DIR, "python -m helpers.tasks build"),
    "domain": (paths.DOMAIN_DIR, "python -m helpers.domain build"),
}


def bundled_split(dataset: str, split: str,
                  data_dir: str | os.PathLike | None = None) -> list[dict]:
    """Records of one bundled split, e.g. ("instructions", "train") or ("domain", "test").

    data_dir: read the split from this folder instead of the bundled one (a rebuilt copy).
    A missing file raises FileNotFoundError naming it, the splits that folder does hold, and
    the command that builds them.
    """
    if dataset not in BUNDLED:
        raise ValueError(f"no bundled dataset {dataset!r}: use one of {sorted(BUNDLED)}")
    default_dir, build = BUNDLED[dataset]
    if data_dir is None:
        paths.require_data_dir()  # data/ itself missing: say how to point helpers at a clone
    folder = Path(data_dir) if data_dir is not None else default_dir
    path = folder / f"{split}.jsonl"
    if not path.exists():
        present = sorted(p.stem for p in folder.glob("*.jsonl")) if folder.is_dir() else []
        fix = (f"{paths.display_path(folder)} holds the splits {present}: pick one of those, or "
               f"rebuild with `{build}`") if present else f"build it with `{build}`"
        raise FileNotFoundError(f"{paths.display_path(path)} not found: {fix}")
    return read_jsonl(path)
