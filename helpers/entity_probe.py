"""Can a base model tell its entities apart, and answer a question about what it just read?

Two measurements that explain why instruction tuning cannot teach "Who dropped the map?":

- **Embedding similarity per word class**: the mean pairwise cosine of the input embeddings of
  the world's people, towns, objects, days… Words the corpus uses interchangeably (any name can
  stand in any story) drift together; a model whose names all have nearly the same embedding
  cannot copy the right one, however it attends. Measured on the micro model after stage 5:
  people 0.85, towns 0.92, objects 0.31.
- **Question probe**: a sentence, then a question about it asked in speech, in the corpus's own
  style ('… "Who dropped the map?" asked Ben. "'); the next word must be the answer, which is in
  the sentence. Scored per kind (who, which town, which day, the first thing of a list), so a
  model that answers days and lists but not people shows it.

Neither is an instruction: both run on any base model folder (`python -m helpers.build.micro
probe DIR`).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from helpers import world
from helpers.probe import PROBE_SEED, Probe, score_probes

WORD_CLASSES = {"people": world.PEOPLE, "towns": world.TOWNS, "objects": world.OBJECTS,
                "animals": world.ANIMALS, "days": world.DAYS, "months": world.MONTHS,
                "colours": world.COLORS,
                # Domain words the micro corpus holds only inside word lists (never in a
                # sentence: checks.py), and domain words it never holds. A fine-tuned model
                # must tell "storage" from "RAM" to answer a plan question.
                "plan attributes, in word lists only": ("storage", "RAM", "SSD", "vCPUs", "GB"),
                "plan attributes, never in the corpus": ("memory", "disk", "cores", "cost")}


def _event(rng: random.Random) -> tuple[str, str, str, str]:
    p, v = rng.choice(world.PEOPLE), rng.choice(world.TRANSITIVE_VERBS)
    o, day = rng.choice(world.OBJECTS), rng.choice(world.DAYS)
    return p, v, o, f"{p} {v} the {rng.choice(world.COLORS)} {o} near {rng.choice(world.PLACES)} on {day}."


def _asker(rng: random.Random, *taken: str) -> str:
    return rng.choice([q for q in world.PEOPLE if q not in taken])


def _who(rng: random.Random) -> Probe:
    p, v, o, sentence = _event(rng)
    return Probe("who", f'{sentence} "Who {v} the {o}?" asked {_asker(rng, p)}. "', p)


def _town(rng: random.Random) -> Probe:
    p, town = rng.choice(world.PEOPLE), rng.choice(world.TOWNS)
    return Probe("town", f'{p} lives in {town}, near {rng.choice(world.PLACES)}. "Which town does '
                 f'{p} live in?" asked {_asker(rng, p)}. "', town)


def _day(rng: random.Random) -> Probe:
    p, _, _, sentence = _event(rng)
    day = sentence.rstrip(".").split()[-1]
    return Probe("day", f'{sentence} "On which day was that?" asked {_asker(rng, p)}. "', day)


def _first(rng: random.Random) -> Probe:
    p, items = rng.choice(world.PEOPLE), rng.sample(world.OBJECTS + world.FOODS, rng.randint(3, 5))
    return Probe("first_item", f'{p} packed {", ".join(items)}. "What was first?" asked '
                 f'{_asker(rng, p)}. "', items[0].capitalize())


QUESTION_KINDS: tuple[Callable[[random.Random], Probe], ...] = (_who, _town, _day, _first)


def question_probes(n_per_kind: int = 10, seed: int = PROBE_SEED) -> list[Probe]:
    """`n_per_kind` question probes of each kind, deterministic for `seed`."""
    rng = random.Random(seed)
    return [make(rng) for make in QUESTION_KINDS for _ in range(n_per_kind)]


def run_question_probe(model, tokenizer, probes: list[Probe] | None = None) -> dict:
    """Share of probes answered with the expected word, overall and per kind."""
    result = score_probes(model, tokenizer, probes if probes is not None else question_probes())
    rows = result["rows"]
    kinds = {r["kind"] for r in rows}
    by_kind = {k: sum(r["correct"] for r in rows if r["kind"] == k)
               / sum(r["kind"] == k for r in rows) for k in sorted(kinds)}
    return {"score": result["score"], "n": result["n"], "by_kind": by_kind, "rows": rows}


def _word_ids(tokenizer, words) -> list[int]:
    """Token id of each word that is one token after a space: the micro tokenizer splits the
    space off ("Ġ", "Nora"), GPT-2-style ones keep it ("ĠNora"). Words in pieces are left out."""
    ids = []
    for w in words:
        pieces = tokenizer(" " + w, add_special_tokens=False)["input_ids"]
        bare = tokenizer(w, add_special_tokens=False)["input_ids"]
        if len(pieces) == 1:
            ids.append(pieces[0])
        elif len(bare) == 1 and pieces[-1] == bare[0]:
            ids.append(bare[0])
    return ids


def embedding_similarity(model, tokenizer, classes: dict | None = None) -> dict:
    """Mean pairwise cosine of the input embeddings within each word class (1 = identical)."""
    import torch

    weight = model.get_input_embeddings().weight.detach().float()
    out = {}
    for name, words in (classes or WORD_CLASSES).items():
        ids = _word_ids(tokenizer, words)
        if len(ids) < 2:
            continue
        x = torch.nn.functional.normalize(weight[ids], dim=1)
        sims = (x @ x.T)[~torch.eye(len(ids), dtype=torch.bool)]
        out[name] = {"mean_cosine": round(sims.mean().item(), 3), "words": len(ids)}
    return out
