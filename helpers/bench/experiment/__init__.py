"""helpers.bench.experiment: the measured trade-off behind notebook 05.

Variants of the micro model, all QLoRA on a 4-bit NF4 base on CPU: base (no adapter), IT
(instruction-tuned), SFT (domain SFT from base), hybrid (IT, then domain SFT) and replay (IT,
then domain SFT with instruction data replayed), each over several seeds, scored on the same
fixed suite. Forgetting is measured only for the two trained from IT.

    python -m helpers.bench.experiment --quick                 # ~2 min, checks the pipeline
    python -m helpers.bench.experiment --seeds 0 1 2           # the committed run (~30 min, 2 cores)

Results land in data/results/experiment/: results.json (per-seed rows, aggregates, config,
hardware, versions), results.csv, summary.txt and PNG plots.
"""

from helpers.bench.experiment.config import (
    FORGETTING_PAIRS,
    GENERAL_METRICS,
    VARIANTS,
    ExperimentConfig,
    full,
    quick,
)
from helpers.bench.experiment.results_file import ResultsSchemaError, check_results, load_results

__all__ = [
    "FORGETTING_PAIRS", "GENERAL_METRICS", "VARIANTS", "ExperimentConfig", "ResultsSchemaError",
    "check_results", "full", "load_results", "quick", "run_experiment",
]


def run_experiment(*args, **kwargs):
    """See helpers.bench.experiment.pipeline.run_experiment (imported lazily: it pulls in torch)."""
    from helpers.bench.experiment.pipeline import run_experiment as _run

    return _run(*args, **kwargs)
