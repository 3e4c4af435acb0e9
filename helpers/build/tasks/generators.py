"""Which function draws the examples of which task family: the builder's half of a family.

helpers.tasks.FAMILIES says how a family is asked and how its answers are checked (what
scoring, the baselines and the notebooks need). The functions here draw its random inputs with
their answers, which only the split builder needs; they live in one module per family group,
next to the learner-side module of the same name:

    helpers/tasks/families_words.py    ↔  helpers/build/tasks/generators_words.py
    helpers/tasks/families_lists.py    ↔  helpers/build/tasks/generators_lists.py
    helpers/tasks/families_numbers.py  ↔  helpers/build/tasks/generators_numbers.py
    helpers/tasks/families_facts.py    ↔  helpers/build/tasks/generators_facts.py

Every family has exactly one generator and every generator a family (`check_generators`,
run by the builder before it draws anything).
"""

from __future__ import annotations

from types import ModuleType

from helpers.build.tasks import (
    generators_facts,
    generators_lists,
    generators_numbers,
    generators_words,
)
from helpers.build.tasks.lexicon import Make


class GeneratorRegistryError(ValueError):
    """A task family without an example generator, or a generator without a family."""


def _merge(*modules: ModuleType) -> dict[str, Make]:
    """The modules' GENERATORS in one dict; a family named by two modules is an error."""
    out: dict[str, Make] = {}
    owner: dict[str, str] = {}
    for module in modules:
        for name, make in module.GENERATORS.items():
            if name in out:
                raise GeneratorRegistryError(
                    f"task family {name!r} has two example generators, in {owner[name]} and "
                    f"{module.__name__}; keep one")
            out[name], owner[name] = make, module.__name__
    return out


GENERATORS: dict[str, Make] = _merge(generators_words, generators_lists, generators_numbers,
                                     generators_facts)


def check_generators(names: list[str] | None = None) -> None:
    """Raise GeneratorRegistryError unless `names` (default: every family) and GENERATORS match."""
    from helpers.tasks import family_names

    names = family_names() if names is None else names
    missing = [n for n in names if n not in GENERATORS]
    extra = sorted(set(GENERATORS) - set(names))
    problems = []
    if missing:
        problems.append(f"task families without an example generator: {', '.join(missing)} "
                        "(add one to the GENERATORS of a helpers/build/tasks/generators_*.py)")
    if extra:
        problems.append(f"example generators without a task family: {', '.join(extra)} "
                        "(add the family to a helpers/tasks/families_*.py, or drop the generator)")
    if problems:
        raise GeneratorRegistryError("; ".join(problems))


def generator(name: str) -> Make:
    """The example generator of the family called `name`."""
    try:
        return GENERATORS[name]
    except KeyError:
        raise GeneratorRegistryError(
            f"task family {name!r} has no example generator; add one to the GENERATORS of a "
            "helpers/build/tasks/generators_*.py") from None
