"""Example generators of the sentence task families (helpers.tasks.families_facts).

Each draws a short sentence about the micro world and the word of it (or the day or month
after it) that answers the family's question.
"""

from __future__ import annotations

import random

from helpers import world
from helpers.build.tasks.lexicon import TRANSITIVE, Make, article, ex
from helpers.tasks.base import Example


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


GENERATORS: dict[str, Make] = {
    "extract_who": _extract_who,
    "extract_where": _extract_where,
    "extract_color": _extract_color,
    "extract_object": _extract_object,
    "extract_day": _extract_day,
    "extract_town": _extract_town,
    "weather": _weather,
    "yes_no_fact": _yes_no_fact,
    "next_day": _next_day,
    "previous_day": _previous_day,
    "next_month": _next_month,
}
