"""Deterministic metrics: instruction-task accuracy, domain behaviour, length stops, forgetting.

Every function takes records (from data/instructions or data/domain) and generations (plain
strings or helpers.generate.Generation objects, same order) and returns plain dicts of floats,
so results can be written to JSON, aggregated over seeds and compared between variants.
Perplexity (it needs a model) lives in helpers.evaluate.perplexity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

# Metrics where a larger value is worse: forgetting() flips their sign so that a positive
# "forgetting" always means "the later model is worse at this".
LOWER_IS_BETTER: frozenset[str] = frozenset({
    "perplexity", "false_refusal_rate", "false_escalation_rate", "length_stop_share",
})
LOWER_IS_BETTER_SUFFIXES: tuple[str, ...] = ("_loss", "_length_stop", "false_refusal_rate",
                                             "false_escalation_rate")


def lower_is_better(name: str) -> bool:
    """True for metrics where a larger value is worse (losses, perplexity, false refusals)."""
    return name in LOWER_IS_BETTER or name.endswith(LOWER_IS_BETTER_SUFFIXES)


class MetricInputError(ValueError):
    """Records and generations that cannot be scored together (what, where, what to do)."""


def texts_of(generations: Sequence) -> list[str]:
    """The answer text of each generation (a str, or an object with a `.text`)."""
    return [g if isinstance(g, str) else g.text for g in generations]


def family_hits(records: Sequence[Mapping], texts: Sequence[str],
                what: str) -> dict[str, list[bool]]:
    """{family: [correct?, ...]} for instruction records and their answer texts (same order).

    helpers.tasks.score.family_hits (the tally score_records uses too), with a record without
    'family'/'answer' reported as a MetricInputError that names the caller (`what`).
    """
    from helpers.tasks.score import RecordFieldError
    from helpers.tasks.score import family_hits as tally

    try:
        return tally(records, texts)
    except RecordFieldError as err:
        raise MetricInputError(
            f"{what}: record {err.index} (id {err.record_id!r}) has no 'family'/'answer' field; "
            "pass records from data/instructions/*.jsonl") from None


def length_stop_share(generations: Sequence) -> float | None:
    """Share of generations that stopped on max_new_tokens ("length"), not on EOS.

    A high share means the model never learned to end its turn (PITFALLS: pad == EOS, or an
    adapter trained without the EOS token) — and, in scores, answers cut off mid-sentence.
    Plain strings carry no stop reason: None when no generation has one.
    """
    reasons = _stop_reasons(generations)
    if not reasons:
        return None
    return sum(r == "length" for r in reasons) / len(reasons)


def eos_stop_share(generations: Sequence) -> float | None:
    """Share of generations that stopped by themselves (stop reason "eos": the model wrote its
    end-of-turn token) rather than running into max_new_tokens.

    This is what the end-of-turn part of the answer loss (answer_loss_parts) is about: watch
    it rise during instruction tuning, separately from whether the answers are right. Equal
    to 1 - length_stop_share when every generation carries a stop reason; None for plain
    strings.
    """
    reasons = _stop_reasons(generations)
    if not reasons:
        return None
    return sum(r == "eos" for r in reasons) / len(reasons)


def _stop_reasons(generations: Sequence) -> list[str]:
    """The stop reason of each generation that has one (helpers.generate.Generation)."""
    return [g.stop_reason for g in generations if not isinstance(g, str)]


def _check_aligned(records: Sequence, generations: Sequence, what: str) -> None:
    if len(records) != len(generations):
        raise MetricInputError(
            f"{what}: {len(records)} records but {len(generations)} generations; pass one "
            "generation per record, in the same order")
    if not records:
        raise MetricInputError(f"{what}: no records to score; pass a non-empty split")


def instruction_metrics(records: Sequence[Mapping], generations: Sequence) -> dict:
    """Accuracy on instruction-suite records with each family's own checker.

    Returns `accuracy` (share of all examples correct), `family_mean` (mean of per-family
    accuracies, so a family with many examples does not dominate), `by_family`, `n` and
    `length_stop_share` / `eos_stop_share` (None for plain strings).
    For intervals and baselines per family use helpers.evaluate.family_table.
    """
    _check_aligned(records, generations, "instruction_metrics")
    hits = family_hits(records, texts_of(generations), "instruction_metrics")
    by_family = {f: sum(h) / len(h) for f, h in sorted(hits.items())}
    flat = [h for hs in hits.values() for h in hs]
    return {"accuracy": sum(flat) / len(flat), "family_mean": sum(by_family.values()) / len(by_family),
            "by_family": by_family, "n": len(flat), "length_stop_share": length_stop_share(generations),
            "eos_stop_share": eos_stop_share(generations)}


def domain_metrics(records: Sequence[Mapping], generations: Sequence) -> dict:
    """Domain behaviour on data/domain records: facts stated, refusals, escalations.

    `fact_accuracy` (fact questions whose facts are all stated), `refusal_rate` (out-of-scope
    and unsafe requests refused), `escalation_rate` (needs-a-human requests escalated),
    `false_refusal_rate` (in-scope requests refused), `accuracy` (every record did what it
    should), plus counts, `length_stop_share` and `eos_stop_share`. Rates with nothing to measure are None.
    """
    from helpers.domain import score_domain

    _check_aligned(records, generations, "domain_metrics")
    out = score_domain(records, texts_of(generations))
    out["length_stop_share"] = length_stop_share(generations)
    out["eos_stop_share"] = eos_stop_share(generations)
    return out


def forgetting(before: Mapping[str, float], after: Mapping[str, float],
               metrics: Iterable[str] | None = None) -> dict[str, float]:
    """How much worse `after` is than `before`, per metric (positive = forgotten).

    For accuracy-like metrics this is before − after (a drop); for lower-is-better metrics
    (perplexity, losses, false refusals: `lower_is_better`) it is after − before (a rise). Use it on general-task
    metrics to see what domain SFT cost: forgetting(it_row, hybrid_row, ["seen_accuracy"]).
    Metrics missing or None on either side are skipped.
    """
    names = list(metrics) if metrics is not None else [k for k in before if k in after]
    out: dict[str, float] = {}
    for name in names:
        b, a = before.get(name), after.get(name)
        if not isinstance(b, (int, float)) or not isinstance(a, (int, float)):
            continue
        out[name] = (a - b) if lower_is_better(name) else (b - a)
    return out
