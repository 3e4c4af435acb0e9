"""Evaluate one model, or several adapters on ONE loaded base, on a fixed evaluation suite.

    suite = EvalSuite(instruction={"seen": seen, "phrasing": phr, "unseen_family": unseen},
                      domain=domain_test, heldout_texts=texts)
    results = evaluate_variants(peft_model, tok, {"base": None, "it": "it", "sft": "sft"}, suite)
    results["it"].metrics["seen_accuracy"]

Generation is greedy and batched (helpers.generate.generate_batch), so a suite gives the same
numbers every time for the same weights. Switching adapters by name on one base is how the kit
compares variants without loading the base model once per variant.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from helpers.evaluate.judge import Judge, judge_mean
from helpers.evaluate.metrics import domain_metrics, instruction_metrics, texts_of
from helpers.generate import GenerationSettings

DOMAIN_KEYS = {"fact_accuracy": "domain_fact_accuracy", "refusal_rate": "domain_refusal_rate",
               "escalation_rate": "domain_escalation_rate",
               "false_refusal_rate": "domain_false_refusal_rate",
               "false_escalation_rate": "domain_false_escalation_rate",
               "accuracy": "domain_accuracy", "length_stop_share": "domain_length_stop"}


@dataclass
class EvalSuite:
    """What every variant is evaluated on (keep it fixed across variants and seeds)."""

    instruction: dict[str, list[dict]] = field(default_factory=dict)  # split → task records
    domain: list[dict] = field(default_factory=list)  # data/domain records (fact/escalate/refuse)
    # Fact questions the adapter was *trained* on (helpers.domain.trained_fact_sample): their
    # fact accuracy beside the test's tells memorising the training answers from knowing the
    # facts. A low domain answer loss does not show it: the loss averages over the many easy
    # template tokens, and the adapter can still put the wrong number in the sentence.
    domain_trained: list[dict] = field(default_factory=list)
    heldout_texts: list[str] = field(default_factory=list)  # plain text for perplexity
    generation: GenerationSettings = field(default_factory=GenerationSettings)  # greedy default
    batch_size: int = 32  # prompts per generate() call; lower it on out-of-memory
    judge: Judge | None = None  # optional judge(prompt, reference, generated) on domain answers
    samples: int = 3  # generations kept per split in EvalResult.details (for a look by eye)
    answer_loss: bool = True  # also score the reference answers' NLL (cheap: one forward each)


@dataclass
class EvalResult:
    """Metrics of one model/variant on a suite."""

    metrics: dict[str, float | None]  # flat: seen_accuracy, domain_fact_accuracy, perplexity, …
    details: dict = field(default_factory=dict)  # by_family per split, by_topic, sample answers
    seconds: float = 0.0  # wall time of the evaluation
    # Every generated answer, per split ("seen", …, "domain"), in the suite's record order: score
    # them again (e.g. knowledge.score_knowledge for intervals) without generating twice. Kept
    # out of `details`, which results files store.
    answers: dict[str, list[str]] = field(default_factory=dict)


def sample_records(records: Sequence[Mapping], n: int | None, seed: int = 0,
                   key: str = "family") -> list[dict]:
    """A deterministic subset of `n` records, balanced over `key` (round-robin over groups).

    Balanced so that a small evaluation subset still covers every family (or kind); the
    same seed gives the same subset, so every variant is scored on the same questions.
    """
    if n is None or n >= len(records):
        return [dict(r) for r in records]
    rng = random.Random(seed)
    groups: dict = {}
    for rec in records:
        groups.setdefault(rec.get(key), []).append(rec)
    for members in groups.values():
        rng.shuffle(members)
    picked: list[dict] = []
    while len(picked) < n:
        for members in groups.values():
            if members and len(picked) < n:
                picked.append(dict(members.pop()))
    return picked


def prompt_of(record: Mapping) -> list[dict]:
    """The turns before the record's final assistant answer (what the model is asked)."""
    messages = list(record["messages"])
    return messages[:-1] if messages and messages[-1].get("role") == "assistant" else messages


def _sample(records, gens, k: int) -> list[dict]:
    return [{"id": r.get("id"), "generated": g.text, "stop": g.stop_reason}
            for r, g in list(zip(records, gens))[:k]]


