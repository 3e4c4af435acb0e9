"""The longest sequence that trains within a memory budget: the "will it fit on a T4?" check.

    python -m helpers.bench.seqfit --model Llama-3.1-8B --budget-gib 16          # on a GPU
    python -m helpers.bench.seqfit --model micro --budget-gib 4 --max-len 512    # CPU dry run

For each runner (the kit, TRL's SFTTrainer as the reference) it trains QLoRA at batch 1 with
gradient checkpointing on one long multi-turn chat truncated to L tokens, and searches L in
multiples of --step: doubling until a run fails, then halving the gap. Each probe is a fresh
process. A probe *fits* when it trains without running out of memory and its peak stays within
the budget: on CUDA the process is capped with torch.cuda.set_per_process_memory_fraction (so
an overrun is an out-of-memory error, as on a real 16 GB card) and the peak is
max_memory_reserved; on a CPU nothing is capped and the peak is the process's peak RSS.

The 8B config is built once with random weights (speed and memory do not depend on the values):
~16 GB of bf16 weights are written to --workdir before the capped runs load them in 4-bit.
Results go to data/results/bench/seqfit-<device>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from helpers.bench.grid import BenchCase, bench_records
from helpers.paths import REPO_ROOT, RESULTS_DIR

GIB = 1024**3
OOM_EXIT = 3  # a probe's exit status when it ran out of memory (any other failure is an error)


def longest_that_fits(fits: Callable[[int], bool], step: int, max_len: int) -> tuple[int, dict]:
    """Largest multiple of `step` up to `max_len` for which `fits` holds (0 if none does).

    Assumes that if L fits, every shorter length fits too. Doubles from `step` until a length
    fails, then bisects between the last success and the first failure: about 2·log2(max/step)
    probes. Returns (longest, {length: fits} for every length tried).
    """
    if step <= 0 or max_len < step:
        raise ValueError(f"--step {step} / --max-len {max_len}: need 0 < step <= max_len "
                         "(e.g. --step 256 --max-len 8192)")
    tried: dict[int, bool] = {}

    def ok(n: int) -> bool:
        tried[n] = tried[n] if n in tried else bool(fits(n))
        return tried[n]

    good, bad, n = 0, None, step
    while n <= max_len:
        if not ok(n):
            bad = n
            break
        good, n = n, n * 2
    if bad is None:  # doubling passed max_len: try max_len itself (rounded down to a step)
        top = max_len // step * step
        if top > good and not ok(top):
            bad = top
        elif top > good:
            return top, tried
        else:
            return good, tried
    while bad - good > step:
        mid = (good + bad) // 2 // step * step
        good, bad = (mid, bad) if ok(mid) else (good, mid)
    return good, tried


def long_record(tok, n_tokens: int) -> dict:
    """One multi-turn chat of at least `n_tokens` tokens, built from the bundled records, so a
    run truncated to L tokens really trains on L tokens (answers included throughout)."""
    from helpers.chat import ChatEncodingConfig, encode_records

    messages: list[dict] = []
    pool = bench_records(10_000)
    for record in pool:
        messages += [m for m in record["messages"] if m["role"] != "system"]
        record_len = len(encode_records(tok, [{"messages": messages}],
                                        ChatEncodingConfig(max_length=10**7)).examples[0]["input_ids"])
        if record_len >= n_tokens:
            return {"messages": messages}
    raise ValueError(f"the bundled records hold fewer than {n_tokens} tokens of chat; "
                     "lower --max-len")


def probe_case(model: str, runner: str, seq_len: int) -> BenchCase:
    """The probe's case: QLoRA, batch 1, checkpointing on (what a tight budget needs)."""
    return BenchCase(model, runner, "padded" if runner == "kit" else "default", True,
                     batch_size=1, seq_len=seq_len, warmup_steps=1, measure_steps=2)


def run_probe(case: BenchCase, budget: int, workdir: Path, timeout: int = 3600) -> dict:
    """Run one probe in a fresh process; returns {"fits", "peak_bytes", "error"}."""
    case_file, out_file = workdir / "probe-case.json", workdir / "probe-result.json"
    case_file.write_text(json.dumps(case.to_dict()))
    out_file.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, "-m", "helpers.bench.seqfit", "--probe", str(case_file),
                           "--budget-bytes", str(budget), "--workdir", str(workdir),
                           "--result", str(out_file)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if proc.returncode == OOM_EXIT:
        return {"fits": False, "peak_bytes": None, "error": "out of memory"}
    if proc.returncode != 0 or not out_file.exists():
        raise RuntimeError(f"probe {case.name} at {case.seq_len} tokens failed "
                           f"(exit {proc.returncode}): {proc.stderr.strip()[-1500:]}")
    return json.loads(out_file.read_text())


