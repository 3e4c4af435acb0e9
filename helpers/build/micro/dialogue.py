"""Document genres where people ask about what the text just said, and are answered in speech.

Why this module exists: after stage 5 the micro model copied from its context in the sentence
shapes of recall.py ("Everyone knew that it was Lena") 80% of the time, yet instruction tuning on
"Who dropped the map?⏎⏎Lena dropped the map near the bridge." taught it to answer the family's
most common training answer ("the hill", "Elmstead") instead of reading the sentence: measured
on the seen test families, extract_who 0/6, extract_where 2/6, extract_town 1/6 (800 steps, the
notebook's recipe). The skill was in the model, but only behind a few trigger phrases, never
behind a question. Here a question about the context is followed by its answer, so a model that
reads the context can answer a question — the skill instruction tuning then points at a new
format. Questions are asked *in a story* ("…?" asked Ben. "Lena," said Ana.): nothing is a
request, a chat turn or a Question:/Answer: layout, and the corpus denylist (checks.py) still
applies. Held-out families' skills are here too (the last item, the day before, the smaller
number, a plural), so that zero-shot transfer to them is possible at all; the letter-level
families are left out (the tokenization lesson).
"""

from __future__ import annotations

import random

from helpers import world
from helpers.build.micro.phrases import a, cap, number, number_word, plural, sample
from helpers.build.micro.recall import LIST_NOUNS


def _said(rng: random.Random, question: str, answer: str, asker: str, teller: str) -> str:
    """One exchange in speech: the question, who asked, the answer, who told."""
    return rng.choice((f"\"{question}\" asked {asker}. \"{answer},\" said {teller}.",
                       f"{asker} asked, \"{question}\" {teller} said, \"{answer}.\""))


def exchanges(rng: random.Random, pairs: list[tuple[str, str]], lo: int = 1, hi: int = 3) -> str:
    """A few of the (question, answer) pairs, asked by one person and answered by another."""
    asker, teller = sample(rng, world.PEOPLE, 2)
    chosen = sample(rng, pairs, min(len(pairs), rng.randint(lo, hi)))
    return " ".join(_said(rng, q, a, asker, teller) for q, a in chosen)


def asked_about_event(rng: random.Random) -> str:
    """An event; then who, what, which colour, where and on which day, asked and answered."""
    p, verb = rng.choice(world.PEOPLE), rng.choice(world.TRANSITIVE_VERBS)
    color, obj, place = rng.choice(world.COLORS), rng.choice(world.OBJECTS), rng.choice(world.PLACES)
    day = rng.choice(world.DAYS)
    event = rng.choice((f"{p} {verb} the {color} {obj} near {place} on {day}.",
                        f"On {day}, {p} {verb} the {color} {obj} near {place}."))
    pairs = [(rng.choice((f"Who {verb} the {color} {obj}?", f"Who {verb} it?")), p), ("Which person was it?", p),
             (f"What did {p} find there?" if verb == "found" else "What was the thing?", f"The {obj}"),
             (f"What colour was the {obj}?", cap(color)), ("Where did it happen?", cap(place)),
             (f"Where was the {obj}?", f"Near {place}"), ("On which day was that?", day),
             ("What day was it?", f"It was {day}")]
    return f"{event} {exchanges(rng, pairs)}"


def asked_about_town(rng: random.Random) -> str:
    """Where someone lives, and what the weather was; then asked and answered."""
    p, town, place = rng.choice(world.PEOPLE), rng.choice(world.TOWNS), rng.choice(world.PLACES)
    w, day = rng.choice(world.WEATHER), rng.choice(world.DAYS)
    first = rng.choice((f"{p} lives in {town}, near {place}.", f"In {town}, {p} lives next to {place}."))
    weather = f" {town} had {w} on {day}."
    pairs = [(f"Where does {p} live?", f"In {town}"), (f"Which town is {p} from?", town),
             ("Which town was that?", town), (f"What was the weather in {town}?", cap(w)),
             (f"What did {town} have on {day}?", cap(w))]
    return f"{first}{weather} {exchanges(rng, pairs)}"


def asked_about_list(rng: random.Random) -> str:
    """A list, inline or on a line of its own; then first, last, how many, order, membership."""
    items = sample(rng, LIST_NOUNS, rng.randint(2, 6))
    absent = rng.choice([w for w in LIST_NOUNS if w not in items])
    probe = rng.choice((rng.choice(items), absent))
    p = rng.choice(world.PEOPLE)
    head = rng.choice((f"{p} packed {', '.join(items)}.",
                       f"{p} left a note on the table. It said:\n{', '.join(items)}\n"))
    pairs = [("What was first?", cap(items[0])), ("Which one came first?", cap(items[0])),
             ("What was last?", cap(items[-1])), ("And the last one?", cap(items[-1])),
             ("How many things were there?", str(len(items))),
             ("How many were there?", cap(number_word(len(items)))),
             (f"Was there {a(probe)}?", "Yes" if probe in items else "No"),
             ("Which one comes first in the alphabet?", cap(min(items))),
             ("What is the list from the end?", cap(", ".join(items[::-1]))),
             ("What is it in alphabetical order?", cap(", ".join(sorted(items))))]
    return f"{head} {exchanges(rng, pairs)}".replace("\n ", "\n")


