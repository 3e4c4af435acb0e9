"""Number task families: small arithmetic, comparisons, number words, unit conversion.

Numbers stay small (mostly under 100) so that answers are one or two BPE tokens and a tiny
model has a chance; arithmetic is still the hardest skill in the suite for it.
"""

from __future__ import annotations

import random

from helpers import world
from helpers.tasks.base import Example, Family, ex
from helpers.tasks.lexicon import COUNTABLE, plural

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


FAMILIES: tuple[Family, ...] = (
    Family("add", "Add two numbers from 0 to 20.", "compute", (
        "What is {a} plus {b}?",
        "Add these two numbers.",
        "Work out the sum of {a} and {b}.",
        "Add the numbers below and give the total.",
        "If you have {a} and get {b} more, how many do you have?",
    ), _add, checker="number", data_fields=("input", "a", "b")),
    Family("subtract", "Subtract a smaller number from one up to 20.", "compute", (
        "What is {a} minus {b}?",
        "Subtract {b} from {a}.",
        "Take the second number away from the first.",
        "What is left when you take {b} away from {a}?",
        "Work out the difference: {a} take away {b}.",
    ), _subtract, checker="number", data_fields=("input", "a", "b")),
    Family("larger_number", "Pick the larger of two numbers below 100.", "select", (
        "Which number is larger: {a} or {b}?",
        "Pick the bigger of these two numbers.",
        "Which of these is the greater number?",
        "Compare {a} and {b}. Which is larger?",
        "Give the higher number of the two below.",
    ), _larger_number, checker="number", data_fields=("input", "a", "b")),
    Family("smaller_number", "Pick the smaller of two numbers below 100.", "select", (
        "Which number is smaller: {a} or {b}?",
        "Pick the lower of these two numbers.",
        "Which of these is the lesser number?",
        "Compare {a} and {b}. Which is smaller?",
        "Give the lower number of the two below.",
    ), _smaller_number, checker="number", data_fields=("input", "a", "b")),
    Family("number_to_word", "Write the number (2-20) in a sentence as a word.", "knowledge", (
        "Write the number in this sentence as a word.",
        "How would you spell out the number in this sentence?",
        "Spell the number here in letters.",
        "Change the digits in this sentence into a number word and give only that word.",
        "Which number word matches the figure in this sentence?",
    ), _number_to_word),
    Family("word_to_number", "Write the number word (two-twenty) in a sentence as digits.",
           "knowledge", (
        "Write the number in this sentence as digits.",
        "Give the number in this sentence as a figure.",
        "Turn the number word here into digits.",
        "Which digits stand for the number in this sentence?",
        "Write only the number from this sentence, in digits.",
    ), _word_to_number, checker="number"),
    Family("convert_units", "Convert metres, kilograms or hours to cm, g or minutes.", "compute", (
        "How many {target} is that?",
        "Convert the amount in this sentence to {target}.",
        "Give this measurement in {target}.",
        "Change the unit in this sentence to {target} and give the number.",
        "Express the quantity here in {target}.",
    ), _convert_units, checker="number"),
    Family("next_number", "Give the number after a number below 200.", "compute", (
        "What number comes after {input}?",
        "Give the next number after this one.",
        "Count on by one from this number.",
        "Which number follows {input}?",
        "Add one to the number below.",
    ), _next_number, checker="number"),
    Family("even_odd", "Say whether a number below 200 is even or odd.", "compute", (
        "Is {input} even or odd?",
        "Say whether this number is even or odd.",
        "Tell me if the following number is odd or even.",
        "Even or odd: {input}?",
        "Decide if this number is even or odd. Answer with one word.",
    ), _even_odd),
)
