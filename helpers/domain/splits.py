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
