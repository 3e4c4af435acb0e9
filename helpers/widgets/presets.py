"""Preset prompts with known answers, drawn from the bundled test sets.

A preset carries the prompt, the expected answer and the kit's own checker for it, so each
column of a comparison gets a pass/fail mark from the same code that scores the evaluations
(helpers.tasks.score for instruction tasks, helpers.domain.is_correct for the domain set).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.io import read_jsonl
from helpers.paths import DOMAIN_DIR, INSTRUCTIONS_DIR

TASK_SPLITS = ("test_seen", "test_phrasing", "test_unseen_family")  # instruction test sets


@dataclass(frozen=True)
class Preset:
    """A prompt from a test set, with its expected answer and checker."""

    id: str  # the record's id in its test set
    source: str  # which test set: "test_seen", "test_phrasing", "test_unseen_family", "domain"
    messages: tuple  # the prompt turns (system and user), without the expected answer
    expected: str  # the reference answer shown next to the columns
    record: dict = field(compare=False, repr=False)  # the full record, for the checker

    @property
    def label(self) -> str:
        """Short dropdown label: '[test_seen] Reverse the word dark.'"""
        user = next(m["content"] for m in reversed(self.messages) if m["role"] == "user")
        text = " ".join(user.split())
        return f"[{self.source}] {text[:70]}{'…' if len(text) > 70 else ''}"

    def check(self, generated: str) -> bool:
        """Is `generated` correct for this prompt, by the kit's checker for its test set?"""
        if self.source == "domain":
            from helpers.domain import is_correct

            return is_correct(self.record, generated)
        from helpers.tasks import score

        return score(self.record["family"], self.record["answer"], generated)


def preset_from_record(record: dict, source: str) -> Preset:
    """Build a Preset from a test record whose last turn is the expected assistant answer."""
    messages = record.get("messages") or []
    if not messages or messages[-1].get("role") != "assistant":
        raise ValueError(f"record {record.get('id', '?')!r} of {source}: field 'messages' must "
                         "end with the expected assistant answer")
    return Preset(id=str(record.get("id", "")), source=source,
                  messages=tuple(dict(m) for m in messages[:-1]),
                  expected=messages[-1]["content"], record=record)


def _read_jsonl(path: Path) -> list[dict]:
    return read_jsonl(path, "rebuild the bundled data (python -m helpers.build.tasks build / "
                            "python -m helpers.build.domain build)")


def _spread(records: list[dict], n: int, key: str) -> list[dict]:
    """Up to n records, round-robin over `key` (family/kind) so presets cover many kinds."""
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(str(r.get(key)), []).append(r)
    picked: list[dict] = []
    while len(picked) < n and any(groups.values()):
        for g in groups.values():
            if g and len(picked) < n:
                picked.append(g.pop(0))
    return picked


def load_presets(per_source: int = 4, task_splits: Sequence[str] = TASK_SPLITS,
                 domain: bool = True, instructions_dir: Path = INSTRUCTIONS_DIR,
                 domain_dir: Path = DOMAIN_DIR) -> list[Preset]:
    """Presets from the bundled instruction test sets and the domain test set.

    Takes `per_source` prompts from each set, spread over task families (domain: over kinds:
    fact, refuse, escalate), in file order, so the list is the same on every machine.
    """
    out: list[Preset] = []
    for split in task_splits:
        records = _read_jsonl(Path(instructions_dir) / f"{split}.jsonl")
        out += [preset_from_record(r, split) for r in _spread(records, per_source, "family")]
    if domain:
        records = _read_jsonl(Path(domain_dir) / "test.jsonl")
        out += [preset_from_record(r, "domain") for r in _spread(records, per_source, "kind")]
    return out