def asked_about_numbers(rng: random.Random) -> str:
    """Two numbers or a sum in a sentence; then bigger, smaller, next, total, asked and answered."""
    p, q = sample(rng, world.PEOPLE, 2)
    x, y = rng.sample(range(0, 21), 2)
    noun = rng.choice(("coin", "shell", "stone", "button", "pencil"))
    first = f"{p} had {number(rng, x)} {plural(noun)} and {q} had {number(rng, y)}."
    pairs = [(f"Which is more, {x} or {y}?", str(max(x, y))),
             (f"Which is less, {x} or {y}?", str(min(x, y))),
             (f"Who had more {plural(noun)}?", p if x > y else q),
             ("How many did they have together?", str(x + y)),
             (f"What is {max(x, y)} minus {min(x, y)}?", str(max(x, y) - min(x, y))),
             (f"What comes after {x}?", str(x + 1)),
             (f"Is {x} even or odd?", cap("even" if x % 2 == 0 else "odd")),
             (f"How do you write {number_word(y)} in digits?", str(y))]
    return f"{first} {exchanges(rng, pairs)}"


def asked_about_time(rng: random.Random) -> str:
    """A day or a month is named; the one after or before is asked and answered."""
    p = rng.choice(world.PEOPLE)
    if rng.random() < 0.6:
        days, i = world.DAYS, rng.randrange(7)
        first = f"{p} went to {rng.choice(world.PLACES)} on {days[i]}."
        pairs = [("What was the next day?", days[(i + 1) % 7]), ("And the day after?", days[(i + 1) % 7]),
                 ("What was the day before?", days[i - 1]), ("What day was it?", days[i])]
    else:
        months, i = world.MONTHS, rng.randrange(12)
        first = f"{p} visited {rng.choice(world.TOWNS)} in {months[i]}."
        pairs = [("What was the next month?", months[(i + 1) % 12]),
                 ("Which month came before it?", months[i - 1]), ("Which month was it?", months[i])]
    return f"{first} {exchanges(rng, pairs, 1, 2)}"


def asked_about_words(rng: random.Random) -> str:
    """Two things named; then the plural, the longer word, the kind of thing, asked and answered."""
    w, v = sample(rng, world.OBJECTS + world.ANIMALS, 2)
    p = rng.choice(world.PEOPLE)
    first = f"{p} saw {a(w)} and {a(v)}."
    pairs = [(f"What if there were two of the {w}?", f"Two {plural(w)}"),
             (f"What do you call more than one {v}?", cap(plural(v))),
             (f"Was the {w} an animal?", "Yes" if w in world.ANIMALS else "No")]
    if len(w) != len(v):
        pairs.append(("Which word is longer?", cap(w if len(w) > len(v) else v)))
    return f"{first} {exchanges(rng, pairs, 1, 2)}"


GENRES = (asked_about_event, asked_about_town, asked_about_list, asked_about_numbers,
          asked_about_time, asked_about_words)


def roll_call(rng: random.Random) -> str:
    """People or towns in a list, then named again by place in it, in prose and in speech.

    Why: names and towns are interchangeable everywhere else in the corpus, so their embeddings
    drift together (mean pairwise cosine 0.89 for people, 0.95 for towns after stage 6, 0.31 for
    objects) and the model cannot tell which one to copy: asked "Which town was that?" it says
    the same town whatever the text named. Lists are what it copies best (first/last word of a
    list of things: 0.84-1.0), so the same lists, made of names, ask it to tell them apart.
    """
    pool, noun = (world.PEOPLE, "name") if rng.random() < 0.6 else (world.TOWNS, "town")
    items = sample(rng, pool, rng.randint(2, 5))
    p = rng.choice(world.PEOPLE)
    head = rng.choice((f"{p} wrote the {noun}s on a card:\n{', '.join(items)}\n",
                       f"The {noun}s on the list were {', '.join(items)}.",
                       f"{p} read out the {noun}s: {', '.join(items)}."))
    absent = rng.choice([w for w in pool if w not in items])
    facts = sample(rng, [f"The first {noun} was {items[0]}.", f"The last {noun} was {items[-1]}.",
                         f"{items[0]} came first and {items[-1]} came last.",
                         f"{absent} was not on it."], rng.randint(0, 2))
    probe = rng.choice((rng.choice(items), absent))
    pairs = [(f"Which {noun} was first?", items[0]), (f"Which {noun} came last?", items[-1]),
             (f"Was {probe} on the list?", "Yes" if probe in items else "No"),
             ("Who was first?" if noun == "name" else "Which town came first?", items[0])]
    return " ".join([head, *facts, exchanges(rng, pairs)]).replace("\n ", "\n")


# Stage 7: the names-and-towns lists (their own weight, so stage 6's corpus stays reproducible).
NAME_GENRES = (roll_call,)
