"""Write an experiment's results: results.json, results.csv, summary.txt and small PNG plots."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from helpers.bench.experiment.results_file import DOMAIN_PLOT, INSTRUCTION_PLOT, LOSS_PLOT

CONTENT_LOSS = ("seen_content_loss", "seen_eos_loss", "unseen_family_content_loss",
                "unseen_family_eos_loss")

FILES = ("results.json", "results.csv", "summary.txt", "instruction.png", "domain.png",
         "answer_loss.png", "perplexity.png", "forgetting.png", "loss_curves.png")


def showcase(results: Mapping):
    """The fixed prompts with each variant's answer (first seed), as a printable table."""
    from helpers.tables import Table

    shown = results.get("showcase")
    if not shown:
        raise KeyError("these results have no showcase table: re-run `python -m helpers.bench.experiment`")
    return Table(shown["columns"], shown["rows"])


def tables(results: Mapping):
    """(variant table, forgetting table) as helpers.evaluate ResultTables (mean ± std)."""
    from helpers.evaluate import aggregate

    variants = aggregate(results["rows"], by="variant")
    forget = aggregate(results["forgetting_rows"], by="pair") if results["forgetting_rows"] else []
    return variants, forget


def summary_text(results: Mapping) -> str:
    """The aligned tables a human reads first (also printed at the end of a run)."""
    variants, forget = tables(results)

    def pick(table, cols):
        return type(table)({c: row.get(c) for c in cols} for row in table)

    head = (f"tunelab trade-off experiment, {results['date']}, wall {results['wall_seconds']:.0f}s, "
            f"seeds {results['config']['seeds']} (mean ± sample std over seeds)")
    parts = [head, "", "accuracy and rates (higher = better, except false refusals):",
             str(pick(variants, ["variant", "seeds", *INSTRUCTION_PLOT, *DOMAIN_PLOT])), "",
             "accuracy without the letter-level families (reverse_word, uppercase, count_letters,",
             "first_letter, last_letter: what the tokenizer hides from the model):",
             str(pick(variants, ["variant", *(f"{m}_no_letters" for m in INSTRUCTION_PLOT)])), "",
             "answer loss (nats/token of the reference answers; lower = better), perplexity:",
             str(pick(variants, ["variant", *LOSS_PLOT, "perplexity"])), "",
             "answer loss split: content tokens, and the end-of-turn token alone:",
             str(pick(variants, ["variant", *CONTENT_LOSS])), "",
             "domain facts on phrasings the adapter was trained on, and on new phrasings (test):",
             str(pick(variants, ["variant", "domain_trained_fact_accuracy",
                                 "domain_fact_accuracy"])), "",
             "share of answers cut off at max_new_tokens:",
             str(pick(variants, ["variant", "seen_length_stop", "domain_length_stop"]))]
    if forget:
        parts += ["", "forgetting (before->after; + = worse after: accuracy drop, loss rise)",
                  str(pick(forget, ["pair", "seeds", *INSTRUCTION_PLOT])), "",
                  str(pick(forget, ["pair", *LOSS_PLOT[:3], "perplexity"]))]
    if results.get("rag"):
        parts += ["", *rag_summary_lines(results["rag"])]
    return "\n".join(parts) + "\n"


def rag_summary_lines(rag: Mapping) -> list[str]:
    """Lesson 08's table: each variant with and without retrieval, then on the changed facts."""
    from helpers.evaluate import aggregate

    table = aggregate(rag["rows"], by="variant")
    recall = rag["recall"]
    return [f"knowledge by retrieval (top {rag['k']} knowledge-base statements in the prompt; "
            f"the needed fact among them for {recall['recall']:.3f} of {recall['n']} questions)",
            "and fresh facts (4 policies changed after training; +rag reads the changed "
            "knowledge base, nothing is retrained):",
            str(type(table)({c: row.get(c) for c in (
                "variant", "seeds", "domain_fact_accuracy", "domain_refusal_rate",
                "domain_escalation_rate", "domain_false_refusal_rate", "fresh_fact_accuracy",
                "fresh_old_fact_rate")} for row in table))]


def _plots(results: Mapping, out: Path) -> None:
    from helpers.evaluate import bar_chart, loss_curves, save_png

    variants, forget = tables(results)
    save_png(bar_chart(variants, INSTRUCTION_PLOT, title="instruction tasks (accuracy)",
                       ylabel="accuracy", ylim=(0, 1.05)), out / "instruction.png")
    trained = ("domain_trained_fact_accuracy",) if "domain_trained_fact_accuracy" in results["rows"][0] else ()
    save_png(bar_chart(variants, [*trained, *DOMAIN_PLOT], title="domain behaviour", ylabel="rate",
                       ylim=(0, 1.05)), out / "domain.png")
    save_png(bar_chart(variants, LOSS_PLOT, title="answer loss (lower = better)",
                       ylabel="nats/token"), out / "answer_loss.png")
    save_png(bar_chart(variants, ["perplexity"], title="held-out perplexity (lower = better)",
                       ylabel="perplexity"), out / "perplexity.png")
    save_png(bar_chart(forget, LOSS_PLOT[:3], by="pair", ylabel="answer-loss rise (nats/token)",
                       title="forgetting on general tasks (+ = worse after)"),
             out / "forgetting.png")
    histories: dict = {}
    for run in results["training"]:
        histories.setdefault(run["variant"], []).append(run["history"])
    save_png(loss_curves(histories), out / "loss_curves.png")


def write_outputs(results: Mapping, out_dir: str | Path) -> list[Path]:
    """Write every file in FILES into `out_dir`; returns their paths."""
    from helpers.evaluate import ResultTable
    from helpers.io import atomic_write_text, write_json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_json(results, out / "results.json")
    ResultTable(results["rows"]).to_csv(out / "results.csv")
    atomic_write_text(out / "summary.txt", summary_text(results))
    _plots(results, out)
    return [out / f for f in FILES]


def family_rows(results: Mapping, variant: str = "it", split: str = "seen"):
    """Per task family: the first seed's score with its 95% interval (n examples of that seed),
    the mean over all seeds, and the majority-answer and chance baselines beside them."""
    from statistics import mean

    from helpers.tables import Table

    seeds = [s for s in results["config"]["seeds"] if f"{variant}/{s}" in results["details"]]
    if not seeds:
        raise KeyError(f"no per-seed details for variant {variant!r} in these results")
    per_seed = [{f["family"]: f for f in results["details"][f"{variant}/{s}"][split]["families"]}
                for s in seeds]
    rows = []
    for family, f in per_seed[0].items():
        accs = [p[family]["accuracy"] for p in per_seed if family in p]
        rows.append([family + (" (letters)" if f["letter_level"] else ""), f["n"],
                     f"{f['correct']}/{f['n']}", f"{f['low']:.2f}–{f['high']:.2f}",
                     round(mean(accs), 3), round(f["majority"], 3), round(f["chance"], 3)])
    columns = ["family", "n", f"seed {seeds[0]}", "95% interval", f"mean of {len(seeds)} seeds",
               "majority answer", "chance"]
    return Table(columns, sorted(rows, key=lambda r: -r[4]))
