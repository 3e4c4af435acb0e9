"""Document genres that make the context necessary: things introduced, then referred back to.

Why this module exists: the first micro model was pretrained on prose where almost every next
word could be guessed without reading what came before, so it never learned to copy from its
context (0 of 30 copy probes) and instruction tuning had nothing to unlock: even full fine-tuning
on "what is the first item in this list?" memorised answers instead of reading the list.

Every genre here introduces entities and later names them again — who did it, the first and
the last of a list, the list restated, reversed or in alphabetical order, the day after the day
named, the bigger of two numbers, the number as a word — so that predicting the re-mention
*requires* reading the context. These are the skills of the instruction families (seen and held
out), stated in passing in plain prose and never asked for: the corpus denylist (checks.py)
still applies, so no document is a task request or a question/answer layout.

Lists are written the way the instruction suite writes them ("dog, milk, candle"), sometimes on a
line of their own, because a list at the start of a line is exactly what a task's input is.
"""

from __future__ import annotations

import random

from helpers import world
from helpers.build.micro.phrases import (
    COUNT_FOODS,
    a,
    cap,
    number,
    number_word,
    plural,
    pronoun,
    sample,
)

LIST_NOUNS = world.OBJECTS + world.ANIMALS + world.FOODS + world.COLORS
_CONTAINERS = ("bag", "basket", "box", "bucket", "drawer", "cart")


def _items(rng: random.Random, lo: int = 3, hi: int = 5) -> list[str]:
    return sample(rng, LIST_NOUNS, rng.randint(lo, hi))


def _list_facts(rng: random.Random, items: list[str]) -> list[str]:
    """Sentences that restate a list: first, last, count, reversed, alphabetical, membership."""
    absent = rng.choice([w for w in LIST_NOUNS if w not in items])
    present = rng.choice(items)
    return [
        f"The first was {items[0]}.", f"The last was {items[-1]}.",
        f"The first word was {items[0]} and the last word was {items[-1]}.",
        f"There were {number(rng, len(items))} of them.",
        f"From the end it read {', '.join(items[::-1])}.",
        f"In alphabetical order that is {', '.join(sorted(items))}.",
        f"Of these, {min(items)} comes first in the alphabet.",
        f"There was {a(present)} on it, but no {absent}.",
        f"{cap(present)} was on the list. {cap(absent)} was not.",
        f"Written with commas it is {', '.join(items)}.",
    ]


def packing_story(rng: random.Random) -> str:
    """Someone packs a list of things; later the list is recalled, first and last named."""
    p, q = sample(rng, world.PEOPLE, 2)
    items, box = _items(rng), rng.choice(_CONTAINERS)
    place = rng.choice(world.PLACES)
    opening = rng.choice((
        f"{p} packed {', '.join(items)}.", f"{p} put {', '.join(items)} in {pronoun(p, 2)} {box}.",
        f"In the {box} there were {', '.join(items)}.", f"{p} bought {', '.join(items)}.",
    ))
    middle = rng.choice((
        f"At {place}, {p} unpacked the {items[0]} first and the {items[-1]} last.",
        f"At {place}, {q} took out the {items[0]}, then the rest, and last of all the {items[-1]}.",
        f"Later {p} told {q} what was in the {box}: {', '.join(items)}.",
        f"On the way to {place}, {p} said the list again: {', '.join(items)}.",
    ))
    facts = sample(rng, _list_facts(rng, items), rng.randint(1, 3))
    return " ".join([opening, middle, *facts])


def note_on_line(rng: random.Random) -> str:
    """A list on a line of its own (as a task input is), then talked about in prose."""
    p = rng.choice(world.PEOPLE)
    items = _items(rng, 2, 6)
    where = rng.choice(("note", "card", "board", "label", "page"))
    head = rng.choice((f"{p} left a {where} on the table. It said:",
                       f"On the {where} {p} had written:", f"The {where} by the door said:"))
    body = rng.choice((", ".join(items), " ".join(items), "\n".join(items)))
    tail = rng.choice((
        f"The first word on the {where} was {items[0]}.",
        f"The last word on the {where} was {items[-1]}.",
        f"The {where} began with {items[0]} and ended with {items[-1]}.",
        f"There were {number(rng, len(items))} words on the {where}.",
        f"So {p} needed {', '.join(items)}.",
        f"Read from the bottom up, the {where} said {', '.join(items[::-1])}.",
    ))
    facts = sample(rng, _list_facts(rng, items), rng.randint(0, 2))
    return "\n".join([head, body, " ".join([tail, *facts])])


