"""The registry of task families and the default split of families into seen and held out.

Why these eight are held out: each has a close sibling in training (last_item ↔ first_item,
previous_day ↔ next_day, smaller_number ↔ larger_number, extract_day ↔ extract_who/where,
contains_item ↔ yes_no_fact, word_to_number ↔ number_to_word, last_letter ↔ first_letter),
so zero-shot transfer is plausible and measurable; `plural` has no sibling and shows far transfer.
"""

from __future__ import annotations

from helpers.tasks import families_facts, families_lists, families_numbers, families_words
from helpers.tasks.base import Family

FAMILIES: tuple[Family, ...] = (
    families_words.FAMILIES + families_lists.FAMILIES
    + families_numbers.FAMILIES + families_facts.FAMILIES
)

HELD_OUT_FAMILIES: tuple[str, ...] = (
    "last_item", "previous_day", "smaller_number", "extract_day",
    "contains_item", "word_to_number", "last_letter", "plural",
)


class UnknownFamilyError(ValueError):
    """A family name that is not in the registry."""


def get_family(name: str) -> Family:
    """The family called `name`; raises UnknownFamilyError listing the valid names."""
    for family in FAMILIES:
        if family.name == name:
            return family
    names = ", ".join(f.name for f in FAMILIES)
    raise UnknownFamilyError(f"unknown task family {name!r}; known families: {names}")


def family_names() -> list[str]:
    """All family names, in registry order."""
    return [f.name for f in FAMILIES]
