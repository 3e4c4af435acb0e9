"""List task families: the input is a short list (or a sentence that names several things).

Lists are always written "a, b, c" so that list answers have one canonical form; the list and
set checkers in score.py still accept "a, b and c".
"""

from __future__ import annotations

import random

from helpers import world
from helpers.tasks.base import Example, Family, ex
from helpers.tasks.lexicon import (
    COUNTABLE,
    LIST_NOUNS,
    and_list,
    article,
    comma_list,
    distinct_initials,
    pick,
    plural,
)


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


FAMILIES: tuple[Family, ...] = (
    Family("count_items", "Count the items in a list.", "compute", (
        "How many items are in this list?",
        "Count the words in the following list.",
        "How many things are listed here?",
        "Count the items: {input}.",
        "Tell me the number of entries in this list.",
    ), _count_items, checker="number"),
    Family("first_item", "Give the first item of a list.", "select", (
        "What is the first item in this list?",
        "Give the first word of the list.",
        "Which item comes first in the list below?",
        "Name the first thing in this list: {input}.",
        "Return only the opening item of this list.",
    ), _first_item),
    Family("last_item", "Give the last item of a list.", "select", (
        "What is the last item in this list?",
        "Give the last word of the list.",
        "Which item comes last in the list below?",
        "Name the last thing in this list: {input}.",
        "Return only the final item of this list.",
    ), _last_item),
    Family("sort_alpha", "Sort a list alphabetically.", "knowledge", (
        "Sort this list alphabetically.",
        "Put these words in alphabetical order.",
        "Arrange the following words from A to Z.",
        "Sort these in alphabetical order: {input}.",
        "Reorder the list so the words follow the alphabet.",
    ), _sort_alpha, checker="list"),
    Family("reverse_list", "Reverse the order of a list.", "transform", (
        "Reverse the order of this list.",
        "Write these items in reverse order.",
        "List the following words from last to first.",
        "Reverse this list: {input}.",
        "Turn this list around so the last item comes first.",
    ), _reverse_list, checker="list"),
    Family("join_commas", "Join space-separated words with commas.", "copy", (
        "Join these words with commas.",
        "Put a comma between each of these words.",
        "Write the following words as a comma-separated list.",
        "Separate these words with commas: {input}.",
        "Add commas between the words below.",
    ), _join_commas),
    Family("make_list", "List the things a sentence names (any order).", "select", (
        "Make a list of the things in this sentence.",
        "List the items mentioned in the following sentence.",
        "Which things does this sentence name? Answer as a list.",
        "Extract the items from this sentence as a comma-separated list.",
        "Pull out every item named here and write them as a list.",
    ), _make_list, checker="set"),
    Family("odd_one_out", "Pick the word from a different category.", "knowledge", (
        "Which word does not belong with the others?",
        "Pick the odd one out.",
        "One of these words is from a different group. Which one?",
        "Find the odd one out: {input}.",
        "Which item in this list is not like the rest?",
    ), _odd_one_out),
    Family("pick_category", "Pick the word of a named category from a list.", "knowledge", (
        "Which word in this list is {a_cat}?",
        "Find the {cat} in this list.",
        "One of these words names {a_cat}. Which one?",
        "Pick out the {cat}: {input}.",
        "Look at these words and tell me which one is {a_cat}.",
    ), _pick_category),
    Family("contains_item", "Say yes or no: is a word in the list?", "select", (
        "Is {item} in this list? Answer yes or no.",
        "Does the following list contain {item}?",
        "Answer yes or no: is {item} one of these words?",
        "Check whether {item} appears in this list: {input}.",
        "Can you find {item} in the list below? Say yes or no.",
    ), _contains_item, checker="yesno"),
)