def who_did_it(rng: random.Random) -> str:
    """An event with a person, a thing, a colour, a place and a day; then each is named again."""
    p, verb = rng.choice(world.PEOPLE), rng.choice(world.TRANSITIVE_VERBS)
    color, obj, place = rng.choice(world.COLORS), rng.choice(world.OBJECTS), rng.choice(world.PLACES)
    day = rng.choice(world.DAYS)
    event = rng.choice((f"{p} {verb} the {color} {obj} near {place} on {day}.",
                        f"On {day}, {p} {verb} the {color} {obj} near {place}.",
                        f"{p} {verb} the {color} {obj} near {place}."))
    recalls = [
        f"Everyone knew that it was {p} who {verb} it.", f"It was {p}.",
        f"The {obj} was {color}.", f"It happened near {place}.", f"The thing was the {obj}.",
        f"That was on {day}.", f"{cap(pronoun(p))} {verb} it near {place}.",
        f"Nobody forgot the {color} {obj}.", f"Later, {p} talked about the {obj} all day.",
    ]
    if f"on {day}" not in event:
        recalls = [r for r in recalls if day not in r]
    return " ".join([event, *sample(rng, recalls, rng.randint(2, 4))])


def home_town(rng: random.Random) -> str:
    """Where someone lives and works, then said again."""
    p, town, place = rng.choice(world.PEOPLE), rng.choice(world.TOWNS), rng.choice(world.PLACES)
    first = rng.choice((f"{p} lives in {town} and works at {place}.",
                        f"{p} lives in {town}, near {place}.", f"In {town}, {p} lives next to {place}."))
    again = rng.choice((f"{p} has lived in {town} for years.", f"{cap(pronoun(p))} likes {town}.",
                        f"So {p} lives in {town}.", f"Every day {p} walks to {place} in {town}."))
    return f"{first} {again}"


def weather_again(rng: random.Random) -> str:
    """A day's weather in a town, then the same weather named again."""
    town, day, w = rng.choice(world.TOWNS), rng.choice(world.DAYS), rng.choice(world.WEATHER)
    first = rng.choice((f"{town} had {w} on {day}.", f"On {day} the {w} stayed over {town} all day.",
                        f"{rng.choice(world.PEOPLE)} stayed home in {town} because of the {w}."))
    again = rng.choice((f"The {w} did not stop until night.", f"Because of the {w}, the market was quiet.",
                        f"Nobody in {town} liked the {w}."))
    return f"{first} {again}"


def colour_check(rng: random.Random) -> str:
    """A thing with a colour; then someone asks about a colour in speech, and is answered."""
    p, q = sample(rng, world.PEOPLE, 2)
    color, obj = rng.choice(world.COLORS), rng.choice(world.OBJECTS)
    asked = color if rng.random() < 0.5 else rng.choice([c for c in world.COLORS if c != color])
    reply = "Yes" if asked == color else "No"
    return (f"{p} has {a(color)} {obj} at {rng.choice(world.PLACES)}. "
            f"\"Is your {obj} {asked}?\" asked {q}. \"{reply},\" said {p}. \"It is {color}.\"")


def number_pairs(rng: random.Random) -> str:
    """Two quantities, then which is larger and smaller, as digits and words."""
    p, q = sample(rng, world.PEOPLE, 2)
    x, y = rng.sample(range(1, 100), 2)
    noun = rng.choice(("coin", "shell", "stone", "button", "pencil"))
    lines = [f"{p} had {x} {plural(noun)} and {q} had {y}."]
    lines += sample(rng, [
        f"{max(x, y)} is more than {min(x, y)}, so {p if x > y else q} had more.",
        f"The larger number was {max(x, y)} and the smaller was {min(x, y)}.",
        f"{q if x > y else p} had fewer, only {min(x, y)}.",
        f"After {x} comes {x + 1}, and after {y} comes {y + 1}.",
        f"{x} is an {'even' if x % 2 == 0 else 'odd'} number.",
    ], rng.randint(1, 3))
    return " ".join(lines)


