"""Score generated answers against the expected ones, per task family.

Default: exact match after a light normalisation (case, surrounding whitespace and quotes,
trailing full stop). Families whose answers can be written several correct ways say so with
their `checker` (see helpers.tasks.base.CHECKERS): numbers are compared as numbers ("12",
"twelve") unless the task asks for digits ("digits": "seventeen" for 17 only copies the
input), lists element-wise, sets order-insensitively, yes/no by the first word.

The whole generation is judged, not its first line: a model that answers and then keeps
talking ("kite\\nThe kite is red...") has not learned to stop, and the lessons want that to
show up as a wrong answer — it is exactly what instruction tuning fixes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from helpers import world
from helpers.tasks.families import get_family

_QUOTES = "\"'`“”‘’"
_NUMBER_WORDS = {w: i for i, w in enumerate(world.NUMBER_WORDS)}
_PLACE_PREFIX = re.compile(r"^(?:(?:near|at|in|by|to|on)\s+)?(?:the\s+)?")


class ScoringError(ValueError):
    """Records and generations that cannot be scored together."""


class RecordFieldError(ScoringError):
    """A record without the 'family' or 'answer' field scoring needs (which one, which record)."""

    def __init__(self, index: int, record_id: object, field: str) -> None:
        self.index, self.record_id, self.field = index, record_id, field
        super().__init__(f"record {index} (id {record_id!r}) has no {field!r} field; "
                         "score records from data/instructions/*.jsonl")


def normalise(text: str, lower: bool = True) -> str:
    """Trim whitespace, surrounding quotes and a trailing full stop; collapse inner spaces."""
    text = " ".join(text.split()).strip(_QUOTES + " ").rstrip(".!").strip(_QUOTES + " ")
    return text.lower() if lower else text


def _number(text: str) -> int | None:
    t = normalise(text).replace(",", "")
    if re.fullmatch(r"[-+]?\d+", t):
        return int(t)
    return _NUMBER_WORDS.get(t)


def _items(text: str) -> list[str]:
    parts = re.split(r",|\band\b", normalise(text))
    return [p.strip() for p in parts if p.strip()]


def _first_word(text: str) -> str:
    words = re.findall(r"[a-z]+", normalise(text))
    return words[0] if words else ""


def _check(checker: str, expected: str, generated: str) -> bool:
    if checker == "case":
        return normalise(expected, lower=False) == normalise(generated, lower=False)
    if checker == "number":
        value = _number(generated)
        return value is not None and value == _number(expected)
    if checker == "digits":
        return bool(re.fullmatch(r"\d+", normalise(generated))) and _number(generated) == _number(expected)
    if checker == "list":
        return _items(expected) == _items(generated)
    if checker == "set":
        return sorted(_items(expected)) == sorted(_items(generated))
    if checker == "yesno":
        # "yes" and "yes, it is" count; "yes or no" and a second line of chatter do not.
        gen = normalise(generated)
        return ("\n" not in generated.strip() and _first_word(gen) == normalise(expected)
                and not re.search(r"\b(yes|no)\b.*\b(yes|no)\b", gen))
    if checker == "place":
        return _PLACE_PREFIX.sub("", normalise(expected)) == _PLACE_PREFIX.sub("", normalise(generated))
    return normalise(expected) == normalise(generated)


def score(family: str, answer_expected: str, generated: str) -> bool:
    """True when `generated` is a correct answer for an example of `family`.

    Raises helpers.tasks.families.UnknownFamilyError (a ValueError) for an unknown family.
    """
    return _check(get_family(family).checker, answer_expected, generated)


def score_records(records: Sequence[Mapping], generations: Sequence[str] | Mapping[str, str]) -> dict[str, float]:
    """Accuracy per family for task records (from data/instructions) and model generations.

    `generations` is either a list aligned with `records` or a dict from record id to text.
    Returns {family: fraction correct}, families in sorted order.
    """
    hits = family_hits(records, _align(records, generations))
    return {fam: sum(h) / len(h) for fam, h in sorted(hits.items())}


def family_hits(records: Sequence[Mapping], texts: Sequence[str]) -> dict[str, list[bool]]:
    """{family: [correct?, ...]} for task records and their answer texts (same order).

    The one per-family tally: score_records and helpers.evaluate (instruction_metrics,
    family_table) all count through it. Raises RecordFieldError (a ScoringError) for a record
    without 'family' or 'answer'.
    """
    hits: dict[str, list[bool]] = defaultdict(list)
    for i, (record, text) in enumerate(zip(records, texts)):
        for field in ("family", "answer"):
            if field not in record:
                raise RecordFieldError(i, record.get("id"), field)
        hits[record["family"]].append(score(record["family"], record["answer"], text))
    return hits


def _align(records: Sequence[Mapping], generations: Sequence[str] | Mapping[str, str]) -> list[str]:
    if isinstance(generations, Mapping):
        missing = [r.get("id") for r in records if r.get("id") not in generations]
        if missing:
            raise ScoringError(f"{len(missing)} record ids have no generation, e.g. {missing[:3]}; "
                               "generate an answer for every record")
        return [generations[r["id"]] for r in records]
    if len(generations) != len(records):
        raise ScoringError(f"{len(records)} records but {len(generations)} generations; "
                           "pass one generation per record, in the same order")
    return list(generations)
