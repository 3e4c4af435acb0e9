"""Benchmark results: environment, ratios to the TRL reference, MFU, the schema, JSON + markdown.

A results file (data/results/bench/<grid>.json) is one dict:
    schema, grid, quick, date (UTC ISO), hardware {device, name, cpu_count, torch_threads,
    total_memory, load_average_before, load_average_after}, versions {package: version},
    peak {flops, source}, flops_formula, trl_overrides, notes, cases [...]
Each case: the BenchCase fields + tokens_per_s, step_time_s, real_token_share (non-pad share
of the positions computed), peak_memory_bytes (memory_kind),
train_memory_bytes, flops_per_token, mfu, and vs_trl / vs_trl_default {reference,
tokens_per_s, peak_memory, train_memory}: ratios to TRL on the same cell / to TRL's default
configuration (null for the TRL rows themselves, or when that reference failed or was not run).
"""

from __future__ import annotations

from datetime import UTC, datetime

SCHEMA = "tunelab.bench/1"
CASE_FIELDS = {"name": str, "model": str, "runner": str, "mode": str,
               "gradient_checkpointing": bool, "quant": str, "batch_size": int, "seq_len": int}
MEASURED_FIELDS = {"tokens_per_s": float, "step_time_s": float, "peak_memory_bytes": int,
                   "train_memory_bytes": int, "memory_kind": str, "flops_per_token": float}
TOP_FIELDS = {"schema": str, "grid": str, "quick": bool, "date": str, "hardware": dict,
              "versions": dict, "peak": dict, "flops_formula": str, "cases": list}


class BenchSchemaError(ValueError):
    """A results file does not have the documented shape; the message names the field."""


def environment(load_before: list | None, load_after: list | None) -> dict:
    """Hardware (GPU or CPU, threads, memory) and how busy the machine was."""
    import os

    import torch

    from helpers.device import detect

    hw = detect()
    return {"device": hw.device, "name": hw.name, "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(), "total_memory": hw.total_memory,
            "load_average_before": load_before, "load_average_after": load_after}


def versions() -> dict:
    """The kit's package versions plus TRL (the reference)."""
    from helpers.device import KIT_PACKAGES, package_versions

    return package_versions(KIT_PACKAGES + ("trl",))


def add_comparisons(cases: list[dict], peak: dict) -> list[dict]:
    """Fill in place: `mfu`; `vs_trl`, ratios to TRL on the same cell (same checkpointing:
    like for like); `vs_trl_default`, ratios to TRL's default configuration (checkpointing on)
    — what a user switching from TRL's defaults to the kit's would see."""
    from helpers.bench.flops import Peak, mfu

    by_name = {c["name"]: c for c in cases}
    for case in cases:
        if "error" in case:
            continue
        case["mfu"] = mfu(case["tokens_per_s"], case["flops_per_token"],
                          Peak(peak.get("flops"), peak.get("source", "")))
        same, default = (by_name.get(n) for n in _reference_names(case))
        case["vs_trl"] = _ratios(case, same)
        case["vs_trl_default"] = _ratios(case, default)
    return cases


def _ratios(case: dict, ref: dict | None) -> dict | None:
    if case["runner"] == "trl" or not ref or "error" in ref:
        return None
    return {"reference": ref["name"],
            "tokens_per_s": case["tokens_per_s"] / ref["tokens_per_s"],
            "peak_memory": case["peak_memory_bytes"] / ref["peak_memory_bytes"],
            "train_memory": _ratio(case["train_memory_bytes"], ref["train_memory_bytes"])}


def _reference_names(case: dict) -> tuple[str, str]:
    """Names of the same-cell TRL case and of TRL's default (checkpointing on) case."""
    from dataclasses import replace

    from helpers.bench.grid import BenchCase

    fields = {k: v for k, v in case.items() if k in BenchCase.__dataclass_fields__}
    ref = BenchCase(**fields).reference()
    return ref.name, replace(ref, gradient_checkpointing=True).name


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def assemble(grid: str, quick: bool, cases: list[dict], peak: dict, env: dict,
             notes: list[str]) -> dict:
    """The results dict (see the module docstring)."""
    from helpers.bench.flops import FORMULA
    from helpers.bench.runner import TRL_OVERRIDES

    measured = [c["cpu_matmul_flops"] for c in cases if c.get("cpu_matmul_flops")]
    if measured and peak.get("flops") and max(measured) > peak["flops"]:
        peak = {"flops": max(measured), "source": peak["source"] + " (best of the run's "
                f"{len(measured) + 1} measurements, one per case process + one at the start)"}

    return {"schema": SCHEMA, "grid": grid, "quick": quick,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "hardware": env, "versions": versions(), "peak": peak, "flops_formula": FORMULA,
            "trl_overrides": list(TRL_OVERRIDES), "notes": notes,
            "cases": add_comparisons(cases, peak)}


