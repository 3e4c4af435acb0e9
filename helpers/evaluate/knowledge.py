"""Domain knowledge scored with intervals: what a support assistant gets right, refuses,
escalates — and, after the knowledge base changed, whether it states the new or the old value.

Used by notebook 08 (retrieval vs fine-tuning) and by the trade-off experiment's retrieval rows,
so both count the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from helpers.evaluate.intervals import Proportion, proportion


@dataclass
class KnowledgeScore:
    """Rates over one set of domain records, each with its Wilson 95% interval."""

    rates: dict[str, Proportion]  # "facts", "refusals", "escalations", "false refusals", ...
    answers: list[str] = field(default_factory=list)  # one generated answer per record

    def row(self) -> dict[str, float]:
        """{rate name: share} (plain floats, for a results file)."""
        return {name: p.accuracy for name, p in self.rates.items()}


def _share(flags: Sequence[bool]) -> Proportion | None:
    return proportion(sum(flags), len(flags)) if flags else None


def score_knowledge(records: Sequence[dict], answers: Sequence[str]) -> KnowledgeScore:
    """Score generated `answers` (one per record, same order) against domain records.

    Every fact record counts for "facts" (all required strings stated); refuse/escalate records
    for "refusals"/"escalations"; fact + escalate records for "false refusals". Records from
    helpers.domain.fresh (they carry "old_value") also count "old fact" (the stale value stated).
    """
    from helpers.domain import fact_accuracy, is_escalation, is_refusal
    from helpers.domain.fresh import states_old_fact

    if len(records) != len(answers):
        raise ValueError(f"{len(records)} records but {len(answers)} answers: one per record")
    pairs = list(zip(records, answers))
    by = {k: [(r, a) for r, a in pairs if r["kind"] == k] for k in ("fact", "refuse", "escalate")}
    rates = {
        "facts": _share([fact_accuracy(r, a) for r, a in by["fact"]]),
        "refusals": _share([is_refusal(a) for _, a in by["refuse"]]),
        "escalations": _share([is_escalation(a) for _, a in by["escalate"]]),
        "false refusals": _share([is_refusal(a) for _, a in by["fact"] + by["escalate"]]),
        "old fact": _share([states_old_fact(r, a) for r, a in pairs if "old_value" in r]),
    }
    return KnowledgeScore({k: v for k, v in rates.items() if v is not None}, list(answers))


def with_trained_facts(score: KnowledgeScore, trained_records: Sequence[dict],
                       trained_answers: Sequence[str]) -> KnowledgeScore:
    """`score` with a "trained facts" rate in front: fact accuracy on questions exactly as the
    adapter was trained on them (helpers.domain.trained_fact_sample). Beside "facts" (new
    phrasings) it tells memorising the training answers from learning the facts."""
    trained = score_knowledge(trained_records, trained_answers).rates.get("facts")
    if trained is None:
        raise ValueError("no fact records among the trained records: pass "
                         "helpers.domain.trained_fact_sample(train_records)")
    return KnowledgeScore({"trained facts": trained, **score.rates}, score.answers)


def answer_and_score(model, tokenizer, records: Sequence[dict], settings=None,
                     batch_size: int = 16) -> KnowledgeScore:
    """Generate an answer to each record's prompt (greedy by default), then score_knowledge."""
    from helpers.generate import GenerationSettings, generate_batch

    prompts = [r["messages"][:-1] for r in records]
    gens = generate_batch(model, tokenizer, prompts, settings or GenerationSettings(), batch_size)
    return score_knowledge(records, [g.text for g in gens])


def knowledge_table(scores: dict[str, KnowledgeScore]):
    """One row per variant, one column per rate: "share [95% interval] (n)"; "—" = not measured."""
    from helpers.tables import Table

    names: list[str] = []
    for score in scores.values():
        names += [n for n in score.rates if n not in names]
    rows = [[variant, *(_cell(score.rates.get(n)) for n in names)]
            for variant, score in scores.items()]
    return Table(["variant", *names], rows)


def _cell(p: Proportion | None) -> str:
    return "—" if p is None else f"{p.accuracy:.2f} [{p.low:.2f}, {p.high:.2f}] ({p.n})"
