"""Adapters for notebook 06: the ones notebooks 03/04 saved, or small quick ones trained here.

Notebook 06 must run top to bottom on a fresh clone, where notebooks 03 and 04 have not been
run. Then it trains each missing adapter for a few steps (same helpers.train code path, just
short) and caches it, so the widget has something to compare. Quick adapters are *not* the
lesson's results: they show the mechanics (one base, several adapters, stop reasons), not the
quality that a full run reaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from helpers.adapter_meta import read_meta
from helpers.models import adapter_base, base_id, previous_adapter
from helpers.paths import DOMAIN_DIR, INSTRUCTIONS_DIR, display_path, repo_path

# repo_path is helpers.paths'; notebook 08 reaches it as quick.repo_path, so keep the import.

QUICK_DATA = {  # adapter stage → the bundled training file its quick version is trained on
    "instruction": INSTRUCTIONS_DIR / "train.jsonl",
    "domain": DOMAIN_DIR / "train.jsonl",
}


@dataclass
class QuickTrainSettings:
    """A deliberately short training run (seconds on a CPU with the micro model)."""

    max_steps: int = 12  # optimizer steps; the full lessons use hundreds
    batch_size: int = 8  # examples per step
    learning_rate: float = 1e-3  # the cpu preset's; 2e-3 for 24 steps collapsed to one answer
    max_length: int = 256  # tokens per example (the domain set's system prompt makes them longer)
    examples: int = 256  # how many records to draw (evenly spread) from the training file
    r: int = 8  # LoRA rank: small is enough to see the adapter change behaviour
    seed: int = 0  # same seed → same quick adapter


def _records(path: Path, n: int) -> list[dict]:
    """n records spread evenly over the file (files are grouped by task family/topic)."""
    from helpers.data import load

    records = load(path).records
    return records[:: max(1, len(records) // n)][:n]


def train_quick_adapter(model, data: str | Path, out_dir: str | Path, name: str,
                        settings: QuickTrainSettings | None = None) -> Path:
    """Train a LoRA adapter for a few steps on a chat-format file and save it (peft layout).

    model: a ModelSettings or a model path / hub id (loaded in 4-bit NF4, as for QLoRA).
    """
    from helpers import models, train
    from helpers.config import LoraSettings

    s = settings or QuickTrainSettings()
    base, tok = models.load_base(model)
    peft_model = models.attach_lora(base, tok, LoraSettings(r=s.r, alpha=2 * s.r,
                                                            dropout=0.0), name=name, seed=s.seed)
    result = train.train_briefly(peft_model, tok, _records(repo_path(data), s.examples),
                                 max_steps=s.max_steps, batch_size=s.batch_size,
                                 learning_rate=s.learning_rate, max_length=s.max_length,
                                 logging_steps=max(1, s.max_steps // 5), seed=s.seed)
    meta = {"stage": "quick", "steps": result.steps, "final_train_loss": result.final_train_loss,
            "data": str(Path(data).name), "quick_settings": asdict(s)}
    return models.save_adapter(peft_model, tok, repo_path(out_dir), name, meta)


def ensure_adapters(model, wanted: Mapping[str, str | Path], cache_dir: str | Path,
                    settings: QuickTrainSettings | None = None) -> dict[str, dict]:
    """For each {name: folder}: use the folder if it holds an adapter, else a cached or newly
    trained quick adapter in cache_dir/name. Returns {name: {"path", "origin"}}.

    origin is "saved" (from notebooks 03/04), "quick (cached)" or "quick (trained now)".
    Names must be keys of QUICK_DATA so a quick adapter knows what to train on. A saved
    adapter for another base raises (helpers.models.previous_adapter decides what is reused).
    """
    out: dict[str, dict] = {}
    base = base_id(model)
    for name, folder in wanted.items():
        saved, cached = previous_adapter(folder, model), repo_path(cache_dir) / name
        if saved is not None:
            out[name] = {"path": saved, "origin": "saved"}
        elif _cache_matches(cached, base, settings or QuickTrainSettings()):
            out[name] = {"path": cached, "origin": "quick (cached)"}
        else:  # missing, or cached for another base or settings: (re)train the stand-in
            if name not in QUICK_DATA:
                raise ValueError(f"adapter {name!r}: {folder} has no adapter_config.json and no "
                                 f"quick recipe exists for that name; use one of "
                                 f"{sorted(QUICK_DATA)} or point it at a saved adapter folder")
            path = train_quick_adapter(model, QUICK_DATA[name], cached, name, settings)
            out[name] = {"path": path, "origin": "quick (trained now)"}
    return out


def _cache_matches(folder: Path, base: str, settings: QuickTrainSettings) -> bool:
    """A cached stand-in is reused only for the same base model and the same settings."""
    if not (folder / "adapter_config.json").exists():
        return False
    meta = read_meta(folder)  # {} without a tunelab.json: not a stand-in this module made
    return adapter_base(folder) == base and meta.get("quick_settings") == asdict(settings)


def describe(found: Mapping[str, dict]) -> str:
    """One line per adapter: name, origin and repo-relative folder (no machine paths)."""
    lines = []
    for name, info in found.items():
        meta = read_meta(info["path"])
        steps = f", {meta['steps']} steps" if "steps" in meta else ""
        lines.append(f"{name}: {info['origin']}{steps} — {display_path(info['path'])}")
    return "\n".join(lines)