def _probe_main(case_file: Path, budget: int, workdir: Path, result_file: Path) -> int:
    """Inside the probe process: cap CUDA memory, train, report the peak."""
    import torch

    from helpers.bench.runner import prepare_model, run_case
    from helpers.models import load_tokenizer

    case = BenchCase.from_dict(json.loads(case_file.read_text()))
    if torch.cuda.is_available():
        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, budget / total))
    tok, _ = load_tokenizer(str(prepare_model(case.model, workdir)))
    records = [long_record(tok, case.seq_len)] * case.n_records
    try:
        result = run_case(case, workdir, records=records)
    except torch.cuda.OutOfMemoryError:
        return OOM_EXIT
    peak = result.get("cuda_max_reserved_bytes") or result["peak_memory_bytes"]
    result_file.write_text(json.dumps({"fits": peak <= budget, "peak_bytes": peak, "error": None}))
    return 0


def measure(model: str, budget: int, runners: list[str], step: int, max_len: int,
            workdir: Path) -> dict:
    """Search each runner's longest fitting length; returns the results record."""
    import datetime as dt

    from helpers.bench.results_file import environment, versions

    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out = {"schema": "tunelab.seqfit/1", "model": model, "budget_bytes": budget, "step": step,
           "max_len": max_len, "date": now,
           "hardware": environment(None, None), "versions": versions(), "runners": {}}
    for runner in runners:
        probes: dict[int, dict] = {}

        def fits(n: int, runner: str = runner, probes: dict = probes) -> bool:
            probes[n] = run_probe(probe_case(model, runner, n), budget, workdir)
            return probes[n]["fits"]

        longest, _ = longest_that_fits(fits, step, max_len)
        out["runners"][runner] = {"longest_seq_len": longest,
                                  "probes": {str(k): v for k, v in sorted(probes.items())}}
    return out


def markdown(result: dict) -> str:
    """A short table: longest fitting length per runner, and every probe's peak."""
    hw = result["hardware"]
    lines = [f"# Longest trainable sequence: {result['model']}, QLoRA, batch 1, checkpointing on",
             "", f"Budget {result['budget_bytes'] / GIB:.2f} GiB on {hw['device']} ({hw['name']}), "
             f"{result['date']}. Written by `python -m helpers.bench.seqfit`.", "",
             "| runner | longest fitting length | probes (length: peak GiB or OOM) |",
             "|---|---|---|"]
    for runner, r in result["runners"].items():
        probes = ", ".join(f"{n}: " + (f"{p['peak_bytes'] / GIB:.2f}" if p["peak_bytes"] else "OOM")
                           for n, p in r["probes"].items())
        lines.append(f"| {runner} | {r['longest_seq_len'] or 'none fits'} | {probes} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m helpers.bench.seqfit", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="Llama-3.1-8B", help="'micro' or a data/configs name")
    p.add_argument("--budget-gib", type=float, default=16.0, help="T4: 16")
    p.add_argument("--runners", default="kit,trl")
    p.add_argument("--step", type=int, default=256)
    p.add_argument("--max-len", type=int, default=8192)
    p.add_argument("--workdir", default=None, help="random-weight models are built here")
    p.add_argument("--out", default=str(RESULTS_DIR / "bench"))
    p.add_argument("--probe", help=argparse.SUPPRESS)
    p.add_argument("--budget-bytes", type=int, help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.budget_gib <= 0 and not a.probe:
        p.error(f"--budget-gib must be positive, got {a.budget_gib}")
    workdir = Path(a.workdir or tempfile.mkdtemp(prefix="seqfit-"))
    if a.probe:
        return _probe_main(Path(a.probe), a.budget_bytes, workdir, Path(a.result))
    result = measure(a.model, round(a.budget_gib * GIB), a.runners.split(","), a.step,
                     a.max_len, workdir)
    from helpers.io import atomic_write_text, write_json

    stem = Path(a.out) / f"seqfit-{result['hardware']['device']}"
    write_json(result, stem.with_suffix(".json"))
    atomic_write_text(stem.with_suffix(".md"), markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
