"""Word- and letter-level task families.

Letter-level work (reversing, counting letters) is hard for a model that sees BPE tokens, not
letters; these families are kept on purpose as the "honestly hard" end of the suite.
"""

from __future__ import annotations

import random

from helpers import world
from helpers.tasks.base import Example, Family, ex
from helpers.tasks.lexicon import (
    COUNTABLE,
    TRANSITIVE,
    WORDS,
    comma_list,
    distinct_initials,
    pick,
    plural,
)


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


FAMILIES: tuple[Family, ...] = (
    Family("reverse_word", "Spell a word backwards.", "transform", (
        "Reverse the word {input}.",
        "Write this word backwards.",
        "Spell the following word in reverse order.",
        "What is {input} spelled backwards?",
        "Turn this word around so that its last letter comes first.",
    ), _reverse_word),
    Family("uppercase", "Rewrite a short phrase in upper case.", "transform", (
        "Rewrite this in upper case.",
        "Convert the following text to capital letters.",
        "Write {input} in all caps.",
        "Make every letter of this text a capital letter.",
        "Shout this phrase by writing it in uppercase letters.",
    ), _uppercase, checker="case"),
    Family("capitalise", "Capitalise the first letter of a sentence.", "copy", (
        "Capitalise the first letter of this sentence.",
        "Fix this sentence so it starts with a capital letter.",
        "Rewrite the sentence with a capital letter at the start.",
        "Make the first word of this sentence begin with a capital letter.",
        "This sentence should start with a capital. Correct it.",
    ), _capitalise, checker="case"),
    Family("count_letters", "Count the letters of a word.", "compute", (
        "How many letters are in the word {input}?",
        "Count the letters in this word.",
        "Give the number of letters in the following word.",
        "How long is the word {input}, in letters?",
        "Tell me how many letters make up this word.",
    ), _count_letters, checker="number"),
    Family("first_letter", "Give the first letter of a word.", "select", (
        "What is the first letter of the word {input}?",
        "Give the first letter of this word.",
        "Which letter does this word start with?",
        "Write only the first letter of {input}.",
        "Name the letter at the beginning of this word.",
    ), _first_letter),
    Family("last_letter", "Give the last letter of a word.", "select", (
        "What is the last letter of the word {input}?",
        "Give the last letter of this word.",
        "Which letter does this word end with?",
        "Write only the final letter of {input}.",
        "Name the letter at the end of this word.",
    ), _last_letter),
    Family("plural", "Give the plural of a noun.", "knowledge", (
        "What is the plural of {input}?",
        "Write the plural form of this word.",
        "Give the word for more than one {input}.",
        "Change this noun to its plural.",
        "Finish this: one {input}, two ...",
    ), _plural),
    Family("longer_word", "Pick the longer of two words.", "select", (
        "Which word is longer: {a} or {b}?",
        "Which of these two words has more letters?",
        "Pick the longer word.",
        "Of {a} and {b}, which word is longer?",
        "Tell me which word below is the longer one.",
    ), _longer_word, data_fields=("input", "a", "b")),
    Family("alphabetical_first", "Pick the word that comes first alphabetically.", "knowledge", (
        "Which word comes first in alphabetical order?",
        "Sort these words alphabetically and give only the first one.",
        "Which of these words would come first in a dictionary?",
        "Which word comes first alphabetically: {input}?",
        "Find the word that is earliest in the alphabet.",
    ), _alphabetical_first),
    Family("repeat_word", "Repeat a word two to four times.", "copy", (
        "Repeat the word {input} {n} times.",
        "Write {input} {n} times, separated by spaces.",
        "Say this word {n} times.",
        "Write the following word {n} times in a row.",
        "I need the word {input} written out {n} times.",
    ), _repeat_word),
)
