"""Factual document genres of the micro corpus: descriptions, inventories, counts, comparisons.

Each genre is a function `(rng) -> str` that writes one short document. They state facts in
plain prose — they never *ask* for anything — so the base model learns the words and the world
(numbers, categories, order of days, units) without ever seeing a task request.
"""

from __future__ import annotations

import random

from helpers import world
from helpers.build.micro.phrases import (
    COUNT_FOODS,
    OBJECT_LENGTH_CM,
    OBJECT_WEIGHT_G,
    PERSON_ADJECTIVES,
    PLACE_ADJECTIVES,
    PLACE_THINGS,
    SOUNDS,
    TEXTURES,
    a,
    cap,
    category_sentence,
    counted,
    food,
    join_list,
    length_comparison,
    number,
    number_comparison,
    number_word,
    plural,
    pronoun,
    sample,
    size_comparison,
    unit_sentence,
    weight_comparison,
)


def person_profile(rng: random.Random) -> str:
    """A short description of one person: town, things, habits."""
    p = rng.choice(world.PEOPLE)
    she, her = pronoun(p), pronoun(p, 2)
    town, place = rng.choice(world.TOWNS), rng.choice(world.PLACES)
    pet, color = rng.choice(world.ANIMALS), rng.choice(world.COLORS)
    age = rng.randint(6, 80)
    lines = [
        f"{p} lives in {town}.",
        rng.choice((f"{cap(she)} is {number(rng, age)} years old.", f"{p} is {age}.")),
        f"{cap(her)} favourite colour is {color}.",
        rng.choice((f"{cap(she)} has {a(pet)} called {rng.choice(world.PEOPLE)}.",
                    f"{cap(she)} keeps {counted(rng, rng.randint(1, 6), pet)} at home.")),
        f"Every {rng.choice(world.DAYS)} {she} goes to {place}.",
        rng.choice((f"{p} likes {join_list([food(f) for f in sample(rng, world.FOODS, 2)])}.",
                    f"{cap(she)} does not like {food(rng.choice(world.FOODS))}.")),
        f"People say {she} is {join_list(sample(rng, PERSON_ADJECTIVES, 2))}.",
    ]
    rest = lines[1:]
    rng.shuffle(rest)  # the name and town first, then facts in any order
    return " ".join([lines[0], *rest[: rng.randint(3, len(rest))]])


def place_description(rng: random.Random) -> str:
    """What a place in a town looks like and what is in it."""
    town = rng.choice(world.TOWNS)
    place = rng.choice(tuple(PLACE_THINGS))
    things = [counted(rng, rng.randint(1, 9), t) for t in PLACE_THINGS[place]]
    adj = sample(rng, PLACE_ADJECTIVES, 2)
    return " ".join((
        f"{cap(place)} in {town} is {adj[0]} and {adj[1]}.",
        (f"Inside there {'is' if things[0].startswith(('a ', 'an ', 'one ', '1 ')) else 'are'} "
        f"{join_list(things)}."),
        (f"It opens at {rng.randint(6, 10)} in the morning and closes at {rng.randint(4, 9)} "
        "in the evening."),
        rng.choice((f"On {rng.choice(world.DAYS)} it is closed.",
                    f"It is next to {rng.choice(world.PLACES)}.",
                    f"The walls are {rng.choice(world.COLORS)}.")),
    ))


def inventory(rng: random.Random) -> str:
    """A list of what is in a container, with a total."""
    owner = rng.choice(world.PEOPLE)
    box = rng.choice(("basket", "bucket", "box", "bag", "drawer", "cupboard"))
    nouns = sample(rng, world.OBJECTS + COUNT_FOODS, rng.randint(2, 5))
    counts = [rng.randint(1, 9) for _ in nouns]
    if rng.random() < 0.5:
        head = f"In {owner}'s {box} there are:"
        body = "\n".join(f"- {counted(rng, c, n)}" for c, n in zip(counts, nouns))
    else:
        head = f"{owner}'s {box} holds"
        body = join_list([counted(rng, c, n) for c, n in zip(counts, nouns)]) + "."
    total = sum(counts)
    tail = rng.choice((f"That is {number(rng, total)} things in all.",
                       f"Altogether there are {total} things in the {box}.", ""))
    sep = "\n" if body.startswith("- ") else " "
    return f"{head}{sep}{body}{sep}{tail}".strip()


