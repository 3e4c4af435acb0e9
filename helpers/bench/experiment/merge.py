"""Merge experiment runs made in parallel (one process per seed) into one results document.

On a 2-core machine three one-thread processes (`--seeds 0`, `--seeds 1`, `--seeds 2`, each
with its own `--out`) finish the experiment in about half the time of one process running the
seeds in turn. The merge checks that the parts ran the same configuration apart from the seeds,
keeps one base row (the base is not trained, and its evaluation is deterministic), and records
the parts' wall times; `wall_seconds` becomes the longest part, which is what a reader waited.
"""

from __future__ import annotations

import json
from pathlib import Path


class MergeError(ValueError):
    """Parts that cannot be merged; the message names the file and the difference."""


def _load(path: Path) -> dict:
    try:
        return json.loads((path / "results.json" if path.is_dir() else path).read_text())
    except FileNotFoundError:
        raise MergeError(f"{path}: no results.json there; pass the --out folder of each part") from None


def _same_config(parts: list[tuple[Path, dict]]) -> dict:
    first_path, first = parts[0]
    ref = {k: v for k, v in first["config"].items() if k != "seeds"}
    for path, doc in parts[1:]:
        cfg = {k: v for k, v in doc["config"].items() if k != "seeds"}
        diff = sorted(k for k in ref.keys() | cfg.keys() if ref.get(k) != cfg.get(k))
        if diff:
            raise MergeError(f"{path}: config differs from {first_path} in {diff}; "
                             "parts must run the same experiment with different seeds")
    seeds = [s for _, doc in parts for s in doc["config"]["seeds"]]
    if len(set(seeds)) != len(seeds):
        raise MergeError(f"the parts repeat seeds {seeds}: give each process its own seeds")
    return {**first["config"], "seeds": sorted(seeds)}


def merge_results(paths: list[Path]) -> dict:
    """One results document from several parts (see the module docstring)."""
    from helpers.bench.experiment.rag import rag_section
    from helpers.bench.experiment.results_file import build_results, check_results

    parts = [(Path(p), _load(Path(p))) for p in paths]
    config = _same_config(parts)
    rows, training, details, showcase = [], [], {}, None
    for _, doc in parts:
        has_base = any(r["variant"] == "base" for r in rows)
        rows += [r for r in doc["rows"] if not (r["variant"] == "base" and has_base)]
        training += doc["training"]
        details.update(doc["details"])
        if doc.get("showcase") and (showcase is None or doc["showcase"]["seed"] < showcase["seed"]):
            showcase = doc["showcase"]
    walls = [doc["wall_seconds"] for _, doc in parts]
    date = max(doc["date"] for _, doc in parts)
    results = build_results(config, rows, training, details, max(walls), date)
    results["showcase"] = showcase
    if all("rag" in doc for _, doc in parts):
        rag_rows = [r for _, doc in parts for r in doc["rag"]["rows"]]
        results["rag"] = rag_section(rag_rows, parts[0][1]["rag"]["recall"], config["rag_k"])
    results["parts"] = [{"seeds": doc["config"]["seeds"], "wall_seconds": doc["wall_seconds"]}
                        for _, doc in parts]
    check_results(results)
    return results
