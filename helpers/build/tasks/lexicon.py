"""Word pools and tiny grammar helpers built from helpers.world, shared by the generator modules.

Every word a task uses comes from helpers.world, the vocabulary the micro base model was
pretrained on, so a task never asks about a word the model has never seen. Build-time only:
the learner-side families (helpers.tasks) need none of it to ask or score.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from helpers import world
from helpers.tasks.base import Example

# An example generator: draws one Example of its family from a seeded RNG.
Make = Callable[[random.Random], Example]


def ex(answer: str | int, **fields: str | int) -> Example:
    """Shorthand used by the generator modules: every field and the answer become strings."""
    return Example({k: str(v) for k, v in fields.items()}, str(answer))


# Lower-case single words for the letter- and word-level families (149 distinct words).
WORDS: tuple[str, ...] = tuple(sorted(set(
    world.OBJECTS + world.ANIMALS + world.FOODS + world.COLORS + world.ADJECTIVES
    + world.SIZES + world.VERBS_PAST + world.NUMBER_WORDS + world.WEATHER
)))

# Things one can count: their plural is well defined (no "rices" or "milks").
COUNTABLE: tuple[str, ...] = world.OBJECTS + world.ANIMALS + (
    "plum", "cake", "bean", "egg", "carrot", "onion", "lemon", "melon", "grape", "olive",
)

# Nouns for list tasks: every category except days and months (capitalised, and their order
# is knowledge the day/month families test on their own).
LIST_NOUNS: tuple[str, ...] = world.OBJECTS + world.ANIMALS + world.FOODS + world.COLORS

# Past-tense verbs that take a direct object ("Ana found the key"), with their base form for
# questions ("What did Ana find?").
TRANSITIVE: dict[str, str] = {
    "carried": "carry", "found": "find", "lost": "lose", "painted": "paint", "cleaned": "clean",
    "fixed": "fix", "sold": "sell", "bought": "buy", "took": "take", "dropped": "drop",
    "counted": "count", "opened": "open", "closed": "close", "moved": "move", "hid": "hide",
}

_IRREGULAR = {"mouse": "mice", "sheep": "sheep", "deer": "deer"}


def plural(noun: str) -> str:
    """English plural of a world noun (regular rules plus the world's three irregulars)."""
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def pick(rng: random.Random, pool: tuple[str, ...] | list[str], k: int) -> list[str]:
    """`k` distinct items from `pool`, in random order."""
    return rng.sample(list(pool), k)


def comma_list(items: list[str]) -> str:
    """Items joined the one way this suite writes lists: "a, b, c"."""
    return ", ".join(items)


def and_list(items: list[str]) -> str:
    """Items as prose: "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def article(word: str) -> str:
    """Return "a" or "an" for the word that follows ("an orange kite", "a red kite")."""
    return "an" if word[0].lower() in "aeiou" else "a"


def distinct_initials(rng: random.Random, pool: tuple[str, ...], k: int) -> list[str]:
    """`k` words with different first letters, so alphabetical order is decided by letter one."""
    words: list[str] = []
    while len(words) < k:
        w = rng.choice(pool)
        if all(w[0] != v[0] for v in words):
            words.append(w)
    return words
