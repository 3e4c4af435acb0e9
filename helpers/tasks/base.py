"""What a task family is, and how one example of it is rendered into an instruction.

A family is a small, programmatically checkable skill ("reverse a word", "add two numbers").
It knows several ways of asking for it (`phrasings`) and how a generated answer should be
compared with the expected one (`checker`, used by helpers.tasks.score). Drawing random inputs
with their answers is build-time work: each family's generator is in
helpers/build/tasks/generators_*.py (registry: helpers.build.tasks.generators).

Phrasings are `str.format` templates over the example's fields. If a phrasing names one of the
family's `data_fields` (usually just `{input}`) the data is written inline ("Reverse the word
{input}.", "What is {a} plus {b}?"); otherwise the input, when there is one, goes below the
instruction after a blank line ("Reverse this word.\\n\\nkite"). Mixing both
styles is deliberate: real instruction data does both, and a model that only ever saw one
style would be tested on a habit, not on the skill.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass

# How score.py compares answers; each name is implemented there.
CHECKERS = ("exact", "case", "number", "digits", "list", "set", "yesno", "place")

# What a family asks of the model, from easiest to hardest for a tiny model. Shown in the card
# so a learner can read the accuracy table against it.
SKILLS = ("copy", "select", "transform", "knowledge", "compute")


@dataclass(frozen=True)
class Example:
    """One input of a family: template fields (incl. optional `input`) and the answer."""

    fields: dict[str, str]  # values for the phrasing templates; "input" is the data itself
    answer: str  # the one correct response, as the model should write it

    @property
    def key(self) -> str:
        """Canonical identity of the input, independent of phrasing (used for dedupe)."""
        return json.dumps(self.fields, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Family:
    """A task family: how to ask for its examples and how to check the answers."""

    name: str  # short snake_case id, used in record ids and file names
    description: str  # one line for the data card
    skill: str  # one of SKILLS: what the model has to do to answer
    phrasings: tuple[str, ...]  # instruction templates; the LAST one is held out of training
    checker: str = "exact"  # one of CHECKERS: how score.py compares answers
    data_fields: tuple[str, ...] = ("input",)  # fields that ARE the data: inline => no input below

    def __post_init__(self) -> None:
        if self.checker not in CHECKERS:
            raise ValueError(f"family {self.name!r}: checker {self.checker!r} not in {CHECKERS}")
        if self.skill not in SKILLS:
            raise ValueError(f"family {self.name!r}: skill {self.skill!r} not in {SKILLS}")
        if len(self.phrasings) < 4:
            raise ValueError(f"family {self.name!r}: needs >= 4 phrasings, has {len(self.phrasings)}")

    def render(self, example: Example, phrasing: int) -> tuple[str, str]:
        """Return (instruction, input) for `example` asked with phrasing number `phrasing`."""
        template = self.phrasings[phrasing]
        instruction = template.format(**example.fields)
        named = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        inline = any(f in named for f in self.data_fields)
        data = "" if inline else example.fields.get("input", "")
        return instruction, data


def user_content(instruction: str, data: str) -> str:
    """The user turn: the instruction, then the input after a blank line when there is one."""
    return f"{instruction}\n\n{data}" if data else instruction


def split_user_content(content: str) -> tuple[str, str]:
    """(instruction, input) of a user turn: instructions never contain a blank line."""
    instruction, _, data = content.partition("\n\n")
    return instruction, data
