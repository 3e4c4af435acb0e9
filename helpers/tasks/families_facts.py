"""Sentence task families: read a short sentence about the micro world, answer about it.

Most are extraction (the answer is a word copied from the input); the day and month families
also need the order of days and months, which the pretraining corpus states in prose.
"""

from __future__ import annotations

import random

from helpers import world
from helpers.tasks.base import Example, Family, ex
from helpers.tasks.lexicon import TRANSITIVE, article


def _event(rng: random.Random, color: bool = True, day: bool | None = None) -> dict[str, str]:
    """Fields of a sentence "Ana found the red kite near the river on Monday." and its text."""
    f = {
        "person": rng.choice(world.PEOPLE), "verb": rng.choice(tuple(TRANSITIVE)),
        "color": rng.choice(world.COLORS), "obj": rng.choice(world.OBJECTS),
        "place": rng.choice(world.PLACES), "day": rng.choice(world.DAYS),
    }
    f["base"] = TRANSITIVE[f["verb"]]
    thing = f"{f['color']} {f['obj']}" if color else f["obj"]
    text = f"{f['person']} {f['verb']} the {thing} near {f['place']}"
    with_day = rng.random() < 0.5 if day is None else day
    f["input"] = text + (f" on {f['day']}." if with_day else ".")
    return f


def _extract_who(rng: random.Random) -> Example:
    f = _event(rng)
    return ex(f["person"], verb=f["verb"], obj=f["obj"], input=f["input"])


def _extract_where(rng: random.Random) -> Example:
    f = _event(rng)
    return ex(f["place"], person=f["person"], base=f["base"], obj=f["obj"], input=f["input"])


def _extract_color(rng: random.Random) -> Example:
    f = _event(rng)
    return ex(f["color"], obj=f["obj"], input=f["input"])


def _extract_object(rng: random.Random) -> Example:
    f = _event(rng, color=False)  # no colour: "the red kite" vs "kite" would be ambiguous
    return ex(f["obj"], person=f["person"], verb=f["verb"], base=f["base"], input=f["input"])


def _extract_day(rng: random.Random) -> Example:
    f = _event(rng, day=True)
    return ex(f["day"], person=f["person"], base=f["base"], obj=f["obj"], input=f["input"])


def _extract_town(rng: random.Random) -> Example:
    person, town, place = rng.choice(world.PEOPLE), rng.choice(world.TOWNS), rng.choice(world.PLACES)
    text = rng.choice((
        f"{person} lives in {town} and works at {place}.",
        f"{person} lives in {town}, near {place}.",
        f"In {town}, {person} lives next to {place}.",
    ))
    return ex(town, person=person, input=text)


def _weather(rng: random.Random) -> Example:
    w, town, day = rng.choice(world.WEATHER), rng.choice(world.TOWNS), rng.choice(world.DAYS)
    text = rng.choice((
        f"{town} had {w} on {day}.",
        f"On {day} the {w} stayed over {town} all day.",
        f"{rng.choice(world.PEOPLE)} stayed home in {town} because of the {w}.",
    ))
    return ex(w, input=text)


def _yes_no_fact(rng: random.Random) -> Example:
    person, obj = rng.choice(world.PEOPLE), rng.choice(world.OBJECTS)
    color = rng.choice(world.COLORS)
    asked = color if rng.random() < 0.5 else rng.choice([c for c in world.COLORS if c != color])
    text = f"{person} has {article(color)} {color} {obj} at {rng.choice(world.PLACES)}."
    return ex("yes" if asked == color else "no", person=person, obj=obj, qcolor=asked,
              a_qcolor=f"{article(asked)} {asked}", input=text)


def _day_sentence(rng: random.Random, shift: int) -> Example:
    i = rng.randrange(7)
    text = f"{rng.choice(world.PEOPLE)} went to {rng.choice(world.PLACES)} on {world.DAYS[i]}."
    return ex(world.DAYS[(i + shift) % 7], input=text)


def _next_day(rng: random.Random) -> Example:
    return _day_sentence(rng, 1)


