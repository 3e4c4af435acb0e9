"""helpers.retrieval: BM25 over the knowledge base, the retrieval prompt, recall@k."""

from __future__ import annotations

import json

import pytest

from helpers.domain import load_split
from helpers.retrieval import (
    CONTEXT_HEADER,
    Hit,
    Passage,
    RetrievalError,
    Retriever,
    load_passages,
    needed_fact,
    recall_at_k,
    with_context,
)

TOY = [Passage("a", "The Squall plan has 4 GB of RAM."),
       Passage("b", "The Breeze plan costs 5 dollars a month."),
       Passage("c", "Backups are kept for 7 days.")]


def _record(fact_id: str, question: str) -> dict:
    return {"id": f"fact.{fact_id}.q0.t1", "kind": "fact",
            "messages": [{"role": "user", "content": question},
                         {"role": "assistant", "content": "..."}]}


def test_bundled_knowledge_base_loads_every_statement():
    passages = load_passages()
    kb = json.loads((load_passages.__defaults__[0]).read_text())
    assert [p.id for p in passages] == [f["id"] for f in kb["facts"]] and len(passages) == 47


def test_search_ranks_the_statement_sharing_the_rare_words_first():
    r = Retriever(TOY)
    hits = r.search("how long are backups kept", k=2)
    assert [h.passage.id for h in hits][0] == "c" and hits[0].score > hits[1].score
    assert r.search("Squall RAM", k=1)[0].passage.id == "a"
    assert len(r.search("anything", k=10)) == 3  # k larger than the index: all passages
    with pytest.raises(RetrievalError, match="k must be >= 1"):
        r.search("x", k=0)


def test_with_context_adds_the_facts_after_the_question_or_to_the_system_message():
    hits = [Hit(TOY[0], 2.0), Hit(TOY[2], 1.0)]
    msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "RAM?"}]
    block = f"{CONTEXT_HEADER}\n- {TOY[0].text}\n- {TOY[2].text}"
    out = with_context(msgs, hits)
    assert out == [msgs[0], {"role": "user", "content": f"RAM?\n\n{block}"}]
    assert msgs[1]["content"] == "RAM?"  # the input is not modified
    out = with_context(msgs, hits, place="system")
    assert out[0]["content"] == f"Be brief.\n{block}" and out[1] == msgs[1]
    bare = with_context([{"role": "user", "content": "RAM?"}], hits[:1], place="system")
    assert bare[0] == {"role": "system", "content": f"{CONTEXT_HEADER}\n- {TOY[0].text}"}
    with pytest.raises(RetrievalError, match="place must be"):
        with_context(msgs, hits, place="assistant")
    with pytest.raises(RetrievalError, match="needs a user message"):
        with_context([{"role": "system", "content": "x"}], hits)


def test_with_context_renders_through_the_chat_template(small_tokenizer):
    tok = small_tokenizer  # the kit's ChatML template
    for place in ("user", "system"):
        msgs = with_context([{"role": "user", "content": "RAM?"}], [Hit(TOY[0], 1.0)], place)
        text = tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
        assert TOY[0].text in text and text.endswith("<|im_start|>assistant\n"), text


def test_needed_fact_reads_the_record_id_and_rejects_a_malformed_one():
    assert needed_fact(_record("plan.squall.ram", "RAM?")) == "plan.squall.ram"
    assert needed_fact({"id": "fact.sla.credit.q0.t0.v1", "kind": "fact"}) == "sla.credit"
    assert needed_fact({"id": "refuse.trivia.t4", "kind": "refuse"}) is None
    with pytest.raises(RetrievalError, match="'oops'"):
        needed_fact({"id": "oops", "kind": "fact"})


def test_recall_at_k_equals_a_brute_force_count():
    r = Retriever(TOY)
    records = [_record("a", "Squall RAM"), _record("c", "backups kept"),
               _record("b", "Squall RAM"), {"id": "refuse.x.t0", "kind": "refuse", "messages": []}]
    assert recall_at_k(r, records, 1) == {"k": 1, "n": 3, "recall": 2 / 3}
    assert recall_at_k(r, records, 3)["recall"] == 1.0
    with pytest.raises(RetrievalError, match="needs fact 'zzz'"):
        recall_at_k(r, [_record("zzz", "q")], 1)