def number_words(rng: random.Random) -> str:
    """A number in a sentence, then the same number in the other form (word <-> digits)."""
    n, p = rng.randint(2, 20), rng.choice(world.PEOPLE)
    noun = rng.choice(world.ANIMALS + world.OBJECTS)
    word = number_word(n)
    return rng.choice((
        f"{p} saw {word} {plural(noun)} at {rng.choice(world.PLACES)}. That is {n} {plural(noun)}.",
        f"{p} saw {n} {plural(noun)} at {rng.choice(world.PLACES)}. That is {word} {plural(noun)}.",
        f"There were {word} of them, {n} in all.", f"The sign said {n}, which is {word}.",
    ))


def day_after(rng: random.Random) -> str:
    """A day or month is named; the one after or before follows in the story."""
    p = rng.choice(world.PEOPLE)
    if rng.random() < 0.7:
        i = rng.randrange(7)
        d = world.DAYS
        first = f"{p} went to {rng.choice(world.PLACES)} on {d[i]}."
        return first + " " + rng.choice((f"The next day was {d[(i + 1) % 7]}.",
                                         f"The day before, on {d[i - 1]}, it had rained.",
                                         f"On {d[(i + 1) % 7]}, the day after, {p} stayed home."))
    i = rng.randrange(12)
    m = world.MONTHS
    return (f"{p} visited {rng.choice(world.TOWNS)} in {m[i]}. "
            + rng.choice((f"The next month was {m[(i + 1) % 12]}.", f"Before that came {m[i - 1]}.")))


def word_play(rng: random.Random) -> str:
    """Words said again: repeated, compared in length, spelled, shouted, made plural."""
    w, v = sample(rng, world.OBJECTS + world.ANIMALS + world.FOODS, 2)
    p, k = rng.choice(world.PEOPLE), rng.randint(2, 4)
    long_, short = (w, v) if len(w) > len(v) else (v, w)
    return rng.choice((
        f"The parrot said {w} {number_word(k)} times: {' '.join([w] * k)}.",
        f"{p} said {w}, then said it again: {w}.",
        f"{cap(long_)} has {number_word(len(long_))} letters and {short} has "
        f"{number_word(len(short))}, so {long_} is the longer word." if len(w) != len(v)
        else f"{cap(w)} and {v} have the same number of letters.",
        f"{p} wrote {w} in big letters: {w.upper()}.",
        f"{cap(w)} is spelled {', '.join(w)}. It starts with {w[0]} and ends with {w[-1]}.",
        f"{p} had one {v}, and {rng.choice(world.PEOPLE)} had many {plural(v)}.",
        f"Backwards, {w} is {w[::-1]}.",
    ))


def groups(rng: random.Random) -> str:
    """Things of one kind and one that is not, named in a list, then pointed out."""
    kind = rng.choice(("animal", "food", "color"))
    members = sample(rng, world.CATEGORIES[kind], 3)
    other = rng.choice([c for c in ("animal", "food", "color") if c != kind])
    odd = rng.choice(world.CATEGORIES[other])
    shown = members + [odd]
    rng.shuffle(shown)
    names = {"animal": "animal", "food": "food", "color": "colour"}
    return rng.choice((
        f"{rng.choice(world.PEOPLE)} looked at {', '.join(shown)}. The odd one was {odd}.",
        f"Among {', '.join(shown)}, the only {names[other]} was {odd}.",
        f"In the {rng.choice(_CONTAINERS)} were {', '.join(shown)}; {odd} did not belong.",
    ))


