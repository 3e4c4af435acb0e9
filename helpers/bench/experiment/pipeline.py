"""Run the whole trade-off experiment: for each seed train the adapters, evaluate every variant
on one loaded base, then write results with aggregates, forgetting, hardware and versions."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from helpers.bench.experiment.config import ExperimentConfig


def _metric_rows(results: dict, seed: int) -> tuple[list[dict], dict]:
    rows, details = [], {}
    for variant, res in results.items():
        row_seed = None if variant == "base" else seed  # the base is not trained: one row
        rows.append({"variant": variant, "seed": row_seed, **res.metrics})
        details[f"{variant}/{row_seed}"] = {**res.details, "eval_seconds": round(res.seconds, 1)}
    return rows, details


def run_experiment(cfg: ExperimentConfig, out_dir: str | Path | None = None,
                   workdir: str | Path | None = None, log=print) -> dict:
    """Train and evaluate every variant for every seed; write outputs to `out_dir` if given.

    Adapters go to `workdir` (a temporary folder by default: they are small to retrain and
    are not committed). Returns the results document (helpers.bench.experiment.results_file).
    """
    import torch

    previous_threads = torch.get_num_threads()
    torch.set_num_threads(cfg.threads)
    try:
        return _run(cfg, out_dir, workdir, log)
    finally:
        torch.set_num_threads(previous_threads)


def _run(cfg: ExperimentConfig, out_dir, workdir, log) -> dict:
    from helpers.bench.experiment.data import eval_suite, heldout_texts, load_instructions
    from helpers.bench.experiment.outputs import summary_text, write_outputs
    from helpers.bench.experiment.rag import evaluate_rag, evaluation_sets, rag_section
    from helpers.bench.experiment.results_file import build_results, check_results
    from helpers.bench.experiment.variants import TrainingData, evaluate_seed, train_seed
    from helpers.config import resolve_model_path
    from helpers.domain import load_split

    start = time.perf_counter()
    suite = eval_suite(cfg, heldout_texts(resolve_model_path(cfg.model), cfg.heldout_texts))
    data = TrainingData(load_instructions("train"), load_split("train"))
    rag_sets = evaluation_sets(cfg)
    rows, details, training, showcase, rag_rows = [], {}, [], None, []
    with tempfile.TemporaryDirectory(prefix="tunelab-exp-") as tmp:
        work = Path(workdir or tmp)
        for i, seed in enumerate(cfg.seeds):
            log(f"seed {seed}: training it, hybrid, replay, sft ({time.perf_counter() - start:.0f}s)")
            runs = train_seed(cfg, seed, data, work, log)
            training += [r.summary() for r in runs]
            log(f"seed {seed}: evaluating ({time.perf_counter() - start:.0f}s)")
            results, table = evaluate_seed(cfg, {r.variant: r.adapter_dir for r in runs}, suite,
                                           i == 0)
            showcase = {"seed": seed, **table} if table else showcase
            seed_rows, seed_details = _metric_rows(results, seed)
            rows += seed_rows
            details.update(seed_details)
            log(f"seed {seed}: retrieval and fresh facts ({time.perf_counter() - start:.0f}s)")
            rag_rows += evaluate_rag(cfg, {r.variant: r.adapter_dir for r in runs}, seed, rag_sets)
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    results = build_results(cfg.to_dict(), rows, training, details, time.perf_counter() - start, date)
    results["showcase"] = showcase  # fixed prompts, every variant's answer (first seed)
    results["rag"] = rag_section(rag_rows, rag_sets["recall"], cfg.rag_k)  # lesson 08
    check_results(results)
    if out_dir is not None:
        write_outputs(results, out_dir)
    log(summary_text(results))
    return results