def counting(rng: random.Random) -> str:
    """Someone counts animals or objects one by one."""
    p = rng.choice(world.PEOPLE)
    noun = rng.choice(world.ANIMALS + world.OBJECTS)
    n = rng.randint(2, 12)
    steps = ", ".join(f"{number_word(i)} {noun if i == 1 else plural(noun)}" for i in range(1, n + 1))
    where = rng.choice(world.PLACES)
    return rng.choice((
        f"{p} counted the {plural(noun)} at {where}: {steps}. There were {number(rng, n)}.",
        (f"At {where} {p} saw {plural(noun)}. {cap(pronoun(p))} counted them: {steps}. "
        f"{cap(number_word(n))} {plural(noun)} in all."),
        (f"{cap(', '.join(number_word(i) for i in range(1, n + 1)))}. "
        f"{p} counted to {number(rng, n)} and then stopped."),
        (f"{', '.join(str(i) for i in range(1, n + 1))}. The {plural(noun)} came out one at a time "
        f"until there were {n}."),
    ))


def comparisons(rng: random.Random) -> str:
    """A few true comparisons of lengths, sizes and numbers."""
    makers = (length_comparison, size_comparison, number_comparison, weight_comparison)
    return " ".join(rng.choice(makers)(rng) for _ in range(rng.randint(2, 5)))


def categories(rng: random.Random) -> str:
    """Which things are animals, foods, colours; and which one does not belong."""
    lines = [category_sentence(rng) for _ in range(rng.randint(1, 3))]
    group = rng.choice(("animal", "food", "color"))
    others = [c for c in ("animal", "food", "color") if c != group]
    members = sample(rng, world.CATEGORIES[group], 3)
    odd = rng.choice(world.CATEGORIES[rng.choice(others)])
    name = {"animal": "an animal", "food": "a food", "color": "a colour"}[group]
    lines.append(rng.choice((
        f"Of {join_list(members + [odd])}, only {odd} is not {name}.",
        f"{cap(join_list(members))} go together, but {odd} does not belong with them.",
    )))
    return " ".join(lines)


def sequences(rng: random.Random) -> str:
    """Orders people learn by heart: days, months, numbers, the alphabet."""
    kind = rng.randrange(5)
    if kind == 0:
        i = rng.randrange(7)
        d = world.DAYS
        return (f"The days of the week are {join_list(d)}. After {d[i]} comes {d[(i + 1) % 7]}, "
                f"and before {d[i]} comes {d[i - 1]}.")
    if kind == 1:
        i = rng.randrange(12)
        m = world.MONTHS
        return (f"{m[i]} is month number {i + 1} of the year. It comes after {m[i - 1]} and before "
                f"{m[(i + 1) % 12]}. A year has twelve months.")
    if kind == 2:
        start, step = rng.randint(0, 20), rng.randint(1, 5)
        nums = [start + step * k for k in range(rng.randint(4, 8))]
        return f"{', '.join(map(str, nums))}. Each number is {number_word(step)} more than the one before."
    if kind == 3:
        people = sorted(sample(rng, world.PEOPLE, rng.randint(3, 6)))
        return (f"The children stood in a line by name: {join_list(people)}. "
                f"{people[0]} was first and {people[-1]} was last.")
    word = rng.choice(world.OBJECTS + world.ANIMALS)
    return (f"The word {word} has {number_word(len(word))} letters: {', '.join(word)}. "
            f"It starts with {word[0]} and ends with {word[-1]}.")


def weather_report(rng: random.Random) -> str:
    """A day's weather in a town."""
    town, day = rng.choice(world.TOWNS), rng.choice(world.DAYS)
    morning, afternoon = rng.choice(world.WEATHER), rng.choice(world.WEATHER)
    temp = rng.randint(-5, 30)
    return " ".join((
        f"Weather for {town} on {day}.",
        f"In the morning there will be {morning}, and in the afternoon {afternoon}.",
        f"The temperature will reach {temp} degrees.",
        rng.choice(("Take a coat.", "It will be a good day for a walk.",
                    f"The {rng.choice(world.ANIMALS)} will stay inside.",
                    f"In {rng.choice(world.MONTHS)} it is often like this.")),
    ))


def measurements(rng: random.Random) -> str:
    """Sizes, weights and times, with unit conversions stated as facts."""
    p, obj = rng.choice(world.PEOPLE), rng.choice(world.OBJECTS)
    m = rng.randint(2, 9)
    lines = [unit_sentence(rng) for _ in range(rng.randint(1, 3))]
    lines.append(rng.choice((
        f"{p}'s {obj} weighs {m} kilograms, which is {m * 1000} grams.",
        (f"The walk from {rng.choice(world.PLACES)} to {rng.choice(world.PLACES)} takes {m} hours, "
        f"or {m * 60} minutes."),
        f"{p} bought a rope {m} metres long. That is {m * 100} centimetres of rope.",
        f"The jug holds {m} litres of {rng.choice(('milk', 'water', 'soup'))}.",
    )))
    rng.shuffle(lines)
    return " ".join(lines)


