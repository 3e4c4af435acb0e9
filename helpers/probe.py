"""Two checks a base model must pass before it ships: it copies from context, and it is still a
base model (it does not answer instructions).

The copy probe: prose prompts in the corpus's own style — never an instruction — whose next word
is already in the prompt: who did it, the object again, the first or the last of a restated
list, a list on a line of its own. Entities are drawn at random (from a seed the corpus does not
use), so a model that does not read its context guesses right about 1 time in 20-40. The first
micro model scored 0 of 30 on such prompts; instruction tuning cannot unlock a skill the base
model does not have, so the shipped model must score >= 90% (tests/test_micro.py).

The base-model check: instruction-suite prompts as plain text (no chat template). A base model
continues them as a document; the share it answers correctly stays near zero.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from helpers import world

PROBE_SEED = 12_345  # not a corpus seed: the prompts are new combinations of the world's words
_NOUNS = world.OBJECTS + world.ANIMALS + world.FOODS + world.COLORS


@dataclass(frozen=True)
class Probe:
    """One copy probe: a prose prompt and the word that must come next."""

    kind: str  # which reference: who, object, first_item, last_item, note_first
    prompt: str  # ends right before the word to copy
    expected: str  # the word, which occurs earlier in the prompt


def _who(rng: random.Random) -> Probe:
    p, v, c, o, pl = (rng.choice(world.PEOPLE), rng.choice(world.TRANSITIVE_VERBS),
                      rng.choice(world.COLORS),
                      rng.choice(world.OBJECTS), rng.choice(world.PLACES))
    return Probe("who", f"{p} {v} the {c} {o} near {pl}. Everyone knew that it was", p)


def _object(rng: random.Random) -> Probe:
    p, v, c, o, pl = (rng.choice(world.PEOPLE), rng.choice(world.TRANSITIVE_VERBS),
                      rng.choice(world.COLORS),
                      rng.choice(world.OBJECTS), rng.choice(world.PLACES))
    return Probe("object", f"{p} {v} the {c} {o} near {pl}. The thing was the", o)


def _first(rng: random.Random) -> Probe:
    p, items = rng.choice(world.PEOPLE), rng.sample(_NOUNS, rng.randint(3, 5))
    place = rng.choice(world.PLACES)
    return Probe("first_item", f"{p} packed {', '.join(items)}. At {place}, {p} unpacked the",
                 items[0])


def _last(rng: random.Random) -> Probe:
    p, items = rng.choice(world.PEOPLE), rng.sample(_NOUNS, rng.randint(3, 5))
    return Probe("last_item", f"{p} left a note on the table. It said:\n{', '.join(items)}\n"
                 "The last word on the note was", items[-1])


def _note_first(rng: random.Random) -> Probe:
    p, items = rng.choice(world.PEOPLE), rng.sample(_NOUNS, rng.randint(3, 5))
    return Probe("note_first", f"On the card {p} had written:\n{', '.join(items)}\n"
                 "The first word on the card was", items[0])


KINDS = (_who, _object, _first, _last, _note_first)


def copy_probes(n_per_kind: int = 8, seed: int = PROBE_SEED) -> list[Probe]:
    """`n_per_kind` probes of each kind, deterministic for `seed`."""
    rng = random.Random(seed)
    return [make(rng) for make in KINDS for _ in range(n_per_kind)]


def first_word(text: str) -> str:
    """The first word of a continuation (letters only), "" if it starts with none."""
    word = text.strip().split(" ")[0] if text.strip() else ""
    return "".join(ch for ch in word if ch.isalpha())


def greedy(model, tokenizer, prompt: str, max_new_tokens: int) -> str:
    """Greedy continuation of plain text (no chat template), decoded without specials."""
    import torch

    ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(model.device)
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=max_new_tokens, do_sample=False,
                             pad_token_id=tokenizer.pad_token_id)
    return tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)


def run_copy_probe(model, tokenizer, probes: list[Probe] | None = None) -> dict:
    """Score: the share of probes whose continuation starts with the expected word."""
    return score_probes(model, tokenizer, probes if probes is not None else copy_probes())


def score_probes(model, tokenizer, probes: list[Probe]) -> dict:
    """Greedy 4-token continuation of each probe; correct when its first word is the expected
    one. Shared by the copy probe and helpers.entity_probe's question probe."""
    model.eval()
    rows = []
    for probe in probes:
        text = greedy(model, tokenizer, probe.prompt, max_new_tokens=4)
        rows.append({"kind": probe.kind, "prompt": probe.prompt, "expected": probe.expected,
                     "continuation": text, "correct": first_word(text) == probe.expected})
    return {"score": sum(r["correct"] for r in rows) / len(rows), "n": len(rows), "rows": rows}


def run_base_check(model, tokenizer, n: int = 40, seed: int = PROBE_SEED) -> dict:
    """How often the model *answers* instruction prompts given as plain text (a base: ~0)."""
    from helpers.data.bundled import bundled_split
    from helpers.tasks.score import score

    records = random.Random(seed).sample(bundled_split("instructions", "test_seen"), n)
    model.eval()
    rows = []
    for record in records:
        prompt = record["messages"][-2]["content"] + "\n"
        text = greedy(model, tokenizer, prompt, max_new_tokens=24)
        answer = text.strip().split("\n")[0]
        rows.append({"prompt": prompt, "expected": record["answer"], "continuation": text,
                     "answered": score(record["family"], record["answer"], answer)})
    return {"answered_share": sum(r["answered"] for r in rows) / n, "n": n, "rows": rows}
