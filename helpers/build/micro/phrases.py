"""Word-level building blocks of the micro corpus: plurals, articles, numbers, lists, facts.

The facts here (how long a rope is, which animal is bigger) are fixed, so every document that
compares two things agrees with every other: a consistent little world is easier to learn, and
later yes/no tasks about it have one right answer.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from helpers import world

# Nouns whose plural is not just "+s".
_IRREGULAR_PLURALS = {"fox": "foxes", "mouse": "mice", "sheep": "sheep", "deer": "deer"}

# Foods that are not counted one by one ("some bread", not "three breads").
MASS_FOODS = ("bread", "soup", "cheese", "rice", "honey", "milk")
COUNT_FOODS = tuple(f for f in world.FOODS if f not in MASS_FOODS)

# Typical length of an object in centimetres, for consistent comparisons and measurements.
OBJECT_LENGTH_CM = {
    "coin": 2, "ring": 2, "button": 1, "key": 6, "needle": 5, "shell": 8, "spoon": 15,
    "pencil": 18, "feather": 20, "cup": 10, "candle": 25, "book": 24, "plate": 26,
    "shoe": 28, "hat": 30, "bottle": 30, "clock": 30, "lamp": 45, "drum": 50, "violin": 60,
    "kite": 90, "chair": 90, "wheel": 100, "towel": 120, "table": 150, "rope": 500,
}

# Typical weight of an object in grams: "the table is heavier than the cup" always holds.
OBJECT_WEIGHT_G = {
    "feather": 1, "needle": 1, "button": 2, "coin": 5, "ring": 5, "key": 10, "pencil": 10,
    "shell": 20, "spoon": 30, "letter": 10, "ticket": 2, "apple": 150, "pear": 170,
    "cup": 250, "candle": 300, "book": 500, "plate": 400, "shoe": 600, "violin": 500,
    "bottle": 700, "lamp": 2000, "clock": 1500, "drum": 3000, "bucket": 1000,
    "chair": 5000, "wheel": 8000, "table": 20000, "stone": 4000,
}

# What objects feel like, for descriptions ("the towel is soft").
TEXTURES = {"towel": "soft", "feather": "soft", "hat": "soft", "stone": "hard", "coin": "hard",
            "table": "hard", "shell": "hard", "candle": "smooth", "mirror": "smooth"}

# Animals from smallest to largest: "the owl is bigger than the mouse" always holds.
ANIMALS_BY_SIZE = (
    "bee", "mouse", "frog", "crow", "duck", "rabbit", "owl", "cat", "fox", "dog",
    "goat", "sheep", "pig", "deer", "cow", "horse",
)

# Where things are usually found, so descriptions stay sensible.
PLACE_THINGS = {
    "the market": ("basket", "coin", "plate", "cup"), "the bakery": ("plate", "spoon", "cup"),
    "the library": ("book", "map", "lamp", "pencil"), "the school": ("book", "pencil", "clock"),
    "the harbor": ("rope", "flag", "bucket", "shell"), "the beach": ("shell", "towel", "bucket"),
    "the workshop": ("wheel", "rope", "needle", "lamp"), "the farm": ("bucket", "rope", "basket"),
    "the museum": ("clock", "violin", "mirror", "ring"), "the station": ("ticket", "clock", "flag"),
}

SOUNDS = {
    "cat": "meow", "dog": "woof", "cow": "moo", "duck": "quack", "sheep": "baa",
    "owl": "hoo", "frog": "croak", "horse": "neigh", "bee": "buzz", "crow": "caw",
    "pig": "oink", "goat": "meh",
}

UNIT_FACTS = (
    ("metre", "centimetres", 100), ("kilogram", "grams", 1000), ("hour", "minutes", 60),
    ("litre", "millilitres", 1000), ("minute", "seconds", 60), ("day", "hours", 24),
    ("week", "days", 7), ("year", "months", 12),
)

# Verbs that take a direct object ("found a key"); "walked"/"ran" do not, "gave" needs two.
TRANSITIVE_VERBS = world.TRANSITIVE_VERBS  # re-exported for stories.py
# Adjectives that fit a building or a person respectively ("a dusty library", "a kind man").
PLACE_ADJECTIVES = ("old", "new", "quiet", "loud", "warm", "cold", "bright", "dark", "clean",
                    "dusty", "busy", "calm")
PERSON_ADJECTIVES = ("quiet", "loud", "happy", "tired", "kind", "busy", "calm", "brave")

PRONOUNS = {"she": ("she", "her", "her"), "he": ("he", "him", "his")}
# Each person has a fixed pronoun, so stories do not flip between "she" and "he".
_HE = ("Ben", "Dev", "Finn", "Hugo", "Jon", "Kai", "Milo", "Omar", "Quinn", "Sam", "Umar",
       "Wes", "Zeno", "Bruno", "Dario")
PERSON_PRONOUN = {p: ("he" if p in _HE else "she") for p in world.PEOPLE}


def plural(noun: str) -> str:
    """English plural of a world noun ("fox" -> "foxes", "mouse" -> "mice")."""
    return _IRREGULAR_PLURALS.get(noun, noun + "s")


def food(name: str) -> str:
    """A food as it is eaten in general: "bread", but "plums" (count nouns go plural)."""
    return plural(name) if name in COUNT_FOODS else name


def article(word: str) -> str:
    """"a" or "an" for the word that follows."""
    return "an" if word[0] in "aeiou" else "a"


def a(noun: str) -> str:
    """Noun with its indefinite article: "an owl", "a cat"."""
    return f"{article(noun)} {noun}"


def number_word(n: int) -> str:
    """Number as a word up to twenty, as digits above (how children's books write them)."""
    return world.NUMBER_WORDS[n] if 0 <= n < len(world.NUMBER_WORDS) else str(n)


def number(rng: random.Random, n: int) -> str:
    """Number written as a word or as digits, chosen at random so both forms appear."""
    return number_word(n) if rng.random() < 0.5 else str(n)


def counted(rng: random.Random, n: int, noun: str) -> str:
    """"three apples", "1 owl", "an egg"."""
    if n == 1:
        return a(noun) if rng.random() < 0.6 else f"{number(rng, 1)} {noun}"
    return f"{number(rng, n)} {plural(noun)}"


def join_list(items: Sequence[str], conj: str = "and") -> str:
    """"a, b and c" (sometimes with the Oxford comma, as real text varies)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def pronoun(person: str, case: int = 0) -> str:
    """Subject (0), object (1) or possessive (2) pronoun of a world person."""
    return PRONOUNS[PERSON_PRONOUN.get(person, "she")][case]


def cap(text: str) -> str:
    """Capitalise the first letter only (keeps names and digits as they are)."""
    return text[:1].upper() + text[1:]


def sample(rng: random.Random, seq: Sequence[str], k: int) -> list[str]:
    """k distinct items of seq in random order."""
    return rng.sample(list(seq), k)


def date(rng: random.Random) -> str:
    """A date in one of the ways people write them: "Monday, 3 May" or "the 3rd of May"."""
    day, month = rng.randint(1, 28), rng.choice(world.MONTHS)
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    forms = (
        f"{rng.choice(world.DAYS)}, {day} {month}", f"the {day}{suffix} of {month}",
        f"{month} {day}", f"{rng.choice(world.DAYS)} the {day}{suffix} of {month}",
    )
    return rng.choice(forms)


def length_comparison(rng: random.Random) -> str:
    """A true sentence comparing two objects' lengths."""
    x, y = sample(rng, OBJECT_LENGTH_CM, 2)
    while OBJECT_LENGTH_CM[x] == OBJECT_LENGTH_CM[y]:
        x, y = sample(rng, OBJECT_LENGTH_CM, 2)
    long_, short = (x, y) if OBJECT_LENGTH_CM[x] > OBJECT_LENGTH_CM[y] else (y, x)
    return rng.choice((
        f"The {long_} is longer than the {short}.", f"The {short} is shorter than the {long_}.",
        f"A {short} is not as long as a {long_}.",
    ))


def size_comparison(rng: random.Random) -> str:
    """A true sentence comparing two animals' sizes."""
    i, j = sorted(rng.sample(range(len(ANIMALS_BY_SIZE)), 2))
    small, big = ANIMALS_BY_SIZE[i], ANIMALS_BY_SIZE[j]
    return rng.choice((
        f"The {big} is bigger than the {small}.", f"The {small} is smaller than the {big}.",
        f"{cap(plural(small))} are smaller than {plural(big)}.",
        f"A {big} is larger than {a(small)}.",
    ))


def weight_comparison(rng: random.Random) -> str:
    """A true sentence comparing two objects' weights."""
    x, y = sample(rng, OBJECT_WEIGHT_G, 2)
    while OBJECT_WEIGHT_G[x] == OBJECT_WEIGHT_G[y]:
        x, y = sample(rng, OBJECT_WEIGHT_G, 2)
    heavy, light = (x, y) if OBJECT_WEIGHT_G[x] > OBJECT_WEIGHT_G[y] else (y, x)
    return rng.choice((
        f"The {heavy} is heavier than the {light}.", f"The {light} is lighter than the {heavy}.",
        f"A {heavy} is heavy and a {light} is light.",
    ))


def number_comparison(rng: random.Random) -> str:
    """A true sentence comparing two numbers, in words or digits."""
    x, y = rng.sample(range(100), 2)
    big, small = max(x, y), min(x, y)
    return rng.choice((
        f"{cap(number(rng, big))} is more than {number(rng, small)}.",
        f"{cap(number(rng, small))} is less than {number(rng, big)}.",
        f"{big} is greater than {small}.", f"{small} is smaller than {big}.",
    ))


def category_sentence(rng: random.Random) -> str:
    """A true sentence about which category things belong to."""
    cat = rng.choice(("animal", "food", "color", "object"))
    items = sample(rng, world.CATEGORIES[cat], rng.randint(2, 4))
    names = {"color": "colours", "object": "things", "animal": "animals", "food": "foods"}
    # Colours and foods read naturally bare ("red and blue"); animals and things take "the".
    shown = items if cat in ("color", "food") else [f"the {i}" for i in items]
    return f"{cap(join_list(shown))} are {names[cat]}."


def unit_sentence(rng: random.Random) -> str:
    """A true sentence converting between units ("3 metres is 300 centimetres")."""
    big, small, factor = rng.choice(UNIT_FACTS)
    n = rng.randint(1, 9)
    big_s = big if n == 1 else big + "s"
    return rng.choice((
        f"{cap(number(rng, n))} {big_s} is {n * factor} {small}.",
        f"There are {n * factor} {small} in {number(rng, n)} {big_s}.",
        f"One {big} is {factor} {small}.",
    ))
