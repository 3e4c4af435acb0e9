"""What an accuracy should be compared with: the majority-answer and the chance baselines.

A model that says "even" to every even/odd question scores about 0.5; one that picks a random
word from a three-item list scores about 0.33 on first_item. An accuracy means something only
above these numbers, so report them next to it (helpers.evaluate.family_table does).

- `majority_baseline`: always give the most common TRAINING answer of the family, scored with
  the family's real checker on the test records. It is what a model learns if it ignores the
  input; a fine-tuned model at this level has learned the answer distribution, not the task.
- `chance_baseline`: the expected accuracy of guessing uniformly among the candidates the
  input itself offers (the items of the list, the words of the sentence, the two numbers…).
"""

from __future__ import annotations

import re
import string
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# How chance is computed per family; a family not listed is open-ended (chance ~ 0, reported 0.0).
CHANCE_RULES: dict[str, str] = {
    **dict.fromkeys(("first_item", "last_item", "alphabetical_first", "odd_one_out",
                     "pick_category"), "list_item"),      # 1 / items in the input list
    **dict.fromkeys(("longer_word", "larger_number", "smaller_number", "even_odd",
                     "contains_item", "yes_no_fact"), "two_choice"),  # 0.5
    **dict.fromkeys(("extract_who", "extract_where", "extract_color", "extract_object",
                     "extract_day", "extract_town", "weather"), "input_word"),  # 1 / words
    **dict.fromkeys(("first_letter", "last_letter"), "letter"),  # 1 / letters of the word
    **dict.fromkeys(("next_day", "previous_day"), "day"),  # 1/7: the answer space is 7 days
    "next_month": "month",  # 1/12
}
_FIXED = {"two_choice": 1 / 2, "day": 1 / 7, "month": 1 / 12, "open": 0.0}
# Checkers whose answers are drawn from another checker's pool: a digits-only answer is a number.
_ANSWER_POOL = {"digits": "number"}


class BaselineInputError(ValueError):
    """Records a baseline cannot be computed from (no family/answer, no training answers)."""


@dataclass(frozen=True)
class MajorityBaseline:
    """The score of always giving one fixed answer on one family's test records."""

    family: str  # the test family
    answer: str  # the fixed answer (most common training answer, see `source`)
    source: str  # "family" (its own training records) or "checker:<name>" (held-out family)
    correct: int  # test records that answer is correct on (by the family's checker)
    n: int  # test records of the family

    @property
    def accuracy(self) -> float:
        """correct / n."""
        return self.correct / self.n


