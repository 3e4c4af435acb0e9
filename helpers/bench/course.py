"""Run the whole lesson sequence headless: `python -m helpers.bench.course [--quick] [--out outputs]`.

Executes notebooks/NN_*.ipynb in order in a real Jupyter kernel (nbclient), writes the executed
copies to the output folder, prints each notebook's wall time, and ends with the measured
trade-off table (base vs instruction-tuned vs domain SFT vs hybrid) from notebook 05's results.

`--quick` sets TUNELAB_QUICK=1, which every notebook's parameters cell reads: fewer steps and
smaller evaluation subsets (what CI uses). Without it the notebooks run their full defaults.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from helpers.paths import OUTPUTS_DIR, REPO_ROOT, RESULTS_DIR, display_path, scrub_text

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


def notebooks(only: list[str] | None = None) -> list[Path]:
    """The lesson notebooks in order (optionally only those whose name starts with `only`)."""
    found = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if only:
        found = [p for p in found if any(p.name.startswith(o) for o in only)]
    return found


def run_notebook(path: Path, out_dir: Path, timeout: int = 1800) -> float:
    """Execute one notebook in a fresh kernel (cwd = notebooks/); return its wall time."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(scrub_machine_paths(nb), out_dir / path.name)
    return seconds


def scrub_machine_paths(nb):
    """Make a notebook's outputs portable (helpers.paths.scrub_text on every text output):
    library warnings print where a package is installed, and printed paths name this checkout."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                out["text"] = scrub_text(out["text"])
            for key, value in out.get("data", {}).items():
                if key.startswith("text/") and isinstance(value, str):
                    out["data"][key] = scrub_text(value)
    return nb


def print_tradeoff_table(results_path: Path = RESULTS_DIR / "experiment" / "results.json") -> None:
    """Print the measured trade-off table (base vs IT vs SFT vs hybrid vs replay) that notebook 05
    explains: the committed full run of `python -m helpers.bench.experiment`, with where it ran."""
    from helpers.bench.experiment import load_results
    from helpers.bench.experiment.outputs import summary_text

    if not results_path.exists():
        print(f"no experiment results at {display_path(results_path)}: "
              "run `python -m helpers.bench.experiment` to measure them")
        return
    results = load_results(results_path)
    hw = results.get("hardware", {})
    print(f"measured on {hw.get('device', '?')}: {hw.get('name', '?')} "
          f"({display_path(results_path)})\n")
    print(summary_text(results))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized runs (TUNELAB_QUICK=1)")
    parser.add_argument("--out", type=Path, default=OUTPUTS_DIR, help="executed notebooks go here")
    parser.add_argument("--only", nargs="*", help="run only notebooks starting with these prefixes")
    args = parser.parse_args(argv)
    todo = notebooks(args.only)
    if not todo:
        print(f"no notebooks found in {NOTEBOOKS_DIR}", file=sys.stderr)
        return 1
    with _quick_env(args.quick):
        total = _run_all(todo, args.out)
    print(f"all {len(todo)} notebooks ran in {total / 60:.1f} min\n")
    print_tradeoff_table()
    return 0


@contextmanager
def _quick_env(quick: bool):
    """TUNELAB_QUICK for the kernels this run starts, restored afterwards: a caller's process
    (pytest calls main()) must not inherit it — a leaked "0" once made CI run every notebook
    at full size."""
    previous = os.environ.get("TUNELAB_QUICK")
    os.environ["TUNELAB_QUICK"] = "1" if quick else "0"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TUNELAB_QUICK", None)
        else:
            os.environ["TUNELAB_QUICK"] = previous


def _run_all(todo: list[Path], out: Path) -> float:
    total = 0.0
    for path in todo:
        print(f"running {path.name} …", flush=True)
        seconds = run_notebook(path, out)
        total += seconds
        print(f"  done in {seconds:.0f} s → {out.name}/{path.name}", flush=True)
    return total


if __name__ == "__main__":
    sys.exit(main())
