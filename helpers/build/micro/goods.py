"""Market goods with fixed attributes, asked about by the attribute's word and answered in speech.

Why this module exists: domain SFT answers "How much storage does the Squall plan have?" with the
plan's RAM or vCPUs (data/results/sweep/README.md, "Frame twins dropped"). In the stage-8 corpus
the plan attribute words occur only inside word lists, so their input embeddings drift to one
vector (mean pairwise cosine 0.905 for "storage", "RAM", "SSD", "vCPUs", "GB"; 0.997 for
"memory", "disk", "cores", "cost", which the corpus never held), and no adapter can key an answer
on a word the model cannot tell from its neighbours. The names had the same fault until the roll
calls gave each one a context of its own (data/results/micro/README.md).

Here the everyday senses of those words get contexts of their own: a chest's storage, a music
box's memory, a rope's cores, a cart's cost. Every good has fixed attributes (one table, so every
document agrees), some stated in the text and some only asked, so a model learns both to read an
attribute from its context and to recall it from its weights, *by the word that names it* — the
skill a plan question needs. No hosting fact is stated: no plan, no company, no GB, RAM or vCPU
(checks.py still forbids them); only "storage" and "price" left the denylist, because their
everyday senses are what this genre is about.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from helpers import world
from helpers.build.micro.dialogue import exchanges
from helpers.build.micro.phrases import cap, sample


@dataclass(frozen=True)
class Attribute:
    """How the text states, asks and answers one kind of attribute; {g} is the good, {n} the value."""

    unit: str  # what the value counts ("coins", "bags")
    statements: tuple[str, ...]  # "{G} has storage for {n} bags." ({G}: the good, capitalised)
    questions: tuple[str, ...]  # "How much storage does the {g} have?"
    answers: tuple[str, ...]  # "Storage for {n} bags" (no final full stop: _said adds its own)


ATTRIBUTES: dict[str, Attribute] = {
    "cost": Attribute(
        "coins", ("{G} costs {n} coins.", "The price of the {g} is {n} coins.", "{G} sells for {n} coins."),
        ("How much does the {g} cost?", "What is the price of the {g}?", "What does the {g} cost?",
         "What is the cost of the {g}?"),
        ("{n} coins", "It costs {n} coins", "The price is {n} coins")),
    "storage": Attribute(
        "bags", ("{G} has storage for {n} bags.", "{G} has space for {n} bags.", "{G} can store {n} bags."),
        ("How much storage does the {g} have?", "How much space is in the {g}?",
         "How much can the {g} store?", "What is the storage of the {g}?"),
        ("{n} bags", "Storage for {n} bags", "Space for {n} bags")),
    "memory": Attribute(
        "songs", ("{G} has memory for {n} songs.", "{G} can remember {n} songs."),
        ("How much memory does the {g} have?", "How many songs can the {g} remember?",
         "What is the memory of the {g}?"),
        ("{n} songs", "Memory for {n} songs", "It remembers {n} songs")),
    "cores": Attribute(
        "cores", ("{G} has {n} cores.", "{G} has {n} cores inside."),
        ("How many cores does the {g} have?", "How many cores are in the {g}?"),
        ("{n} cores", "It has {n} cores")),
    "wheels": Attribute(
        "wheels", ("{G} has {n} wheels.", "{G} runs on {n} wheels."),
        ("How many wheels does the {g} have?", "How many wheels are on the {g}?"),
        ("{n} wheels", "It has {n} wheels")),
}

# Every good and its attributes. Fixed, so a value asked without being stated has one answer.
# The two clockwork animals have the four attributes a hosting plan has (cost, memory, storage,
# cores), each a different number, so an answer with the wrong attribute is plainly wrong.
GOODS: dict[str, dict[str, int]] = {
    "oak chest": {"cost": 9, "storage": 12},
    "pine box": {"cost": 3, "storage": 4},
    "red wagon": {"cost": 30, "storage": 40, "wheels": 4},
    "hand cart": {"cost": 11, "storage": 8, "wheels": 2},
    "tin music box": {"cost": 20, "memory": 6},
    "silver music box": {"cost": 55, "memory": 24},
    "thin rope": {"cost": 2, "cores": 3},
    "ship rope": {"cost": 16, "cores": 12},
    "clockwork owl": {"cost": 25, "memory": 8, "storage": 2, "cores": 5},
    "clockwork horse": {"cost": 80, "memory": 16, "storage": 30, "cores": 7},
}


def _stated(rng: random.Random, good: str, key: str) -> str:
    text = rng.choice(ATTRIBUTES[key].statements)
    return text.format(G=f"The {good}", g=good, n=GOODS[good][key])


def _pair(rng: random.Random, good: str, key: str) -> tuple[str, str]:
    """One question about the good's attribute and its answer."""
    attr, n = ATTRIBUTES[key], GOODS[good][key]
    return rng.choice(attr.questions).format(g=good), cap(rng.choice(attr.answers).format(n=n))


def at_the_market(rng: random.Random) -> str:
    """A good at the market: some of its attributes stated, then some asked and answered.

    Attributes not stated are still asked about: their values never change, so the answer is
    recalled, as a hosting plan's is after SFT."""
    good, p = rng.choice(list(GOODS)), rng.choice(world.PEOPLE)
    keys = list(GOODS[good])
    stated = sample(rng, keys, rng.randint(0, len(keys)))
    head = rng.choice((f"{p} looked at the {good} at the market in {rng.choice(world.TOWNS)}.",
                       f"At {rng.choice(world.PLACES)}, {p} saw the {good}."))
    return " ".join([head, *(_stated(rng, good, k) for k in stated),
                     exchanges(rng, [_pair(rng, good, k) for k in keys], 1, len(keys))])


def two_goods(rng: random.Random) -> str:
    """Two goods that share an attribute: each one's value asked, then which has more."""
    key = rng.choice(("cost", "storage", "memory", "cores"))
    first, second = sample(rng, [g for g in GOODS if key in GOODS[g]], 2)
    p = rng.choice(world.PEOPLE)
    more = first if GOODS[first][key] > GOODS[second][key] else second
    word = {"cost": "costs more", "storage": "has more storage", "memory": "has more memory",
            "cores": "has more cores"}[key]
    pairs = [_pair(rng, first, key), _pair(rng, second, key),
             (f"Which one {word}, the {first} or the {second}?", f"The {more}")]
    head = f"{p} could not choose between the {first} and the {second}."
    return f"{head} {exchanges(rng, pairs, 2, 3)}"


GENRES = (at_the_market, two_goods)  # CorpusConfig.goods_weight
