"""Example generators of the list task families (helpers.tasks.families_lists).

Lists are always written "a, b, c" so that list answers have one canonical form; the list and
set checkers in helpers.tasks.score still accept "a, b and c".
"""

from __future__ import annotations

import random

from helpers import world
from helpers.build.tasks.lexicon import (
    COUNTABLE,
    LIST_NOUNS,
    Make,
    and_list,
    article,
    comma_list,
    distinct_initials,
    ex,
    pick,
    plural,
)
from helpers.tasks.base import Example


def _items(rng: random.Random, lo: int, hi: int) -> list[str]:
    return pick(rng, LIST_NOUNS, rng.randint(lo, hi))


def _count_items(rng: random.Random) -> Example:
    items = _items(rng, 2, 6)
    return ex(len(items), input=comma_list(items))


def _first_item(rng: random.Random) -> Example:
    items = _items(rng, 3, 5)
    return ex(items[0], input=comma_list(items))


def _last_item(rng: random.Random) -> Example:
    items = _items(rng, 3, 5)
    return ex(items[-1], input=comma_list(items))


def _sort_alpha(rng: random.Random) -> Example:
    items = distinct_initials(rng, LIST_NOUNS, rng.randint(3, 4))
    while items == sorted(items):  # an already sorted input would reward plain copying
        rng.shuffle(items)
    return ex(comma_list(sorted(items)), input=comma_list(items))


def _reverse_list(rng: random.Random) -> Example:
    items = _items(rng, 3, 4)
    return ex(comma_list(items[::-1]), input=comma_list(items))


def _join_commas(rng: random.Random) -> Example:
    items = _items(rng, 3, 5)
    return ex(comma_list(items), input=" ".join(items))


def _make_list(rng: random.Random) -> Example:
    pool = ("bread", "soup", "cheese", "rice", "honey", "milk") + tuple(map(plural, COUNTABLE))
    items = pick(rng, pool, rng.randint(2, 4))
    verb = rng.choice(("bought", "carried", "found", "sold", "counted"))
    text = f"{rng.choice(world.PEOPLE)} {verb} {and_list(items)}."
    return ex(comma_list(items), input=text)


def _odd_one_out(rng: random.Random) -> Example:
    main, other = pick(rng, tuple(world.CATEGORIES), 2)
    items = pick(rng, world.CATEGORIES[main], 3)
    odd = rng.choice(world.CATEGORIES[other])
    items.insert(rng.randint(0, 3), odd)
    return ex(odd, input=comma_list(items))


def _pick_category(rng: random.Random) -> Example:
    cats = pick(rng, tuple(world.CATEGORIES), 4)
    items = [rng.choice(world.CATEGORIES[c]) for c in cats]
    target = rng.randrange(4)
    cat = "colour" if cats[target] == "color" else cats[target]  # the corpus writes "colour"
    return ex(items[target], cat=cat, a_cat=f"{article(cat)} {cat}", input=comma_list(items))


def _contains_item(rng: random.Random) -> Example:
    items = _items(rng, 4, 6)
    present = rng.random() < 0.5
    item = rng.choice(items[1:]) if present else items[0]
    shown = items[1:]
    return ex("yes" if present else "no", item=item, input=comma_list(shown))


GENERATORS: dict[str, Make] = {
    "count_items": _count_items,
    "first_item": _first_item,
    "last_item": _last_item,
    "sort_alpha": _sort_alpha,
    "reverse_list": _reverse_list,
    "join_commas": _join_commas,
    "make_list": _make_list,
    "odd_one_out": _odd_one_out,
    "pick_category": _pick_category,
    "contains_item": _contains_item,
}
