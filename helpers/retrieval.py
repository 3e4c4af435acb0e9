"""Retrieval for the domain assistant: find the knowledge-base facts a question needs and put
them into the prompt (retrieval-augmented generation, RAG).

Fine-tuning shapes behaviour (the answer format, refusing, escalating); retrieval supplies facts
that change. The index is BM25 from `rank-bm25` (a maintained library: no hand-written scoring),
over the statements of `data/domain/kb.json`. The retrieved statements go into the messages (the
user turn by default, or the system message), so the model's own chat template renders them and
the same cells work unchanged with a hub model on a GPU.

    kb = load_passages()                       # 47 statements of the bundled knowledge base
    retriever = Retriever(kb)
    hits = retriever.search("How much RAM does Squall have?", k=3)
    messages = with_context(record["messages"][:-1], hits)   # then generate as usual
    recall_at_k(retriever, load_split("test"), k=3)           # did the needed fact come back?
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import DOMAIN_DIR

KB_FILE = DOMAIN_DIR / "kb.json"
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
# A fact record's id is "fact.<kb fact id>.q<question>.t<template>[.v<variant>]".
_FACT_ID = re.compile(r"^fact\.(?P<fact>.+?)\.q\d+\.t\d+(?:\.v\d+)?$")
CONTEXT_HEADER = "Facts from the Nimbusly knowledge base:"


class RetrievalError(ValueError):
    """A knowledge base or record the retriever cannot use; the message says what to fix."""


@dataclass(frozen=True)
class Passage:
    """One retrievable statement."""

    id: str  # the knowledge-base fact id, e.g. "plan.squall.ram"
    text: str  # the statement, e.g. "The Squall plan has 4 GB of RAM."


@dataclass(frozen=True)
class Hit:
    """A passage returned for a query, with its BM25 score (higher = more relevant)."""

    passage: Passage
    score: float


def load_passages(path: str | Path = KB_FILE) -> list[Passage]:
    """The statements of a knowledge-base file (`data/domain/kb.json` layout: {"facts": [...]})."""
    path = Path(path)
    try:
        facts = json.loads(path.read_text(encoding="utf-8"))["facts"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise RetrievalError(f"{path}: cannot read a knowledge base with a 'facts' list ({err}); "
                             "build it with `python -m helpers.build.domain build`") from err
    passages = []
    for i, fact in enumerate(facts):
        if not isinstance(fact, dict) or not fact.get("id") or not fact.get("statement"):
            raise RetrievalError(f"{path}: facts[{i}] needs a non-empty 'id' and 'statement'")
        passages.append(Passage(str(fact["id"]), str(fact["statement"])))
    return passages


def tokenize(text: str) -> list[str]:
    """Lower-case words and numbers ("99.95" stays one term): BM25's terms."""
    return _WORD.findall(text.lower())


class Retriever:
    """BM25 over passages. Build once, query many times."""

    def __init__(self, passages: list[Passage]):
        from rank_bm25 import BM25Okapi  # imported here: the kit imports without it

        if not passages:
            raise RetrievalError("Retriever needs at least one passage")
        self.passages = list(passages)
        self._bm25 = BM25Okapi([tokenize(p.text) for p in self.passages])

    def search(self, query: str, k: int = 3) -> list[Hit]:
        """The `k` best passages for `query`, best first (ties keep knowledge-base order)."""
        if k < 1:
            raise RetrievalError(f"k must be >= 1, got {k}")
        scores = self._bm25.get_scores(tokenize(query))
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        return [Hit(self.passages[i], float(scores[i])) for i in order]


def with_context(messages: list[dict], hits: list[Hit], place: str = "user") -> list[dict]:
    """A copy of a conversation with the retrieved statements added to it.

    place="user" (default): after the last user message, past a blank line, the way the
    instruction suite writes a task's input after its instruction ("question⏎⏎facts"), which is
    the layout an instruction-tuned micro model has learned to read. place="system": at the end
    of the system message (one is added if there is none), the usual choice for hub chat models.
    """
    if place not in ("user", "system"):
        raise RetrievalError(f"place must be 'user' or 'system', got {place!r}")
    facts = "\n".join(f"- {h.passage.text}" for h in hits)
    block = f"{CONTEXT_HEADER}\n{facts}"
    out = [dict(m) for m in messages]
    if place == "system":
        if out and out[0].get("role") == "system":
            out[0]["content"] = f"{out[0]['content']}\n{block}"
        else:
            out.insert(0, {"role": "system", "content": block})
        return out
    users = [i for i, m in enumerate(out) if m.get("role") == "user"]
    if not users:
        raise RetrievalError("with_context(place='user') needs a user message to add facts to")
    out[users[-1]]["content"] = f"{out[users[-1]]['content']}\n\n{block}"
    return out


def needed_fact(record: dict) -> str | None:
    """The knowledge-base fact id a domain record asks about; None for refusals/escalations."""
    if record.get("kind") != "fact":
        return None
    m = _FACT_ID.match(str(record.get("id", "")))
    if not m:
        raise RetrievalError(f"record {record.get('id')!r}: a fact record's id must look like "
                             "'fact.<kb id>.q<n>.t<n>' to know which fact it needs")
    return m.group("fact")


def last_user_text(record: dict) -> str:
    """The question a record asks: its last user message."""
    users = [m["content"] for m in record["messages"] if m["role"] == "user"]
    if not users:
        raise RetrievalError(f"record {record.get('id')!r} has no user message to retrieve for")
    return users[-1]


def with_retrieval(records: list[dict], retriever: Retriever, k: int,
                   place: str = "user") -> list[dict]:
    """Copies of chat records whose prompt carries the top-k statements for their question (the
    reference answer, the last message, is kept as it is, for scoring)."""
    out = []
    for record in records:
        hits = retriever.search(last_user_text(record), k)
        out.append({**record, "messages": [*with_context(record["messages"][:-1], hits, place),
                                           record["messages"][-1]]})
    return out


def recall_at_k(retriever: Retriever, records: list[dict], k: int) -> dict[str, float | int]:
    """Share of fact records whose needed fact is among the top-k passages for its question."""
    known = {p.id for p in retriever.passages}
    found = n = 0
    for record in records:
        fact = needed_fact(record)
        if fact is None:
            continue
        if fact not in known:
            raise RetrievalError(f"record {record['id']!r} needs fact {fact!r}, which the "
                                 "knowledge base does not have")
        n += 1
        found += any(h.passage.id == fact for h in retriever.search(last_user_text(record), k))
    return {"k": k, "n": n, "recall": found / n if n else 0.0}
