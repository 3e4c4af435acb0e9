"""Narrative document genres of the micro corpus: stories, diaries, letters, lists, timetables.

Stories are built from small compositional parts (who, where, what happened, how it ended), so a
few dozen templates yield many thousands of different documents. Speech inside stories uses
quotation marks, the way books write it — never a "Question:/Answer:" or chat-turn layout.
"""

from __future__ import annotations

import random

from helpers import world
from helpers.build.micro.phrases import (
    COUNT_FOODS,
    PERSON_ADJECTIVES,
    TRANSITIVE_VERBS,
    a,
    cap,
    counted,
    date,
    food,
    join_list,
    length_comparison,
    number,
    plural,
    pronoun,
    sample,
    size_comparison,
)

_OPENINGS = (
    "One {weather_adj} morning, {p} walked to {place}.",
    "On {day}, {p} went to {place} in {town}.",
    "Once upon a time, in the town of {town}, there lived {a_adj} {animal}.",
    "It was {month} and there was {weather} over {town}.",
    "Early on {day}, {p} and {q} met at {place}.",
    "{p} had never been to {place} before.",
)
_MIDDLES = (
    "There {p} found {a_size_obj} under {a_obj2}.",
    "The {obj} was {texture}, and the {obj2} was {size2}.",
    "{P_she} {verb} {a_obj} and put it in {her} basket.",
    "On the way, {p} saw {n_animals} near {place2}.",
    "{q} was already there, holding {a_color} {obj}.",
    "Suddenly the {weather_word} started, and everyone ran to {place2}.",
    "{p} {verb} the {obj} and then {verb2} the {obj2}.",
    "The {animal} followed {p} all the way to {place2}.",
    "{q} said, \"I lost my {obj} at {place2}.\" {p} said, \"I will help you look.\"",
    "\"Is that your {obj}?\" asked {q}. \"Yes,\" said {p}, \"it is mine.\"",
    "{p} counted {n_objs} on the table.",
)
_ENDINGS = (
    "In the end, {p} went home tired but happy.",
    "That evening they had {food} and {food2} for supper.",
    "The next day, {p} told everyone in {town} about it.",
    "And that is how the {obj} came back to {place}.",
    "{p} still keeps the {obj} on a shelf at home.",
    "By {day}, everyone had forgotten about it, except the {animal}.",
)


def _slots(rng: random.Random) -> dict[str, str]:
    """Random fillers for one story; the same names recur so the story stays coherent."""
    p, q = sample(rng, world.PEOPLE, 2)
    # No "ticket" in stories: "closed a ticket" reads like the hosting domain's support tickets.
    obj, obj2 = sample(rng, [o for o in world.OBJECTS if o != "ticket"], 2)
    adj = rng.choice(PERSON_ADJECTIVES)
    animal = rng.choice(world.ANIMALS)
    weather = rng.choice(("rain", "snow", "wind", "fog"))
    return {
        "p": p, "q": q, "obj": obj, "obj2": obj2, "a_obj": a(obj), "a_obj2": a(obj2),
        "adj": adj, "a_adj": a(adj), "animal": animal, "place": rng.choice(world.PLACES),
        "weather_adj": rng.choice(("cold", "warm", "bright", "dark", "quiet")),
        "place2": rng.choice(world.PLACES), "town": rng.choice(world.TOWNS),
        "day": rng.choice(world.DAYS), "month": rng.choice(world.MONTHS),
        "weather": weather, "weather_word": weather, "verb": rng.choice(TRANSITIVE_VERBS),
        "verb2": rng.choice(TRANSITIVE_VERBS), "P_she": cap(pronoun(p)), "her": pronoun(p, 2),
        "n_animals": counted(rng, rng.randint(2, 9), animal),
        "n_objs": counted(rng, rng.randint(2, 9), obj2), "a_color": a(rng.choice(world.COLORS)),
        "a_size_obj": a(f"{rng.choice(world.SIZES)} {obj}"), "size2": rng.choice(world.SIZES),
        "texture": rng.choice(("soft", "hard", "cold", "warm", "dusty", "clean")),
        "food": food(rng.choice(world.FOODS)), "food2": food(rng.choice(world.FOODS)),
    }


def short_story(rng: random.Random) -> str:
    """Opening, two to four events, an ending — sometimes with a title."""
    s = _slots(rng)
    parts = [rng.choice(_OPENINGS)] + sample(rng, _MIDDLES, rng.randint(2, 4))
    parts.append(rng.choice(_ENDINGS))
    text = " ".join(part.format(**s) for part in parts)
    if rng.random() < 0.3:
        title = rng.choice((f"The {s['obj'].title()}", f"{s['p']} and the {s['animal'].title()}",
                            f"A Day in {s['town']}"))
        text = f"{title}\n\n{text}"
    return text


def diary_entry(rng: random.Random) -> str:
    """First-person diary entry with a date, the weather and the day's events."""
    s = _slots(rng)
    lines = [
        rng.choice(("Dear diary,", f"{cap(date(rng))}.", f"Diary of {s['p']}, {date(rng)}.")),
        _weather_today(rng.choice(world.WEATHER), s["town"]),
        f"In the morning I went to {s['place']} and {s['verb']} {s['a_obj']}.",
        rng.choice((f"I saw {s['q']} there. We talked about {plural(s['obj2'])}.",
                    f"I had {s['food']} for lunch. It was {rng.choice(world.ADJECTIVES)}.",
                    f"I counted {s['n_animals']} by {s['place2']}.")),
        rng.choice(("Tomorrow I will go back.", "I am tired now.", "It was a good day.",
                    f"I hope it is sunny on {s['day']}.")),
    ]
    return "\n".join(lines) if rng.random() < 0.5 else " ".join(lines)


