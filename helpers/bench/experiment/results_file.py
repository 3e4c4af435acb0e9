"""The experiment's results file: building it, checking it, and writing it with its plots.

results.json holds the per-variant per-seed metric rows AND their aggregates; `check_results`
recomputes the aggregates from the rows, so a hand-edited number fails the repo's tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from helpers.bench.experiment.config import FORGETTING_PAIRS, GENERAL_METRICS, VARIANTS

SCHEMA = "tunelab.experiment/1"
TOP_KEYS = ("schema", "date", "wall_seconds", "config", "hardware", "packages", "variants",
            "rows", "aggregate", "forgetting_rows", "forgetting", "training", "details")
RATE_SUFFIXES = ("_accuracy", "_rate", "_length_stop", "_judge")
INSTRUCTION_PLOT = ("seen_accuracy", "phrasing_accuracy", "unseen_family_accuracy")
LOSS_PLOT = ("seen_answer_loss", "phrasing_answer_loss", "unseen_family_answer_loss",
             "domain_answer_loss")
DOMAIN_PLOT = ("domain_fact_accuracy", "domain_refusal_rate", "domain_escalation_rate",
               "domain_false_refusal_rate")


class ResultsSchemaError(ValueError):
    """A results file that does not have the expected structure or values."""


def forgetting_rows(rows: Sequence[Mapping]) -> list[dict]:
    """Per seed, what each (before → after) pair lost on the general metrics (+ = worse)."""
    from helpers.evaluate import forgetting

    index = {(r["variant"], r["seed"]) for r in rows}
    lookup = {(r["variant"], r["seed"]): r for r in rows}
    base = next((r for r in rows if r["variant"] == "base"), None)
    out = []
    for seed in sorted({r["seed"] for r in rows if r["seed"] is not None}):
        for before, after in FORGETTING_PAIRS:
            b = base if before == "base" else lookup.get((before, seed))
            if b is None or (after, seed) not in index:
                continue
            drops = forgetting(b, lookup[(after, seed)], GENERAL_METRICS)
            out.append({"pair": f"{before}->{after}", "seed": seed, **drops})
    return out


def aggregate_dict(rows: Sequence[Mapping], by: str) -> dict:
    """{group: {metric: {mean, std, min, max, n}}} — the JSON form of helpers.evaluate.aggregate."""
    from helpers.evaluate import Stat, aggregate

    return {row[by]: {k: (v.to_dict() if isinstance(v, Stat) else v)
                      for k, v in row.items() if k not in (by, "seeds")} | {"seeds": row["seeds"]}
            for row in aggregate(rows, by=by)}


def build_results(config: dict, rows: list[dict], training: list[dict], details: dict,
                  wall_seconds: float, date: str) -> dict:
    """The complete results document (see TOP_KEYS)."""
    from helpers.device import detect, package_versions

    order = {v: i for i, v in enumerate(VARIANTS)}
    rows = sorted(rows, key=lambda r: (order.get(r["variant"], 99), r["seed"] if r["seed"] is not None else -1))
    forget = forgetting_rows(rows)
    return {
        "schema": SCHEMA, "date": date, "wall_seconds": round(wall_seconds, 1), "config": config,
        "hardware": detect().to_dict(), "packages": package_versions(),
        "variants": [v for v in VARIANTS if any(r["variant"] == v for r in rows)],
        "rows": rows, "aggregate": aggregate_dict(rows, "variant"),
        "forgetting_rows": forget, "forgetting": aggregate_dict(forget, "pair") if forget else {},
        "training": training, "details": details,
    }


def _check_value(name: str, value, where: str) -> None:
    if value is None:
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ResultsSchemaError(f"{where}: {name}={value!r} is not a finite number")
    if name == "perplexity" and value < 1.0:
        raise ResultsSchemaError(f"{where}: perplexity {value} < 1 is impossible")
    if name.endswith("_loss") and value < 0.0:
        raise ResultsSchemaError(f"{where}: {name}={value} < 0 is impossible for a mean NLL")
    if name.endswith(RATE_SUFFIXES) and not 0.0 <= value <= 1.0:
        raise ResultsSchemaError(f"{where}: {name}={value} is a rate outside [0, 1]")


def _check_aggregate(stored: Mapping, recomputed: Mapping, section: str, tol: float) -> None:
    if set(stored) != set(recomputed):
        raise ResultsSchemaError(f"{section}: groups {sorted(stored)} != rows' {sorted(recomputed)}")
    for group, metrics in recomputed.items():
        for metric, stat in metrics.items():
            got = stored[group].get(metric)
            if not isinstance(stat, dict):
                if got != stat:
                    raise ResultsSchemaError(f"{section}[{group}][{metric}]: {got} != {stat}")
                continue
            for key in ("mean", "std", "min", "max"):
                if got is None or abs(got[key] - stat[key]) > tol:
                    raise ResultsSchemaError(
                        f"{section}[{group}][{metric}][{key}] = {None if got is None else got[key]} "
                        f"but the per-seed rows give {stat[key]}: re-run the experiment rather "
                        "than editing results.json")


def check_results(results: Mapping, tol: float = 1e-9) -> None:
    """Raise ResultsSchemaError unless `results` is a complete, consistent results document."""
    missing = [k for k in TOP_KEYS if k not in results]
    if missing or results.get("schema") != SCHEMA:
        raise ResultsSchemaError(f"results: missing keys {missing} or schema {results.get('schema')!r}"
                                 f" != {SCHEMA!r}")
    for i, row in enumerate(results["rows"]):
        if row.get("variant") not in VARIANTS or "seed" not in row:
            raise ResultsSchemaError(f"rows[{i}]: needs a known variant and a seed: {row}")
        for name in ("seen_accuracy", "phrasing_accuracy", "unseen_family_accuracy",
                     "domain_fact_accuracy", "domain_refusal_rate", "perplexity", *LOSS_PLOT):
            if name not in row:
                raise ResultsSchemaError(f"rows[{i}] ({row['variant']}): metric {name!r} missing")
        for name, value in row.items():
            if name not in ("variant", "seed"):
                _check_value(name, value, f"rows[{i}] ({row['variant']}, seed {row['seed']})")
    _check_aggregate(results["aggregate"], aggregate_dict(results["rows"], "variant"),
                     "aggregate", tol)
    if results["forgetting_rows"]:
        _check_aggregate(results["forgetting"], aggregate_dict(results["forgetting_rows"], "pair"),
                         "forgetting", tol)
    if "rag" in results:  # optional: results written before lesson 08 have none
        for i, row in enumerate(results["rag"]["rows"]):
            for name, value in row.items():
                if name not in ("variant", "seed"):
                    _check_value(name, value, f"rag.rows[{i}] ({row['variant']})")
        _check_aggregate(results["rag"]["aggregate"],
                         aggregate_dict(results["rag"]["rows"], "variant"), "rag.aggregate", tol)


def load_results(path: str | Path | None = None) -> dict:
    """Read a results.json (default: the committed full run) and check it before use."""
    from helpers.paths import RESULTS_DIR

    path = Path(path) if path is not None else RESULTS_DIR / "experiment" / "results.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `python -m helpers.bench.experiment` first "
                                "(or --quick for a fast check)")
    results = json.loads(path.read_text(encoding="utf-8"))
    check_results(results)
    return results
