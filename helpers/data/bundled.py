"""The kit's bundled splits: data/instructions/{split}.jsonl and data/domain/{split}.jsonl.

One reader for both, so where they live, how a missing one is reported and what builds it are
written once. These files are the kit's own (already canonical chat records), so they are read
as they are (helpers.io.read_jsonl), not validated like a user's file (helpers.data.load).

    bundled_split("instructions", "test_seen")    # → list of {"messages": [...], ...}
    bundled_split("domain", "train")
    heldout_texts(MICRO_MODEL_DIR, 64)            # → micro-model documents never trained on
"""

from __future__ import annotations

import os
from pathlib import Path

from helpers import paths
from helpers.io import read_jsonl

# dataset → (default folder, the command that builds it). The builders are named, not imported:
# reading the data must not pull the generators in.
BUNDLED = {
    "instructions": (paths.INSTRUCTIONS_DIR, "python -m helpers.build.tasks build"),
    "domain": (paths.DOMAIN_DIR, "python -m helpers.build.domain build"),
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

# Written by the micro-model builder next to the model; committed, so reading it needs no corpus.
HELDOUT_SAMPLE = "heldout_sample.jsonl"
HELDOUT_COMMAND = "python -m helpers.build.micro heldout {model_dir}"


def heldout_texts(model_dir: str | os.PathLike, n: int) -> list[str]:
    """The first `n` held-out pretraining documents of a micro model (never trained on).

    Read from `<model_dir>/heldout_sample.jsonl` ({"text": ...} per line), which the builder
    writes from the corpus seed and size recorded in the model's pretrain_metrics.json.
    """
    path = Path(model_dir) / HELDOUT_SAMPLE
    shown = paths.display_path(model_dir)
    if not path.exists():
        raise FileNotFoundError(
            f"{paths.display_path(path)} not found: held-out texts ship with the micro model; "
            f"write them with `{HELDOUT_COMMAND.format(model_dir=shown)}`, or pass your own "
            "texts for other models")
    texts = [r["text"] for r in read_jsonl(path)]
    if n > len(texts):
        raise ValueError(f"asked for {n} held-out texts but {paths.display_path(path)} holds "
                         f"{len(texts)}; rewrite it with `{HELDOUT_COMMAND.format(model_dir=shown)}"
                         f" --n {n}`")
    return texts[:n]
