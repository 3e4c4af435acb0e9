"""Frame twins: training plan questions whose sentence frame is a held-out question's frame.

Why this module exists: the hand-written plan templates are parallel across attributes
("How much RAM does the {plan} plan have?", "How much storage does the {plan} plan have?").
When the storage one is held out for test, its frame is still trained — with RAM. A small model
keys on the frame, so on that test question it answers with RAM (read from the answers of
notebook 04's SFT adapter: all four "How much storage does the … plan have?" questions got
another attribute, in two runs). `DomainConfig.drop_frame_twins` drops such training twins, so
a held-out frame is new for *every* attribute and only the attribute word can tell them apart.
The validation and test questions do not change.

A frame is the normalised question with the plan name and the attribute phrase masked; two
frames are twins when they differ by at most one word ("How many vCPUs does the {plan} plan
have?" is a twin of "How much storage does the {plan} plan have?").
"""

from __future__ import annotations

import functools
import re

from helpers.build.domain.questions import ATTRIBUTE_WORDS
from helpers.domain.score import normalise

# The phrases that name a plan attribute in the hand-written templates, besides the crossed
# frames' ATTRIBUTE_WORDS.
TEMPLATE_ATTRIBUTE_PHRASES = (
    "fee", "GB of RAM", "SSD storage", "disk", "GB of disk", "SSD", "vCPU", "vCPU count",
    "virtual CPUs", "CPU", "cores", "processors",
)
_PLAN, _ATTR = "P", "A"
TWIN_DISTANCE = 1  # frames at most this many words apart are twins


@functools.lru_cache(maxsize=1)
def _masked_phrases() -> tuple[str, ...]:
    """Every attribute phrase, normalised, longest first (so "ssd storage" before "storage")."""
    phrases = {normalise(p) for words in ATTRIBUTE_WORDS.values() for p in words}
    phrases |= {normalise(p) for p in TEMPLATE_ATTRIBUTE_PHRASES}
    return tuple(sorted(phrases, key=len, reverse=True))


def attribute_frame(template: str) -> tuple[str, ...]:
    """The words of a plan question template with `{plan}` and the attribute phrase masked."""
    text = " " + normalise(template.replace("{plan}", "plnslot").replace("{word}", "atrslot")) + " "
    text = text.replace(" plnslot ", f" {_PLAN} ").replace(" atrslot ", f" {_ATTR} ")
    for phrase in _masked_phrases():
        text = re.sub(rf"(?<= ){re.escape(phrase)}(?= )", _ATTR, text)
    return tuple(text.split())


def word_distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Edit distance counted in words (insert, delete, replace)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diag, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diag, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diag + (x != y))
    return row[-1]


def is_twin(template: str, held_out: list[tuple[str, ...]]) -> bool:
    """Whether `template`'s frame is within TWIN_DISTANCE words of a held-out frame."""
    frame = attribute_frame(template)
    return any(word_distance(frame, h) <= TWIN_DISTANCE for h in held_out)