def test_recall_on_the_bundled_test_questions_rises_with_k():
    r = Retriever(load_passages())
    recalls = [recall_at_k(r, load_split("test"), k)["recall"] for k in (1, 3, 10)]
    assert recalls == sorted(recalls) and recalls[0] > 0.4 and recalls[-1] >= 0.9, recalls


def test_load_passages_names_the_file_and_the_bad_fact(tmp_path):
    bad = tmp_path / "kb.json"
    bad.write_text(json.dumps({"facts": [{"id": "x", "statement": "ok"}, {"id": "y"}]}))
    with pytest.raises(RetrievalError, match=r"kb.json: facts\[1\] needs"):
        load_passages(bad)
    bad.write_text("{")
    with pytest.raises(RetrievalError, match="kb.json: cannot read"):
        load_passages(bad)


def test_with_retrieval_keeps_the_reference_answer_and_adds_the_hits():
    from helpers.retrieval import with_retrieval

    records = [_record("a", "Squall RAM"), _record("c", "backups kept")]
    out = with_retrieval(records, Retriever(TOY), k=1)
    assert [r["messages"][-1] for r in out] == [r["messages"][-1] for r in records]
    assert out[0]["messages"][0]["content"] == f"Squall RAM\n\n{CONTEXT_HEADER}\n- {TOY[0].text}"
    assert out[1]["messages"][0]["content"].endswith(TOY[2].text)
    assert records[0]["messages"][0]["content"] == "Squall RAM" and out[0]["id"] == records[0]["id"]


def test_score_knowledge_counts_each_kind_with_an_interval():
    from helpers.domain import ESCALATION_MESSAGE, REFUSAL_MESSAGE
    from helpers.evaluate.knowledge import score_knowledge

    fact = {"kind": "fact", "facts": ["4 GB"], "id": "fact.a.q0.t0"}
    records = [fact, fact, {"kind": "refuse", "facts": []}, {"kind": "escalate", "facts": []},
               {**fact, "old_value": "2 GB"}]
    answers = ["It has 4 GB.", REFUSAL_MESSAGE, REFUSAL_MESSAGE, ESCALATION_MESSAGE, "It has 2 GB."]
    score = score_knowledge(records, answers)
    assert score.row() == {"facts": 1 / 3, "refusals": 1.0, "escalations": 1.0,
                           "false refusals": 0.25, "old fact": 1.0}
    assert score.rates["facts"].n == 3 and score.rates["facts"].low < 1 / 3 < score.rates["facts"].high
    assert "refusals" not in score_knowledge([fact], ["4 GB"]).rates  # nothing to measure: left out
    with pytest.raises(ValueError, match="2 records but 1 answers"):
        score_knowledge([fact, fact], ["x"])


def test_knowledge_table_shows_each_rate_with_its_interval():
    from helpers.evaluate.knowledge import knowledge_table, score_knowledge

    fact = {"kind": "fact", "facts": ["4 GB"], "id": "fact.a.q0.t0"}
    table = knowledge_table({"a": score_knowledge([fact], ["4 GB"]),
                             "b": score_knowledge([{"kind": "refuse", "facts": []}], ["no"])})
    assert table.columns == ["variant", "facts", "false refusals", "refusals"]
    assert table.rows[0] == ["a", "1.00 [0.21, 1.00] (1)", "0.00 [0.00, 0.79] (1)", "—"]
    assert table.rows[1][1] == "—" and table.rows[1][3].startswith("0.00 [0.00, ")


def test_with_trained_facts_puts_the_trained_rate_first_and_needs_facts():
    from helpers.domain import REFUSAL_MESSAGE
    from helpers.evaluate.knowledge import knowledge_table, score_knowledge, with_trained_facts

    fact = {"kind": "fact", "facts": ["4 GB"], "id": "fact.a.q0.t0"}
    new = score_knowledge([fact, {"kind": "refuse", "facts": []}], ["8 GB", REFUSAL_MESSAGE])
    both = with_trained_facts(new, [fact, fact, fact, fact], ["4 GB", "It has 4 GB.", "2 GB", "4 GB"])
    assert list(both.rates)[:2] == ["trained facts", "facts"]
    assert both.row()["trained facts"] == 0.75 and both.row()["facts"] == 0.0  # memorised, not learned
    assert both.answers == new.answers and knowledge_table({"sft": both}).columns[1] == "trained facts"
    with pytest.raises(ValueError, match="no fact records"):
        with_trained_facts(new, [{"kind": "refuse", "facts": []}], [REFUSAL_MESSAGE])
