"""Example generators of the number task families (helpers.tasks.families_numbers).

Numbers stay small (mostly under 100) so that answers are one or two BPE tokens and a tiny
model has a chance.
"""

from __future__ import annotations

import random

from helpers import world
from helpers.build.tasks.lexicon import COUNTABLE, Make, ex, plural
from helpers.tasks.base import Example

# (from-unit, to-unit, factor, sentence template): every unit name is in world.UNITS.
_CONVERSIONS = (
    ("metres", "centimetres", 100, "The {thing} is {n} metres long."),
    ("kilograms", "grams", 1000, "The {thing} weighs {n} kilograms."),
    ("hours", "minutes", 60, "{person} waited {n} hours near the {thing}."),
)


def _two_numbers(rng: random.Random, hi: int) -> tuple[int, int]:
    a, b = rng.sample(range(hi + 1), 2)
    return a, b


def _add(rng: random.Random) -> Example:
    a, b = rng.randint(0, 20), rng.randint(0, 20)
    return ex(a + b, a=a, b=b, input=f"{a} and {b}")


def _subtract(rng: random.Random) -> Example:
    a = rng.randint(1, 20)
    b = rng.randint(0, a)
    return ex(a - b, a=a, b=b, input=f"{a} and {b}")


def _larger_number(rng: random.Random) -> Example:
    a, b = _two_numbers(rng, 99)
    return ex(max(a, b), a=a, b=b, input=f"{a} and {b}")


def _smaller_number(rng: random.Random) -> Example:
    a, b = _two_numbers(rng, 99)
    return ex(min(a, b), a=a, b=b, input=f"{a} and {b}")


def _counting_sentence(rng: random.Random, n: str) -> str:
    thing = plural(rng.choice(COUNTABLE))
    return f"{rng.choice(world.PEOPLE)} counted {n} {thing}."


def _number_to_word(rng: random.Random) -> Example:
    n = rng.randint(2, 20)  # from 2: "counted 1 cats" would be bad grammar
    return ex(world.NUMBER_WORDS[n], input=_counting_sentence(rng, str(n)))


def _word_to_number(rng: random.Random) -> Example:
    n = rng.randint(2, 20)
    return ex(n, input=_counting_sentence(rng, world.NUMBER_WORDS[n]))


def _convert_units(rng: random.Random) -> Example:
    _, target, factor, template = rng.choice(_CONVERSIONS)
    n = rng.randint(2, 12)  # from 2: "1 metres" would be bad grammar
    text = template.format(thing=rng.choice(world.OBJECTS), n=n, person=rng.choice(world.PEOPLE))
    return ex(n * factor, target=target, input=text)


def _next_number(rng: random.Random) -> Example:
    n = rng.randint(0, 198)
    return ex(n + 1, input=n)


def _even_odd(rng: random.Random) -> Example:
    n = rng.randint(0, 199)
    return ex("even" if n % 2 == 0 else "odd", input=n)


GENERATORS: dict[str, Make] = {
    "add": _add,
    "subtract": _subtract,
    "larger_number": _larger_number,
    "smaller_number": _smaller_number,
    "number_to_word": _number_to_word,
    "word_to_number": _word_to_number,
    "convert_units": _convert_units,
    "next_number": _next_number,
    "even_odd": _even_odd,
}