def sums_told(rng: random.Random) -> str:
    """A small sum or difference with both numbers named in the sentence before."""
    p = rng.choice(world.PEOPLE)
    x, y = rng.randint(0, 20), rng.randint(0, 20)
    noun = rng.choice(COUNT_FOODS)
    if rng.random() < 0.5:
        return f"{p} had {x} {plural(noun)} and found {y} more. {x} plus {y} is {x + y}."
    hi, lo = max(x, y), min(x, y)
    return f"{p} had {hi} {plural(noun)} and ate {lo}. {hi} minus {lo} is {hi - lo}."


GENRES = (
    packing_story, note_on_line, who_did_it, home_town, weather_again, colour_check,
    number_pairs, number_words, day_after, word_play, groups, sums_told,
)

# Where the corpus carries each instruction family's skill, and in which sentence shape (for the
# model card; a test checks every family of helpers.tasks is listed). Never as a request.
SKILL_SHAPES: dict[str, str] = {
    "first_item": "Omar packed dog, milk, candle. At the park, Omar unpacked the dog first …",
    "last_item": "… It said:⏎dog, milk, candle⏎The last word on the note was candle.",
    "count_items": "… There were three of them. / There were 4 words on the card.",
    "reverse_list": "From the end it read candle, milk, dog.",
    "sort_alpha": "In alphabetical order that is candle, dog, milk.",
    "alphabetical_first": "Of these, candle comes first in the alphabet.",
    "join_commas": "The card said:⏎dog milk candle⏎… Written with commas it is dog, milk, candle.",
    "make_list": "Later Omar told Ana what was in the bag: dog, milk, candle.",
    "contains_item": ("There was a milk on it, but no rope. / Ben asked if there was a rope in the"
                      " bag. Omar said no. (lexicon.asked_if)"),
    "extract_who": "Lena dropped the map near the bridge. Everyone knew that it was Lena …",
    "extract_object": "… The thing was the map.",
    "extract_color": "… The map was red.",
    "extract_where": "… It happened near the bridge.",
    "extract_day": "On Monday, Lena dropped the map … That was on Monday.",
    "extract_town": "Pia lives in Ashford, near the mill. So Pia lives in Ashford.",
    "weather": "Ashford had fog on Monday. The fog did not stop until night.",
    "yes_no_fact": "Pia has a red cup … \"Is your cup blue?\" asked Ben. \"No,\" said Pia.",
    "next_day": "Omar went to the park on Monday. The next day was Tuesday.",
    "previous_day": "The day before, on Sunday, it had rained.",
    "next_month": "Omar visited Ashford in May. The next month was June.",
    "larger_number": "Omar had 12 coins and Ana had 7. The larger number was 12 …",
    "smaller_number": "… and the smaller was 7. / Ana had fewer, only 7.",
    "next_number": "After 12 comes 13.",
    "even_odd": "12 is an even number.",
    "number_to_word": "Omar saw 12 ducks at the lake. That is twelve ducks.",
    "word_to_number": "Omar saw twelve ducks at the lake. That is 12 ducks.",
    "add": "Omar had 3 plums and found 4 more. 3 plus 4 is 7.",
    "subtract": "Omar had 9 plums and ate 4. 9 minus 4 is 5.",
    "convert_units": "Three metres is 300 centimetres. (facts.measurements)",
    "odd_one_out": "Among dog, milk, cow, goat, the only food was milk.",
    "pick_category": "Dog, cow and goat are animals. (facts.categories)",
    "repeat_word": "The parrot said lamp three times: lamp lamp lamp.",
    "longer_word": "Candle has six letters and cup has three, so candle is the longer word.",
    "plural": "Omar had one kite, and Ana had many kites.",
    "capitalise": "every sentence of the corpus starts with a capital letter",
    "uppercase": "Omar wrote lamp in big letters: LAMP. (letter-level)",
    "first_letter": "Lamp is spelled l, a, m, p. It starts with l and ends with p. (letter-level)",
    "last_letter": "… It starts with l and ends with p. (letter-level)",
    "count_letters": "Candle has six letters … (letter-level)",
    "reverse_word": "Backwards, lamp is pmal. (letter-level)",
}
# Families that need the letters inside a token: reported apart, the tokenization-limits lesson.
LETTER_LEVEL = ("reverse_word", "uppercase", "count_letters", "first_letter", "last_letter")
