"""helpers.domain.fresh: the changed knowledge base and the questions about the changed facts."""

from __future__ import annotations

import pytest

from helpers.domain import load_split
from helpers.domain.fresh import (
    CHANGES,
    PolicyChange,
    fresh_passages,
    fresh_records,
    states_old_fact,
)
from helpers.retrieval import load_passages, needed_fact


def test_fresh_knowledge_base_changes_exactly_the_listed_facts():
    old = load_passages()
    new = fresh_passages(old)
    changed = {c.fact_id: c for c in CHANGES}
    assert [p.id for p in new] == [p.id for p in old]
    for before, after in zip(old, new):
        if before.id in changed:
            c = changed[before.id]
            assert c.old in before.text and c.new in after.text and c.old not in after.text
        else:
            assert after == before
    with pytest.raises(ValueError, match="not in the knowledge base"):
        fresh_passages(old, [PolicyChange("nope", "a", "b")])


def test_fresh_records_ask_every_changed_fact_once_per_question_with_the_new_answer():
    records = load_split("train") + load_split("validation") + load_split("test")
    fresh = fresh_records(records)
    assert {needed_fact(r) for r in fresh} == {c.fact_id for c in CHANGES}
    questions = [r["messages"][-2]["content"].lower() for r in fresh]
    assert len(questions) == len(set(questions)) and len(fresh) >= 40
    for r in fresh:
        change = next(c for c in CHANGES if c.fact_id == needed_fact(r))
        assert change.new in r["messages"][-1]["content"] and change.new in r["facts"]
        assert change.old not in r["facts"] and r["old_value"] == change.old
    assert records[0]["messages"][-1]["content"] == load_split("train")[0]["messages"][-1]["content"]


def test_states_old_fact_matches_whole_values_only():
    r = {"old_value": "5 dollars"}
    assert states_old_fact(r, "The Breeze plan costs 5 dollars a month.")
    assert states_old_fact(r, "It is $5.")  # normalised like the fact scorer
    assert not states_old_fact(r, "It costs 35 dollars.")
    assert not states_old_fact(r, "It costs 7 dollars.")


def test_apply_changes_rewrites_every_record_of_a_changed_fact_and_nothing_else():
    from helpers.domain.fresh import apply_changes

    train = load_split("train")
    updated = apply_changes(train)
    assert len(updated) == len(train)
    changed = {c.fact_id: c for c in CHANGES}
    n = 0
    for before, after in zip(train, updated):
        c = changed.get(needed_fact(before) or "")
        if c is None:
            assert after == before
        else:
            n += 1
            assert after["messages"][-1]["content"] == before["messages"][-1]["content"].replace(c.old, c.new)
            assert after["messages"][:-1] == before["messages"][:-1] and c.new in after["facts"]
    assert n >= 30
