"""Run directories: everything needed to understand, reproduce and ship one training run.

    run = Run.create("runs/registry", "sft-r16", cfg, data={"train": train, "eval": val},
                     tags=["domain", "sft"])
    result = train.train(model, tok, train, val, cfg.train)
    run.log_training(result)                         # loss history + final losses
    run.record_pii(pii.scan(train), role="train")    # lineage: what the data scan found
    run.save_adapter(model, tok, "sft")              # or run.finish(..., adapter_dir=folder)
    run.finish({"domain_accuracy": 0.81, "refusal_rate": 0.9})   # card + COMPLETE marker

The folder (runs/<id>/ inside the registry) holds config.json, run.json (seed, data
fingerprints, library versions, hardware, lineage), history.jsonl, metrics.json, adapter/,
README.md (the model card) and, written last, COMPLETE (a manifest of file hashes). Paths
stored inside are relative, so a registry can be zipped and opened on another machine.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers.io import file_sha256, write_json, write_jsonl
from helpers.paths import portable
from helpers.registry.errors import RegistryError, RunFinishedError, RunNotFoundError
from helpers.registry.index import COMPLETE_MARKER, Registry
from helpers.registry.lineage import (
    check_metrics,
    clean_history,
    collect_environment,
    config_dict,
    describe_data,
    portable_json_files,
)
from helpers.registry.model_card import write_model_card

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
ADAPTER_DIR = "adapter"  # the adapter's folder inside a run directory


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_json(path: Path, default: Any = None) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default


class Run:
    """One run directory inside a registry (see the module docstring)."""

    def __init__(self, registry: Registry, run_id: str) -> None:
        self.registry, self.id = registry, run_id
        self.dir = registry.run_dir(run_id)

    def __repr__(self) -> str:
        return f"Run({self.id!r}, complete={self.complete})"

    @classmethod
    def create(cls, registry_root: str | Path, name: str, config: Any,
               data: dict[str, Any] | None = None, tags: list[str] | tuple = (), *,
               seed: int | None = None, description: str = "",
               environment: dict | None = None) -> Run:
        """Start a run: make its folder (id = name, or name-2, … if taken) and index it.

        data: role → the records (fingerprinted here), a fingerprint string, or a dict with
        "fingerprint" (and optionally "records", "source" — the source shows in the card).
        seed: defaults to config["train"]["seed"].
        environment: hardware + versions; None collects them here (needs torch). Pass a dict
        you collected once to avoid re-detecting in a loop.
        """
        if not _NAME.match(name):
            raise RegistryError(f"run name {name!r} must start with a letter or digit and use "
                                "only letters, digits, '.', '_' or '-' (max 80 chars)")
        registry = Registry(registry_root)
        cfg = config_dict(config)
        meta = {"name": name, "created": _now(), "tags": list(tags), "description": description,
                "seed": seed if seed is not None else _config_seed(cfg),
                "data": describe_data(data), "lineage": {}, "training": {}, "finished": None,
                "environment": environment if environment is not None else collect_environment()}
        run = cls(registry, _make_unique_dir(registry.runs_dir, name))
        meta["id"] = run.id
        write_json(portable(cfg, registry.root), run.dir / "config.json")
        run._write_meta(meta)
        run._index()
        return run

    @classmethod
    def open(cls, registry_root: str | Path, run_id: str) -> Run:
        """An existing run folder (complete or not)."""
        run = cls(Registry(registry_root), run_id)
        if not (run.dir / "run.json").exists():
            raise RunNotFoundError(f"{run.dir} has no run.json: no run {run_id!r} there")
        return run

    # -- reading -------------------------------------------------------------------------
    @property
    def meta(self) -> dict:
        return _read_json(self.dir / "run.json", {})

    @property
    def config(self) -> dict:
        return _read_json(self.dir / "config.json", {})

    @property
    def metrics(self) -> dict:
        return _read_json(self.dir / "metrics.json", {})

    @property
    def history(self) -> list[dict]:
        path = self.dir / "history.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [json.loads(line) for line in lines if line.strip()]

    @property
    def complete(self) -> bool:
        return (self.dir / COMPLETE_MARKER).is_file()

    @property
    def adapter_path(self) -> Path | None:
        path = self.dir / ADAPTER_DIR
        return path if path.is_dir() else None

    # -- writing -------------------------------------------------------------------------
    def log_history(self, history: list[dict]) -> Path:
        """Write the metrics-over-time (TrainResult.history rows), replacing earlier ones."""
        self._writable()
        return write_jsonl(clean_history(history), self.dir / "history.jsonl")

    def log_training(self, result: Any) -> None:
        """Record a helpers.train TrainResult: its history and its final numbers."""
        self.log_history(result.history)
        summary = {k: getattr(result, k) for k in ("final_train_loss", "final_eval_loss",
                                                    "steps", "seconds", "resumed_from", "dropped")}
        self._update_meta(training=portable(summary, self.registry.root))

    def record_pii(self, report: Any, role: str = "train") -> dict:
        """Put a PII scan's summary (counts + the scanned data's fingerprint) into lineage."""
        self._writable()
        summary = dict(report.summary())
        known = self.meta["data"].get(role, {}).get("fingerprint")
        scanned = {summary.get("fingerprint"), summary.get("redacted_fingerprint")}
        summary["matches_run_data"] = known in scanned if known else None
        lineage = self.meta["lineage"]
        lineage.setdefault("pii", {})[role] = summary
        self._update_meta(lineage=lineage)
        return summary

    def save_adapter(self, peft_model: Any, tokenizer: Any, name: str = "default") -> Path:
        """Save adapter `name` (plain peft layout + tokenizer) into this run's adapter/."""
        from helpers.models import save_adapter

        self._writable()
        path = save_adapter(peft_model, tokenizer, self.dir / ADAPTER_DIR, name,
                            metadata={"run": self.id, "seed": self.meta.get("seed")})
        portable_json_files(path, self.registry.root)
        return path

    def finish(self, metrics: dict, adapter_dir: str | Path | None = None, *,
               eval_data: dict[str, str] | None = None, card: bool = True,
               **card_options: Any) -> Run:
        """Final metrics, adapter copy, model card, then COMPLETE; the run becomes immutable.

        eval_data: metric → the dataset it was measured on (shown in the model card).
        card_options: passed to write_model_card (license, intended_use, limitations).
        """
        self._writable()
        check_metrics(metrics)
        if adapter_dir is not None:
            self._copy_adapter(Path(adapter_dir))
        write_json(portable(metrics, self.registry.root), self.dir / "metrics.json")
        self._update_meta(finished=_now(), eval_data=dict(eval_data or {}),
                          adapter=ADAPTER_DIR if self.adapter_path else None)
        if card:
            write_model_card(self, **card_options)
        write_json(self._manifest(), self.dir / COMPLETE_MARKER)
        self._index()
        return self

    def check_files(self) -> list[str]:
        """Files that differ from the COMPLETE manifest (empty = intact)."""
        recorded = _read_json(self.dir / COMPLETE_MARKER, {}).get("files", {})
        actual = self._manifest()["files"]
        return sorted(p for p in set(recorded) | set(actual) if recorded.get(p) != actual.get(p))

    # -- internals -----------------------------------------------------------------------
    def _writable(self) -> None:
        if self.complete:
            raise RunFinishedError(f"run {self.id!r} is complete and immutable; start a new "
                                   "run with Run.create(...) to change anything")

    def _write_meta(self, meta: dict) -> None:
        write_json(portable(meta, self.registry.root), self.dir / "run.json")

    def _update_meta(self, **fields: Any) -> None:
        self._write_meta({**self.meta, **fields})

    def _copy_adapter(self, source: Path) -> None:
        target = self.dir / ADAPTER_DIR
        if source.resolve() == target.resolve():
            return
        if not (source / "adapter_config.json").is_file():
            raise FileNotFoundError(f"{source} has no adapter_config.json: pass the folder "
                                    "helpers.models.save_adapter() wrote")
        staging = self.dir / f".{ADAPTER_DIR}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        for item in sorted(source.iterdir()):
            copy = shutil.copytree if item.is_dir() else shutil.copy2
            copy(item, staging / item.name)
        shutil.rmtree(target, ignore_errors=True)
        portable_json_files(staging, self.registry.root)
        staging.rename(target)  # the adapter/ folder appears whole or not at all

    def _manifest(self) -> dict:
        files = {}
        for path in sorted(self.dir.rglob("*")):
            rel = path.relative_to(self.dir).as_posix()
            hidden = any(part.startswith(".") for part in Path(rel).parts)  # temp/staging
            if path.is_file() and rel != COMPLETE_MARKER and not hidden:
                files[rel] = file_sha256(path)
        return {"run": self.id, "finished": self.meta.get("finished"), "files": files}

    def _index(self) -> None:
        with self.registry.lock():
            index = self.registry.load_index()
            index["runs"][self.id] = index_entry_from_dir(self.registry, self.dir)
            self.registry.save_index(index)


