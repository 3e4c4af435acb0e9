"""An optional judge hook for free-form answers.

The kit's default scorers are deterministic (exact match, fact strings, refusal phrases): they
are cheap, repeatable and what CI checks. For free-form answers a practitioner may want an LLM
judge instead. Any callable with this signature plugs in:

    def my_judge(prompt_messages: list[dict], reference: str, generated: str) -> float:
        ...  # call your judge model; return a score in [0, 1]

    scores = judge_scores(records, generations, my_judge)

Practical advice: pin the judge model and its prompt, and spot-check its scores by hand on
20 answers before trusting a mean — judges have position, length and self-preference biases.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from helpers.evaluate.metrics import MetricInputError, texts_of

Judge = Callable[[list, str, str], float]


class JudgeError(ValueError):
    """A judge returned something that is not a score in [0, 1]."""


def prompt_and_reference(record: Mapping) -> tuple[list, str]:
    """Split a chat record into (messages before the final answer, the reference answer)."""
    messages = list(record.get("messages") or [])
    if not messages or messages[-1].get("role") != "assistant":
        raise MetricInputError(f"record {record.get('id')!r}: its last message must be the "
                               "assistant's reference answer")
    return messages[:-1], messages[-1]["content"]


def token_f1_judge(prompt_messages: list, reference: str, generated: str) -> float:
    """A deterministic stand-in judge: word-overlap F1 between reference and answer (SQuAD-style)."""
    ref, gen = reference.lower().split(), generated.lower().split()
    if not ref or not gen:
        return float(ref == gen)
    common = sum(min(ref.count(w), gen.count(w)) for w in set(gen))
    if common == 0:
        return 0.0
    precision, recall = common / len(gen), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def judge_scores(records: Sequence[Mapping], generations: Sequence, judge: Judge) -> list[float]:
    """Call `judge(prompt_messages, reference, generated)` per record; check each score."""
    if len(records) != len(generations):
        raise MetricInputError(f"judge_scores: {len(records)} records but {len(generations)} "
                               "generations; pass one generation per record")
    scores = []
    for rec, text in zip(records, texts_of(generations)):
        prompt, reference = prompt_and_reference(rec)
        value = judge(prompt, reference, text)
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise JudgeError(f"judge returned {value!r} for record {rec.get('id')!r}; a judge must "
                             "return a float in [0, 1] (normalise e.g. a 1–10 rating by (x-1)/9)")
        scores.append(float(value))
    return scores


def judge_mean(records: Sequence[Mapping], generations: Sequence, judge: Judge) -> float:
    """Mean judge score over records (see judge_scores)."""
    scores = judge_scores(records, generations, judge)
    if not scores:
        raise MetricInputError("judge_mean: no records to judge")
    return sum(scores) / len(scores)