def _weather_today(weather: str, town: str) -> str:
    verb = "were" if weather.endswith("s") else "was"
    return f"Today there {verb} {weather} in {town}."


def letter(rng: random.Random) -> str:
    """A friendly letter between two people of the world."""
    s = _slots(rng)
    body = [
        (f"I am writing from {s['town']}. It is {s['month']} here and there is a lot of "
        f"{rng.choice(('rain', 'snow', 'wind', 'sun'))}."),
        f"Last {s['day']} I {s['verb']} {s['a_obj']} at {s['place']}.",
        rng.choice((f"My {s['animal']} is well and sends you a {rng.choice(('hello', 'wave'))}.",
                    f"I have {s['n_objs']} now, can you believe it?",
                    f"I miss the {s['food']} we had together.")),
        rng.choice(("I hope you are well.", "I hope you write back soon.",
                    f"Come and visit me in {rng.choice(world.MONTHS)}.")),
    ]
    sign = rng.choice(("Your friend,", "With love,", "Best wishes,", "See you soon,"))
    return f"Dear {s['q']},\n\n" + " ".join(body) + f"\n\n{sign}\n{s['p']}"


def shopping_list(rng: random.Random) -> str:
    """A household list, bulleted or numbered, with a line of context."""
    p = rng.choice(world.PEOPLE)
    items = sample(rng, world.FOODS + world.OBJECTS, rng.randint(3, 7))
    kind = rng.choice(("Shopping list", "Things to take to the beach", "Things for the picnic",
                       f"What {p} needs from the market"))
    if rng.random() < 0.5:
        lines = [f"- {i}" for i in items]
    else:
        lines = [f"{k}. {i}" for k, i in enumerate(items, 1)]
    note = rng.choice(("", f"That makes {number(rng, len(items))} things.",
                       f"{p} wrote this list on {rng.choice(world.DAYS)}."))
    return f"{kind}:\n" + "\n".join(lines) + (f"\n{note}" if note else "")


def timetable(rng: random.Random) -> str:
    """Trains or boats between towns, with times and durations stated."""
    a_town, b_town = sample(rng, world.TOWNS, 2)
    start = rng.randint(6, 14)
    hours = rng.randint(1, 4)
    vehicle = rng.choice(("train", "boat", "bus", "cart"))
    return " ".join((
        f"The {vehicle} to {b_town} leaves {a_town} at {start} o'clock.",
        (f"It arrives at {start + hours} o'clock, so the trip takes {number(rng, hours)} "
        f"hour{'s' if hours > 1 else ''}, which is {hours * 60} minutes."),
        f"It runs every day except {rng.choice(world.DAYS)}.",
        rng.choice((f"Many people take {plural(rng.choice(world.ANIMALS))} with them.",
                    f"From the window you can see {rng.choice(world.PLACES)}.", "")),
    )).strip()


def dialogue(rng: random.Random) -> str:
    """Two people talk, in quotation marks, about a fact of the world."""
    p, q = sample(rng, world.PEOPLE, 2)
    fact = rng.choice((length_comparison, size_comparison))(rng)
    obj = rng.choice(world.OBJECTS)
    n = rng.randint(2, 9)
    return " ".join((
        f'"Where is my {obj}?" asked {p}.',
        f'"It is in {rng.choice(world.PLACES)}," said {q}, "next to the {rng.choice(world.OBJECTS)}."',
        f'"How many {plural(obj)} do we have?" "We have {number(rng, n)}," said {q}.',
        f'{p} laughed and said, "Everyone knows that. {fact}"',
    ))


def fable(rng: random.Random) -> str:
    """A two-animal fable with a moral, the oldest kind of short story."""
    x, y = sample(rng, world.ANIMALS, 2)
    food = rng.choice(COUNT_FOODS)
    return " ".join((
        f"{cap(a(x))} and {a(y)} found {counted(rng, rng.randint(2, 8), food)} by {rng.choice(world.PLACES)}.",
        f"The {x} wanted all of them, but the {y} said they should share.",
        rng.choice((f"While they argued, a crow flew down and took the {plural(food)}.",
                    f"So they shared them, and both were {rng.choice(('happy', 'full', 'calm'))}.")),
        rng.choice(("Sharing is better than fighting.", "Greedy animals end up with nothing.",
                    "A kind friend is worth more than a full basket.")),
    ))


def market_day(rng: random.Random) -> str:
    """An event with several people, things changing hands, and a tally."""
    town = rng.choice(world.TOWNS)
    people = sample(rng, world.PEOPLE, 3)
    goods = sample(rng, COUNT_FOODS, 3)
    counts = [rng.randint(1, 9) for _ in goods]
    trades = [f"{pp} {rng.choice(('bought', 'sold', 'carried'))} {counted(rng, c, g)}"
              for pp, c, g in zip(people, counts, goods)]
    return (f"It was market day in {town}. {cap(join_list(trades))}. "
            f"By noon the stalls were {rng.choice(('empty', 'busy', 'quiet'))}, and "
            f"{number(rng, sum(counts))} pieces of fruit and vegetables had changed hands.")


GENRES = (
    short_story, diary_entry, letter, shopping_list, timetable, dialogue, fable, market_day,
)
