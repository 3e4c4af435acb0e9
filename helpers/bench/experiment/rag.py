"""Knowledge by retrieval vs knowledge by fine-tuning, measured inside the trade-off experiment
(lesson 08): the same adapters, the same domain test questions, with and without the top-k
knowledge-base statements in the prompt; then the knowledge base changes (helpers.domain.fresh)
and every variant is asked about the changed facts again, without retraining.

Rows (one per variant and seed), all rates over the named records:
- `domain_*`: fact accuracy, refusal, escalation, false refusal on the domain test questions;
- `fresh_fact_accuracy`: the *new* value stated, on questions about the changed facts;
- `fresh_old_fact_rate`: the *old* value still stated (what a stale model does).
Variants with `+rag` read the knowledge base (the changed one for the fresh questions).
"""

from __future__ import annotations

from pathlib import Path

from helpers.bench.experiment.config import ExperimentConfig

RAG_VARIANTS = ("it", "sft", "hybrid")  # adapters that are also evaluated with retrieval


def _score(model, tok, test: list[dict], fresh: list[dict], cfg: ExperimentConfig) -> dict:
    from helpers.evaluate.knowledge import answer_and_score
    from helpers.generate import GenerationSettings

    gen = GenerationSettings(max_new_tokens=cfg.max_new_tokens)
    domain = answer_and_score(model, tok, test, gen, cfg.eval_batch_size).row()
    changed = answer_and_score(model, tok, fresh, gen, cfg.eval_batch_size).row()
    return {"domain_fact_accuracy": domain.get("facts"),
            "domain_refusal_rate": domain.get("refusals"),
            "domain_escalation_rate": domain.get("escalations"),
            "domain_false_refusal_rate": domain.get("false refusals"),
            "fresh_fact_accuracy": changed.get("facts"), "fresh_old_fact_rate": changed.get("old fact")}


def evaluation_sets(cfg: ExperimentConfig) -> dict:
    """The records and retrievers every seed is scored with (the same for all variants)."""
    from helpers.domain import load_split
    from helpers.domain.fresh import fresh_passages, fresh_records
    from helpers.evaluate import sample_records
    from helpers.retrieval import Retriever, load_passages, recall_at_k

    test = sample_records(load_split("test"), cfg.eval_domain, cfg.eval_seed, key="kind")
    fresh = sample_records(
        fresh_records(load_split("train") + load_split("validation") + load_split("test")),
        cfg.eval_fresh, cfg.eval_seed, key="old_value")
    kb = load_passages()
    old, new = Retriever(kb), Retriever(fresh_passages(kb))
    return {"test": test, "fresh": fresh, "old": old, "new": new,
            "recall": recall_at_k(old, test, cfg.rag_k)}


def evaluate_rag(cfg: ExperimentConfig, adapter_dirs: dict[str, Path], seed: int,
                 sets: dict) -> list[dict]:
    """One row per variant: each adapter without retrieval, and it/sft/hybrid with it."""
    from helpers.bench.experiment.variants import model_settings
    from helpers.models import active_adapters, load_adapter, load_base
    from helpers.retrieval import with_retrieval

    model, tok = load_base(model_settings(cfg))
    for variant, path in adapter_dirs.items():
        model = load_adapter(model, path, variant)
    test_rag = with_retrieval(sets["test"], sets["old"], cfg.rag_k)
    fresh_rag = with_retrieval(sets["fresh"], sets["new"], cfg.rag_k)
    rows = []
    for variant in (v for v in RAG_VARIANTS if v in adapter_dirs):
        with active_adapters(model, variant) as m:
            rows.append({"variant": variant, "seed": seed,
                         **_score(m, tok, sets["test"], sets["fresh"], cfg)})
            rows.append({"variant": f"{variant}+rag", "seed": seed,
                         **_score(m, tok, test_rag, fresh_rag, cfg)})
    return rows


def rag_section(rows: list[dict], recall: dict, k: int) -> dict:
    """The results document's "rag" part: rows, their mean ± sd per variant, retrieval recall."""
    from helpers.bench.experiment.results_file import aggregate_dict

    return {"k": k, "recall": recall, "rows": rows, "aggregate": aggregate_dict(rows, "variant")}