def record_card(rng: random.Random) -> str:
    """A filled-in card with labelled fields, like a register entry or a label on a crate."""
    p = rng.choice(world.PEOPLE)
    fields = [
        ("Name", p), ("Town", rng.choice(world.TOWNS)), ("Age", str(rng.randint(5, 90))),
        ("Favourite colour", rng.choice(world.COLORS)), ("Pet", rng.choice(world.ANIMALS)),
        ("Born", f"{rng.randint(1, 28)} {rng.choice(world.MONTHS)}"),
        ("Favourite food", rng.choice(world.FOODS)),
    ]
    kept = [fields[0]] + sample(rng, fields[1:], rng.randint(2, 5))
    title = rng.choice(("Library card", "Club member", "School register", "Town register"))
    return f"{title}\n" + "\n".join(f"{k}: {v}" for k, v in kept)


def object_description(rng: random.Random) -> str:
    """What one object looks and feels like, how big and heavy it is, and whose it is."""
    obj = rng.choice(tuple(OBJECT_LENGTH_CM) + tuple(OBJECT_WEIGHT_G))
    size, color, owner = rng.choice(world.SIZES), rng.choice(world.COLORS), rng.choice(world.PEOPLE)
    lines = [f"{owner} has {a(size)} {color} {obj}."]
    if obj in OBJECT_LENGTH_CM:
        lines.append(f"It is about {OBJECT_LENGTH_CM[obj]} centimetres long.")
    if obj in OBJECT_WEIGHT_G:
        lines.append(f"It weighs about {OBJECT_WEIGHT_G[obj]} grams.")
    if obj in TEXTURES:
        lines.append(f"The {obj} feels {TEXTURES[obj]}.")
    lines.append(rng.choice((
        (f"It is {rng.choice(('old', 'new', 'clean', 'dusty'))} and {owner} keeps it at "
        f"{rng.choice(world.PLACES)}."),
        f"{owner} found it in {rng.choice(world.MONTHS)} and has kept it ever since.",
        (f"Next to it, a {rng.choice(world.SIZES)} {rng.choice(world.OBJECTS)} looks "
        f"{rng.choice(('small', 'large', 'plain', 'bright'))}."),
    )))
    return " ".join(lines)


def animal_facts(rng: random.Random) -> str:
    """Simple facts about an animal: sound, size, where it lives, what it eats."""
    animal = rng.choice(tuple(SOUNDS))
    lines = [
        f"The {animal} says {SOUNDS[animal]}.",
        size_comparison(rng),
        f"{cap(plural(animal))} can be found near {rng.choice(world.PLACES)}.",
        f"{cap(a(animal))} likes to eat {food(rng.choice(world.FOODS))}.",
        f"{cap(plural(animal))} are animals, not foods.",
    ]
    rng.shuffle(lines)
    return " ".join(lines[: rng.randint(2, 5)])


def arithmetic_story(rng: random.Random) -> str:
    """Small sums and differences told as events, with the result stated."""
    p, q = sample(rng, world.PEOPLE, 2)
    noun = rng.choice(COUNT_FOODS + ("coin", "shell", "button", "stone", "pencil"))
    x, y = rng.randint(1, 12), rng.randint(1, 9)
    if rng.random() < 0.5:
        return (f"{p} had {counted(rng, x, noun)}. {q} gave {pronoun(p, 1)} {number(rng, y)} more. "
                f"Now {p} has {counted(rng, x + y, noun)}. {x} and {y} make {x + y}.")
    x = x + y
    return (f"{p} had {counted(rng, x, noun)} and gave {number(rng, y)} to {q}. "
            f"{cap(pronoun(p))} has {counted(rng, x - y, noun)} left, because {x} take away {y} "
            f"is {x - y}.")


def signs(rng: random.Random) -> str:
    """Words written in capitals on signs and labels."""
    place = rng.choice(world.PLACES).removeprefix("the ")
    word = rng.choice(world.OBJECTS + world.FOODS)
    return rng.choice((
        f'Above the door of the {place} a sign said "{place.upper()}".',
        (f'On the jar someone had written {word.upper()} in big letters, so everyone knew it held '
        f"{plural(word) if word in world.OBJECTS else word}."),
        _road_sign(rng),
    ))


def _road_sign(rng: random.Random) -> str:
    here, there = sample(rng, world.TOWNS, 2)
    km = rng.randint(2, 30)
    return (f'The sign outside {here} says "{there.upper()} {km}", because {there} is {km} '
            "kilometres away.")


GENRES = (
    person_profile, place_description, inventory, counting, comparisons, categories,
    sequences, weather_report, measurements, record_card, animal_facts, arithmetic_story, signs,
    object_description,
)