def _instruction_part(model, tok, suite: EvalSuite, metrics: dict, details: dict,
                      answers: dict) -> None:
    from helpers.evaluate.per_family import family_table
    from helpers.generate import generate_batch

    for name, records in suite.instruction.items():
        gens = generate_batch(model, tok, [prompt_of(r) for r in records], suite.generation,
                              suite.batch_size)
        m = instruction_metrics(records, gens)
        answers[name] = texts_of(gens)
        families = family_table(records, gens)
        metrics[f"{name}_accuracy"] = m["accuracy"]
        # The headline for word-level skills: letter-level families (what a tokenizer hides
        # from the model) are reported apart, so they cannot hide or inflate the rest.
        metrics[f"{name}_accuracy_no_letters"] = _pooled_accuracy(
            [r for r in families.rows if not r.letter_level])
        metrics[f"{name}_length_stop"] = m["length_stop_share"]
        if suite.answer_loss:
            _answer_losses(model, tok, records, suite, metrics, name)
        details[name] = {"by_family": m["by_family"], "families": families.as_dicts(),
                         "samples": _sample(records, gens, suite.samples)}


def _pooled_accuracy(rows) -> float | None:
    n = sum(r.n for r in rows)
    return sum(r.correct for r in rows) / n if n else None


def _answer_losses(model, tok, records, suite: EvalSuite, metrics: dict, name: str) -> None:
    """Answer loss, and its two parts: the content tokens and the end-of-turn token.

    Apart, because about a third of the scored tokens of a short answer are `<|im_end|>`: most
    of the drop in the total is the model learning to stop, not to answer.
    """
    from helpers.evaluate.perplexity import answer_loss_parts

    parts = answer_loss_parts(model, tok, records, suite.batch_size)
    metrics[f"{name}_answer_loss"] = parts.total
    metrics[f"{name}_content_loss"] = parts.content
    metrics[f"{name}_eos_loss"] = parts.end_of_turn


def _domain_part(model, tok, suite: EvalSuite, metrics: dict, details: dict, answers: dict) -> None:
    from helpers.evaluate.perplexity import answer_loss
    from helpers.generate import generate_batch

    gens = generate_batch(model, tok, [prompt_of(r) for r in suite.domain], suite.generation,
                          suite.batch_size)
    m = domain_metrics(suite.domain, gens)
    answers["domain"] = texts_of(gens)
    metrics.update({name: m[key] for key, name in DOMAIN_KEYS.items()})
    if suite.answer_loss:
        metrics["domain_answer_loss"] = answer_loss(model, tok, suite.domain, suite.batch_size)
    if suite.judge is not None:
        metrics["domain_judge"] = judge_mean(suite.domain, texts_of(gens), suite.judge)
    details["domain"] = {"by_topic": m["fact_accuracy_by_topic"],
                         "samples": _sample(suite.domain, gens, suite.samples)}


def _domain_trained_part(model, tok, suite: EvalSuite, metrics: dict, answers: dict) -> None:
    """Fact accuracy on questions the adapter was trained on (memorised, or not)."""
    from helpers.generate import generate_batch

    gens = generate_batch(model, tok, [prompt_of(r) for r in suite.domain_trained],
                          suite.generation, suite.batch_size)
    answers["domain_trained"] = texts_of(gens)
    metrics["domain_trained_fact_accuracy"] = domain_metrics(suite.domain_trained,
                                                             gens)["fact_accuracy"]


def evaluate_model(model, tokenizer, suite: EvalSuite) -> EvalResult:
    """Every metric of the suite for the model as it is (its active adapters, if any)."""
    from helpers.evaluate.perplexity import perplexity

    start = time.perf_counter()
    metrics: dict = {}
    details: dict = {}
    answers: dict = {}
    _instruction_part(model, tokenizer, suite, metrics, details, answers)
    if suite.domain:
        _domain_part(model, tokenizer, suite, metrics, details, answers)
    if suite.domain_trained:
        _domain_trained_part(model, tokenizer, suite, metrics, answers)
    if suite.heldout_texts:
        metrics["perplexity"] = perplexity(model, tokenizer, suite.heldout_texts, suite.batch_size)
    return EvalResult(metrics=metrics, details=details, seconds=time.perf_counter() - start,
                      answers=answers)


def evaluate_variants(peft_model, tokenizer, variants: Mapping[str, str | list[str] | None],
                      suite: EvalSuite) -> dict[str, EvalResult]:
    """Evaluate each variant on one loaded base: {label: adapter name(s), or None for the base}."""
    from helpers.models import active_adapters

    results = {}
    for label, names in variants.items():
        with active_adapters(peft_model, names) as model:
            results[label] = evaluate_model(model, tokenizer, suite)
    return results