def _previous_day(rng: random.Random) -> Example:
    return _day_sentence(rng, -1)


def _next_month(rng: random.Random) -> Example:
    i = rng.randrange(12)
    text = f"{rng.choice(world.PEOPLE)} visited {rng.choice(world.TOWNS)} in {world.MONTHS[i]}."
    return ex(world.MONTHS[(i + 1) % 12], input=text)


FAMILIES: tuple[Family, ...] = (
    Family("extract_who", "Name the person in a sentence.", "select", (
        "Who is the person in this sentence?",
        "Who {verb} the {obj}?",
        "Name the person mentioned below.",
        "Which person does this sentence talk about?",
        "Read the sentence and tell me who did something.",
    ), _extract_who),
    Family("extract_where", "Name the place in a sentence.", "select", (
        "Where did this happen?",
        "Where did {person} {base} the {obj}?",
        "Name the place in this sentence.",
        "At which place does this sentence happen?",
        "Tell me the location mentioned below.",
    ), _extract_where, checker="place"),
    Family("extract_color", "Name the colour of the thing in a sentence.", "select", (
        "What colour is the {obj}?",
        "Which colour is mentioned in this sentence?",
        "Name the colour in the sentence below.",
        "What colour does the sentence give for the {obj}?",
        "Read this and tell me the colour of the thing.",
    ), _extract_color),
    Family("extract_object", "Name the object in a sentence.", "select", (
        "What did {person} {base}?",
        "Which object is mentioned in this sentence?",
        "Name the thing in the sentence below.",
        "What object does this sentence talk about?",
        "Tell me which item {person} {verb}.",
    ), _extract_object),
    Family("extract_day", "Name the day of the week in a sentence.", "select", (
        "On which day did this happen?",
        "Which day is named in this sentence?",
        "What day did {person} {base} the {obj}?",
        "Name the day of the week in the sentence below.",
        "Tell me the day mentioned here.",
    ), _extract_day),
    Family("extract_town", "Name the town where someone lives.", "select", (
        "Where does {person} live?",
        "Which town is mentioned in this sentence?",
        "Name the town in the sentence below.",
        "In which town does {person} live?",
        "Tell me the name of the town here.",
    ), _extract_town, checker="place"),
    Family("weather", "Name the weather in a sentence.", "select", (
        "What was the weather?",
        "Which kind of weather does this sentence mention?",
        "Name the weather in the sentence below.",
        "What weather is described here?",
        "Tell me what the weather was like, in one word.",
    ), _weather),
    Family("yes_no_fact", "Answer yes or no about a colour stated in a sentence.", "select", (
        "Is {person}'s {obj} {qcolor}? Answer yes or no.",
        "Answer yes or no: does {person} have {a_qcolor} {obj}?",
        "Read the sentence. Is the {obj} {qcolor}?",
        "According to this sentence, is the {obj} {qcolor}? Say yes or no.",
        "Based on the text below, is {person}'s {obj} {qcolor}?",
    ), _yes_no_fact, checker="yesno"),
    Family("next_day", "Give the day after the day in a sentence.", "knowledge", (
        "What day comes after the day in this sentence?",
        "Which day follows the day named below?",
        "Name the day after the one in this sentence.",
        "If it happened on that day, what is the next day?",
        "Give the day that comes right after the day mentioned here.",
    ), _next_day),
    Family("previous_day", "Give the day before the day in a sentence.", "knowledge", (
        "What day comes before the day in this sentence?",
        "Which day precedes the day named below?",
        "Name the day before the one in this sentence.",
        "If it happened on that day, what was the day before?",
        "Give the day that comes just before the day mentioned here.",
    ), _previous_day),
    Family("next_month", "Give the month after the month in a sentence.", "knowledge", (
        "Which month comes after the month in this sentence?",
        "Name the month that follows the one below.",
        "What is the next month after the one mentioned here?",
        "If this happened in that month, what month comes next?",
        "Give the month right after the month in this sentence.",
    ), _next_month),
)