def _most_common(answers: Counter) -> str:
    """The most common answer; ties go to the alphabetically first, so the result is stable."""
    return min(answers.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _checker_key(checker: str) -> str:
    """The key of the training answers a held-out family with this checker draws its constant from."""
    return f"checker:{_ANSWER_POOL.get(checker, checker)}"


def majority_answers(train_records: Sequence[Mapping]) -> dict[str, str]:
    """{family: its most common training answer}, plus {"checker:<name>": …} per checker.

    The checker entries serve held-out families, which have no training records: their fixed
    answer is the most common training answer among families compared the same way (yes/no,
    number, exact…). That is the constant a model could have picked up from training without
    reading the input (e.g. "yes" for contains_item); for most held-out families it scores 0,
    which is honest: no constant answer helps there.
    """
    from helpers.tasks import get_family

    by_family: dict[str, Counter] = defaultdict(Counter)
    by_checker: dict[str, Counter] = defaultdict(Counter)
    for i, rec in enumerate(train_records):
        family, answer = _family_answer(rec, i, "majority_answers")
        by_family[family][answer] += 1
        by_checker[_checker_key(get_family(family).checker)][answer] += 1
    return {key: _most_common(c) for key, c in {**by_family, **by_checker}.items()}


def majority_baseline(test_records: Sequence[Mapping],
                      train_records: Sequence[Mapping]) -> dict[str, MajorityBaseline]:
    """{family: MajorityBaseline} for every family in `test_records` (families sorted).

    Pass the training split the model was tuned on (data/instructions/train.jsonl).
    """
    from helpers.tasks import get_family, score

    fixed = majority_answers(train_records)
    groups = _by_family(test_records, "majority_baseline")
    out: dict[str, MajorityBaseline] = {}
    for family, recs in sorted(groups.items()):
        key = family if family in fixed else _checker_key(get_family(family).checker)
        if key not in fixed:
            raise BaselineInputError(
                f"majority_baseline: no training answer for family {family!r} nor for any family "
                f"checked the same way ({key}); pass the training split as train_records")
        answer, source = fixed[key], "family" if key == family else key
        correct = sum(score(family, r["answer"], answer) for r in recs)
        out[family] = MajorityBaseline(family, answer, source, correct, len(recs))
    return out


def chance_of(record: Mapping) -> float:
    """Expected accuracy of one uniform guess among the candidates the record's input offers.

    Candidates are scored with the family's own checker, so a repeated list item or letter
    counts as often as it occurs (first_letter of "banana" guessed from its letters: 3/6).
    """
    from helpers.tasks import score

    rule = CHANCE_RULES.get(record["family"], "open")
    if rule in _FIXED:
        return _FIXED[rule]
    candidates = _candidates(rule, record_input(record))
    if not candidates:
        return 0.0
    return sum(score(record["family"], record["answer"], c) for c in candidates) / len(candidates)


def chance_baseline(records: Sequence[Mapping]) -> dict[str, float]:
    """{family: mean chance accuracy over its records} (families sorted).

    Open-ended families (reverse_word, add, plural, sort_alpha, …) get 0.0: guessing among
    "all strings" has chance ~ 0. Small answer spaces are not zero: next_day is 1/7,
    next_month 1/12, yes/no and even/odd 1/2 (see CHANCE_RULES).
    """
    groups = _by_family(records, "chance_baseline")
    return {family: sum(chance_of(r) for r in recs) / len(recs)
            for family, recs in sorted(groups.items())}


def record_input(record: Mapping) -> str:
    """The data a record asks about: the text below the instruction, or, when the phrasing
    writes it inline ("Name the first thing in this list: dog, cup."), the `{input}` field
    recovered by matching the family's phrasing template. Falls back to the instruction."""
    from helpers.tasks import split_user_content

    user = next((m["content"] for m in record.get("messages", []) if m.get("role") == "user"), None)
    if user is None:
        raise BaselineInputError(f"record_input: record {record.get('id')!r} has no user turn; "
                                 "pass records from data/instructions/*.jsonl")
    instruction, data = split_user_content(user)
    if data:
        return data
    return _template_fields(record, instruction).get("input", instruction)


def _template_fields(record: Mapping, instruction: str) -> dict[str, str]:
    """The template fields of an inline phrasing ({} when the record has no usable phrasing)."""
    from helpers.tasks import get_family

    phrasings = get_family(record["family"]).phrasings
    index = record.get("phrasing")
    if not isinstance(index, int) or not 0 <= index < len(phrasings):
        return {}
    pattern, named = "", set()
    for literal, name, _, _ in string.Formatter().parse(phrasings[index]):
        pattern += re.escape(literal)
        if name:
            pattern += f"(?P={name})" if name in named else f"(?P<{name}>.+?)"
            named.add(name)
    match = re.fullmatch(pattern, instruction)
    return match.groupdict() if match else {}


def _candidates(rule: str, data: str) -> list[str]:
    if rule == "list_item":
        return [item.strip() for item in data.rstrip(".?").split(",") if item.strip()]
    if rule == "input_word":
        return re.findall(r"[A-Za-z0-9]+", data)
    if rule == "letter":
        return [c for c in data.strip() if c.isalpha()]
    raise BaselineInputError(f"chance_of: unknown chance rule {rule!r}; use one of "
                             f"list_item, input_word, letter, {', '.join(_FIXED)}")


def _family_answer(record: Mapping, i: int, what: str) -> tuple[str, str]:
    if "family" not in record or "answer" not in record:
        raise BaselineInputError(
            f"{what}: record {i} (id {record.get('id')!r}) has no 'family'/'answer' field; "
            "pass records from data/instructions/*.jsonl")
    return record["family"], record["answer"]


def _by_family(records: Sequence[Mapping], what: str) -> dict[str, list[Mapping]]:
    if not records:
        raise BaselineInputError(f"{what}: no records; pass a non-empty split")
    groups: dict[str, list[Mapping]] = defaultdict(list)
    for i, rec in enumerate(records):
        groups[_family_answer(rec, i, what)[0]].append(rec)
    return groups
