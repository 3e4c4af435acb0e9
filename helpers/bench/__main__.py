"""python -m helpers.bench [--grid cpu|gpu] [--quick] [--models A,B] [--repeat N] [--out DIR]

Runs the grid (helpers.bench.grid), each case in a fresh process (in-process with --quick),
and writes <grid>[-quick].json + .md into --out (default data/results/bench/). Run it on an
otherwise idle machine: timings share the CPU with everything else (the load average is
recorded in the results so a reader can judge).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from helpers.paths import DATA_DIR

RESULTS_DIR = DATA_DIR / "results" / "bench"


def _peak(device: str) -> dict:
    from helpers.bench.flops import gpu_peak, measured_cpu_peak

    if device == "cuda":
        import torch

        peak = gpu_peak(torch.cuda.get_device_name(0))
    else:
        peak = measured_cpu_peak()
    return {"flops": peak.flops, "source": peak.source}


def _notes(grid: str, quick: bool, isolated: bool, device: str) -> list[str]:
    notes = []
    if device != "cuda":
        notes.append("CPU: MFU is against a fp32 matmul rate measured on this machine in this "
                     "run (no datasheet peak applies); memory is peak RSS of the process")
    if grid == "gpu":
        notes.append("real architectures use random weights and the micro tokenizer (speed "
                     "and memory do not depend on weight values; token counts are the micro "
                     "tokenizer's)")
    if not isolated:
        notes.append("cases ran in one process: peak memory is not isolated per case")
    if quick:
        notes.append("quick run (CI smoke test): too few steps for the numbers to mean much")
    return notes


def run(grid_name: str, quick: bool, out_dir: Path, models: tuple[str, ...] | None = None,
        isolate: bool | None = None, repeat: int = 1, log=print) -> dict:
    """Run a grid (`repeat` passes, keeping each case's fastest run) and write its results."""
    from helpers.bench import results_file
    from helpers.bench.grid import grid
    from helpers.bench.measure import load_average
    from helpers.device import detect

    cases = grid(grid_name, quick, models)
    isolate = (not quick) if isolate is None else isolate
    device = detect().device
    load_before, peak = load_average(), _peak(device)
    if load_before and load_before[0] > (os.cpu_count() or 1):
        log(f"warning: load average {load_before[0]} > {os.cpu_count()} cores: other processes "
            "are using this machine and will slow the runs unevenly")
    runs: list[list[dict]] = [[] for _ in cases]
    with tempfile.TemporaryDirectory(prefix="tunelab-bench-") as tmp:
        for rep in range(repeat):  # passes interleave the cases: drifting load hits all alike
            for i, case in enumerate(cases):
                runs[i].append(_one(case, Path(tmp), isolate, f"[{rep + 1}.{i + 1}/{len(cases)}]",
                                    log))
    results = [_best(r) for r in runs]
    env = results_file.environment(load_before, load_average())
    notes = _notes(grid_name, quick, isolate, device)
    if repeat > 1:
        notes.append(f"each case ran {repeat} times (passes interleaved); the fastest run is "
                     "reported (other processes can only slow a run down); all tokens/s in "
                     "tokens_per_s_runs")
    out = results_file.assemble(grid_name, quick, results, peak, env, notes)
    stem = f"{grid_name}-quick" if quick else grid_name
    json_path, md_path = results_file.write(out, out_dir, stem)
    log(f"wrote {json_path} and {md_path}")
    return out


def _one(case, workdir: Path, isolate: bool, tag: str, log) -> dict:
    from helpers.bench.runner import run_case, run_isolated

    start = time.perf_counter()
    result = run_isolated(case, workdir) if isolate else _safe(run_case, case, workdir)
    status = result.get("error", "").splitlines()[-1:] or [f"{result['tokens_per_s']:.0f} tokens/s"]
    log(f"{tag} {case.name}: {status[0]} ({time.perf_counter() - start:.0f} s)")
    return result


def _best(runs: list[dict]) -> dict:
    """The fastest successful run of a case (or its last failure), with every run's tokens/s."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[-1]
    best = max(ok, key=lambda r: r["tokens_per_s"])
    return {**best, "tokens_per_s_runs": [r["tokens_per_s"] for r in ok]}


def _safe(fn, case, workdir: Path) -> dict:
    """In-process run; a failure becomes an "error" row instead of ending the grid."""
    try:
        return fn(case, workdir)
    except Exception as exc:  # noqa: BLE001 - reported in the results, not hidden
        return {**case.to_dict(), "error": f"{type(exc).__name__}: {exc}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid", choices=["cpu", "gpu"], default="cpu")
    parser.add_argument("--quick", action="store_true", help="CI-sized run (< ~1 min on CPU)")
    parser.add_argument("--models", help="gpu grid: comma-separated subset, e.g. micro,SmolLM2-360M")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder")
    parser.add_argument("--in-process", action="store_true",
                        help="run cases in this process (faster start, memory not isolated)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="passes over the grid; the fastest run of each case is kept")
    args = parser.parse_args(argv)
    models = tuple(args.models.split(",")) if args.models else None
    isolate = False if args.in_process else None
    results = run(args.grid, args.quick, args.out, models, isolate, max(1, args.repeat))
    from helpers.bench.results_file import markdown

    print(markdown(results))
    return 1 if any("error" in c for c in results["cases"]) else 0


if __name__ == "__main__":
    sys.exit(main())
