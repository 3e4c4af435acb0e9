"""Write data/domain/: the knowledge base, the three splits, and a data card generated from them.

Every number in the card (helpers.build.domain.data_card) is counted from the records just written, so the
card cannot drift from the files (tests/test_domain.py re-checks it, and that the committed files equal a
fresh build).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from helpers.build.domain.data_card import render_card
from helpers.build.domain.qa import DOMAIN_SYSTEM_PROMPT, SPLITS, DomainConfig, build_splits
from helpers.domain.kb import kb_as_dict
from helpers.domain.scope import ESCALATION_MESSAGE, REFUSAL_MESSAGE
from helpers.io import atomic_write_text, file_sha256, write_json, write_jsonl
from helpers.paths import DOMAIN_DIR

FILES = ("kb.json", *(f"{s}.jsonl" for s in SPLITS), "README.md")


def dataset_hash(out_dir: str | os.PathLike = DOMAIN_DIR) -> str:
    """One sha256 over every file of the built set (name and bytes), for golden tests."""
    h = hashlib.sha256()
    for name in FILES:
        h.update(name.encode() + b"\0" + (Path(out_dir) / name).read_bytes())
    return h.hexdigest()


def kb_document() -> dict:
    """kb.json: the facts plus the fixed prompt and responses a notebook needs."""
    return {**kb_as_dict(), "system_prompt": DOMAIN_SYSTEM_PROMPT,
            "refusal_message": REFUSAL_MESSAGE, "escalation_message": ESCALATION_MESSAGE}


def write_dataset(out_dir: str | os.PathLike = DOMAIN_DIR,
                  config: DomainConfig | None = None) -> dict[str, Path]:
    """Build every split and write kb.json, {split}.jsonl and README.md into `out_dir`."""
    config = config or DomainConfig()
    out = Path(out_dir)
    splits = build_splits(config)
    paths = {"kb.json": write_json(kb_document(), out / "kb.json")}
    for name in SPLITS:
        paths[f"{name}.jsonl"] = write_jsonl(splits[name], out / f"{name}.jsonl")
    shas = {name: file_sha256(p) for name, p in paths.items()}
    paths["README.md"] = atomic_write_text(out / "README.md", render_card(splits, config, shas))
    return paths