def _config_seed(cfg: dict) -> int | None:
    train = cfg.get("train")
    return train.get("seed") if isinstance(train, dict) else None


def _make_unique_dir(runs_dir: Path, name: str) -> str:
    """mkdir runs/<name>, or <name>-2, -3, …: mkdir is atomic, so two writers never share."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        run_id = name if n == 1 else f"{name}-{n}"
        try:
            (runs_dir / run_id).mkdir()
            return run_id
        except FileExistsError:
            continue
    raise RegistryError(f"could not find a free id for run {name!r} in {runs_dir}")


def _summary(meta: dict, config: dict) -> dict:
    pick = {"model": ["model"], "lora": ["r"], "train": ["learning_rate", "max_steps"]}
    cfg = {s: {k: config[s][k] for k in keys if k in config.get(s, {})}
           for s, keys in pick.items() if isinstance(config.get(s), dict)}
    data = {role: d.get("fingerprint") for role, d in meta.get("data", {}).items()}
    return {"seed": meta.get("seed"), "config": cfg, "data": data}


def index_entry_from_dir(registry: Registry, folder: Path) -> dict | None:
    """The index entry a run folder implies (None if it has no run.json yet)."""
    meta = _read_json(folder / "run.json")
    if meta is None:
        return None
    done = (folder / COMPLETE_MARKER).is_file()
    return {"name": meta.get("name"), "path": f"runs/{folder.name}",
            "created": meta.get("created"), "tags": meta.get("tags", []),
            "status": "complete" if done else "running", "finished": meta.get("finished"),
            "summary": _summary(meta, _read_json(folder / "config.json", {})),
            "metrics": _read_json(folder / "metrics.json", {}) if done else {}}
