"""Policies that change after a model was trained: the freshness test of lesson 08.

Nimbusly raises two prices, lengthens the refund window and keeps backups longer. A model that
learned the facts by fine-tuning keeps stating the old ones until it is retrained; a model that
reads them from the knowledge base at question time (helpers.retrieval) states the new ones at
once. `fresh_passages` is the changed knowledge base, `fresh_records` the questions about the
changed facts with their new answers, and `states_old_fact` spots an answer still giving an old
value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from helpers.domain.score import normalise


@dataclass(frozen=True)
class PolicyChange:
    """One fact of the knowledge base whose value changes."""

    fact_id: str  # knowledge-base id, e.g. "plan.breeze.price"
    old: str  # the value as the statement and the answers write it today
    new: str  # the value after the change (never contains `old`, so the two are told apart)


CHANGES = (
    PolicyChange("plan.breeze.price", "5 dollars", "7 dollars"),
    PolicyChange("plan.tempest.price", "29 dollars", "35 dollars"),
    PolicyChange("refund.window", "14 days", "30 days"),
    PolicyChange("retention.backups", "7 days", "10 days"),
)


def _changed(text: str, change: PolicyChange) -> str:
    if change.old not in text:
        raise ValueError(f"fact {change.fact_id!r}: {change.old!r} is not in {text!r}; update "
                         "helpers/domain/fresh.py CHANGES to the knowledge base as built")
    return text.replace(change.old, change.new)


def fresh_passages(passages: Sequence, changes: Sequence[PolicyChange] = CHANGES) -> list:
    """The knowledge base after the changes (helpers.retrieval.Passage objects, new copies)."""
    from helpers.retrieval import Passage

    by_id = {c.fact_id: c for c in changes}
    missing = set(by_id) - {p.id for p in passages}
    if missing:
        raise ValueError(f"changed facts {sorted(missing)} are not in the knowledge base")
    return [Passage(p.id, _changed(p.text, by_id[p.id])) if p.id in by_id else p
            for p in passages]


def fresh_records(records: Sequence[Mapping],
                  changes: Sequence[PolicyChange] = CHANGES) -> list[dict]:
    """The fact records about a changed fact, with the new value in the answer and in `facts`
    (each question once: records are deduplicated on their normalised user message). All
    splits may go in: a fine-tuned model was trained on the old answers of the train phrasings,
    and that is exactly what the freshness test asks it about."""
    from helpers.retrieval import needed_fact

    by_id = {c.fact_id: c for c in changes}
    out, seen = [], set()
    for record in records:
        change = by_id.get(needed_fact(record) or "")
        question = normalise(record["messages"][-2]["content"])
        if change is None or question in seen:
            continue
        seen.add(question)
        out.append({**_rewritten(record, change), "old_value": change.old})
    return out


def _rewritten(record: Mapping, change: PolicyChange) -> dict:
    """A copy of a fact record whose answer and required facts carry the new value."""
    messages = [dict(m) for m in record["messages"]]
    messages[-1]["content"] = _changed(messages[-1]["content"], change)
    facts = [_changed(f, change) if f == change.old else f for f in record["facts"]]
    return {**record, "messages": messages, "facts": facts}


def apply_changes(records: Sequence[Mapping],
                  changes: Sequence[PolicyChange] = CHANGES) -> list[dict]:
    """Training records after the change: every record about a changed fact gets the new value
    in its answer and `facts` (all of them, phrasings and copies kept); the rest unchanged.
    This is what a retraining run learns from."""
    from helpers.retrieval import needed_fact

    by_id = {c.fact_id: c for c in changes}
    out = []
    for record in records:
        change = by_id.get(needed_fact(record) or "")
        out.append(dict(record) if change is None else _rewritten(record, change))
    return out


def states_old_fact(record: Mapping, generation: str) -> bool:
    """True if the answer gives the value the fact had before the change (as whole words:
    the old "5 dollars" is not inside "35 dollars")."""
    old = re.escape(normalise(record["old_value"]))
    return re.search(rf"(?<![\w.]){old}(?![\w.])", normalise(generation)) is not None