def validate(results: dict) -> None:
    """Raise BenchSchemaError unless `results` has the documented shape and names its hardware."""
    _check_fields(results, TOP_FIELDS, "results")
    if results["schema"] != SCHEMA:
        raise BenchSchemaError(f"results.schema is {results['schema']!r}, expected {SCHEMA!r}")
    if not results["hardware"].get("name") or not results["hardware"].get("device"):
        raise BenchSchemaError("results.hardware must name the device and its model")
    if not results["cases"]:
        raise BenchSchemaError("results.cases is empty")
    for i, case in enumerate(results["cases"]):
        _check_fields(case, CASE_FIELDS, f"cases[{i}]")
        if "error" not in case:
            _check_fields(case, MEASURED_FIELDS, f"cases[{i}] ({case['name']})")
            if case["tokens_per_s"] <= 0:
                raise BenchSchemaError(f"cases[{i}] ({case['name']}): tokens_per_s <= 0")


def _check_fields(d: dict, fields: dict, where: str) -> None:
    for name, kind in fields.items():
        if name not in d:
            raise BenchSchemaError(f"{where} lacks field {name!r}")
        ok = isinstance(d[name], (int, float)) if kind is float else isinstance(d[name], kind)
        if not ok or (kind is int and isinstance(d[name], bool)):
            raise BenchSchemaError(f"{where}.{name} should be {kind.__name__}, "
                                   f"got {type(d[name]).__name__}")


def _fmt(x, spec: str, suffix: str = "") -> str:
    return "n/a" if x is None else f"{x:{spec}}{suffix}"


def markdown(results: dict) -> str:
    """A readable table (one row per case) with the environment above it."""
    hw, v = results["hardware"], results["versions"]
    lines = [f"# Throughput benchmark: {results['grid']} grid"
             + (" (quick)" if results["quick"] else ""), "",
             f"- date: {results['date']}",
             (f"- hardware: {hw['device']}: {hw['name']}, {hw['cpu_count']} CPU cores, "
              f"torch threads {hw['torch_threads']}"),
             (f"- load average (1/5/15 min) before: {hw['load_average_before']}, "
              f"after: {hw['load_average_after']}"),
             "- versions: " + ", ".join(f"{k} {v[k]}" for k in sorted(v)),
             f"- MFU peak: {results['peak']['source']}",
             f"- FLOPs: {results['flops_formula']}", ""]
    lines += [f"- note: {n}" for n in results.get("notes", [])] + [""]
    lines += [("× TRL: ratio to TRL's SFTTrainer on the same cell (same checkpointing); "
               "× TRL default: ratio to TRL's default configuration (checkpointing on)."), "",
              ("| model | method | trainer | batching | grad ckpt | real tokens | tokens/s "
               "| × TRL | × TRL default | step (s) | peak mem (MiB) | × TRL | MFU |"),
              "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in results["cases"]:
        lines.append(_row(c))
    return "\n".join(lines) + "\n"


def _row(c: dict) -> str:
    method = "QLoRA" if c["quant"] == "4bit" else "LoRA"
    head = (f"| {c['model']} | {method} | {c['runner']} | {c['mode']} | "
            f"{'on' if c['gradient_checkpointing'] else 'off'} |")
    if "error" in c:
        return head + " failed: " + c["error"].splitlines()[-1][:80] + " |||||||"
    vs, vd = c.get("vs_trl") or {}, c.get("vs_trl_default") or {}
    return (head + f" {_fmt(c.get('real_token_share'), '.0%')} | {c['tokens_per_s']:.0f} | "
            f"{_fmt(vs.get('tokens_per_s'), '.2f', '×')} | "
            f"{_fmt(vd.get('tokens_per_s'), '.2f', '×')} | "
            f"{c['step_time_s']:.3f} | {c['peak_memory_bytes'] / 2**20:.0f} | "
            f"{_fmt(vs.get('peak_memory'), '.2f', '×')} | {_fmt(c.get('mfu'), '.2%')} |")


def write(results: dict, out_dir, stem: str) -> tuple:
    """Write <stem>.json and <stem>.md into out_dir (atomically); return both paths."""
    from pathlib import Path

    from helpers.io import atomic_write_text, write_json

    out_dir = Path(out_dir)
    validate(results)
    return (write_json(results, out_dir / f"{stem}.json"),
            atomic_write_text(out_dir / f"{stem}.md", markdown(results)))
