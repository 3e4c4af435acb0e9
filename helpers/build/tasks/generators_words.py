"""Example generators of the word- and letter-level task families (helpers.tasks.families_words).

Each draws one random input with its answer from a seeded RNG; only the builder calls them.
"""

from __future__ import annotations

import random

from helpers import world
from helpers.build.tasks.lexicon import (
    COUNTABLE,
    TRANSITIVE,
    WORDS,
    Make,
    comma_list,
    distinct_initials,
    ex,
    pick,
    plural,
)
from helpers.tasks.base import Example


def _reverse_word(rng: random.Random) -> Example:
    word = rng.choice(WORDS)
    return ex(word[::-1], input=word)


def _uppercase(rng: random.Random) -> Example:
    text = f"{rng.choice(world.COLORS)} {rng.choice(world.OBJECTS)}"
    if rng.random() < 0.5:
        text = f"the {rng.choice(world.ADJECTIVES)} {text}"
    return ex(text.upper(), input=text)


def _capitalise(rng: random.Random) -> Example:
    if rng.random() < 0.5:
        verb = rng.choice(("walked", "ran", "hid"))
        text = f"the {rng.choice(world.ADJECTIVES)} {rng.choice(world.ANIMALS)} {verb} near {rng.choice(world.PLACES)}."
    else:
        verb = rng.choice(tuple(TRANSITIVE))
        text = f"the {rng.choice(world.ANIMALS)} {verb} the {rng.choice(world.OBJECTS)}."
    return ex(text[0].upper() + text[1:], input=text)


def _count_letters(rng: random.Random) -> Example:
    word = rng.choice(WORDS)
    return ex(len(word), input=word)


def _first_letter(rng: random.Random) -> Example:
    word = rng.choice(WORDS)
    return ex(word[0], input=word)


def _last_letter(rng: random.Random) -> Example:
    word = rng.choice(WORDS)
    return ex(word[-1], input=word)


def _plural(rng: random.Random) -> Example:
    word = rng.choice(COUNTABLE)
    return ex(plural(word), input=word)


def _longer_word(rng: random.Random) -> Example:
    a, b = pick(rng, WORDS, 2)
    while len(a) == len(b):
        b = rng.choice(WORDS)
    return ex(max(a, b, key=len), a=a, b=b, input=f"{a}, {b}")


def _alphabetical_first(rng: random.Random) -> Example:
    words = distinct_initials(rng, WORDS, rng.randint(3, 4))
    return ex(min(words), input=comma_list(words))


# Number words excluded: "Repeat the word three three times." would confuse a reader too.
_REPEATABLE = tuple(w for w in WORDS if w not in world.NUMBER_WORDS)


def _repeat_word(rng: random.Random) -> Example:
    word, n = rng.choice(_REPEATABLE), rng.randint(2, 4)
    return ex(" ".join([word] * n), input=word, n=world.NUMBER_WORDS[n])


GENERATORS: dict[str, Make] = {
    "reverse_word": _reverse_word,
    "uppercase": _uppercase,
    "capitalise": _capitalise,
    "count_letters": _count_letters,
    "first_letter": _first_letter,
    "last_letter": _last_letter,
    "plural": _plural,
    "longer_word": _longer_word,
    "alphabetical_first": _alphabetical_first,
    "repeat_word": _repeat_word,
}
