"""CLI: python -m helpers.bench.experiment [--quick] [--seeds 0 1 2] [--out data/results/experiment]"""

from __future__ import annotations

import argparse
from pathlib import Path

from helpers.paths import RESULTS_DIR


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.bench.experiment",
        description="Train base/IT/SFT/hybrid/replay variants of the micro model (4-bit QLoRA, CPU) "
                    "over several seeds and write the trade-off table, plots and results.json.")
    p.add_argument("--quick", action="store_true",
                   help="tiny run (1 seed, a few steps and examples): checks the pipeline, ~2 min")
    p.add_argument("--seeds", type=int, nargs="+", default=None, help="training seeds (default 0 1 2)")
    p.add_argument("--out", type=Path, default=RESULTS_DIR / "experiment",
                   help="output folder (default data/results/experiment)")
    p.add_argument("--model", default=None, help="base model path or hub id (default: micro model)")
    p.add_argument("--workdir", type=Path, default=None,
                   help="keep the trained adapters here (default: a temporary folder, deleted)")
    p.add_argument("--merge", type=Path, nargs="+", default=None, metavar="PART",
                   help="merge the --out folders of runs made in parallel (one seed each) "
                        "into --out, instead of training")
    return p


def main(argv: list[str] | None = None) -> int:
    from helpers.bench.experiment.config import full, quick
    from helpers.bench.experiment.pipeline import run_experiment

    args = _parser().parse_args(argv)
    if args.merge:
        from helpers.bench.experiment.merge import merge_results
        from helpers.bench.experiment.outputs import summary_text, write_outputs

        results = merge_results(args.merge)
        write_outputs(results, args.out)
        print(summary_text(results), flush=True)
        return 0
    overrides: dict = {}
    if args.seeds is not None:
        overrides["seeds"] = args.seeds
    if args.model is not None:
        overrides["model"] = args.model
    cfg = (quick if args.quick else full)(**overrides)
    run_experiment(cfg, args.out, args.workdir, log=lambda m: print(m, flush=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
