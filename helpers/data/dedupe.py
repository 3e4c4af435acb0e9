"""Duplicates within a dataset, and leakage between two splits, on normalised text.

Normalisation = casefold + collapse every run of whitespace to one space, per turn; turns are
joined as "role: text" lines so that the same words in different turns do not collide.
"Hello  World" and "hello world" are the same example for training purposes: keeping both
over-weights it, and having one in train and one in eval inflates the eval score.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from helpers.data.errors import MissingFieldError


def normalize_text(text: str) -> str:
    """Casefold and collapse whitespace: the key used for duplicate and leakage checks."""
    return " ".join(text.casefold().split())


def _messages(record: dict[str, Any], index: int) -> list[dict[str, Any]]:
    messages = record.get("messages") if isinstance(record, dict) else None
    if not isinstance(messages, list):
        raise MissingFieldError("not a canonical record", record=index + 1, field="messages",
                                expected="records from helpers.data.load (with a 'messages' list)")
    return messages


def conversation_text(record: dict[str, Any], index: int = 0) -> str:
    """The whole conversation, normalised (index is only used in the error message)."""
    return "\n".join(f"{m['role']}: {normalize_text(m['content'])}"
                     for m in _messages(record, index))


def prompt_text(record: dict[str, Any], index: int = 0) -> str:
    """Everything before the final assistant turn, normalised: what the model is asked."""
    messages = _messages(record, index)
    cut = max((i for i, m in enumerate(messages) if m["role"] == "assistant"),
              default=len(messages))
    return "\n".join(f"{m['role']}: {normalize_text(m['content'])}" for m in messages[:cut])


@dataclass(frozen=True)
class Duplicate:
    """A record dedupe() removed, and the earlier record it duplicates."""

    index: int  # 0-based position of the removed record in the input
    kept_index: int  # 0-based position of the first occurrence, which was kept
    id: Any  # the removed record's "id" (None if it has none)
    kept_id: Any  # the kept record's "id" (None if it has none)


@dataclass
class DedupeResult:
    """Records with duplicates removed (first occurrence kept, order kept), and what went."""

    records: list[dict[str, Any]]  # the unique records
    removed: list[Duplicate] = field(default_factory=list)  # one entry per removed record

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def summary(self) -> str:
        """e.g. 'kept 98 of 100 records; removed 2 duplicates: #7 (of #3), #12 (of #3)'."""
        total = len(self.records) + len(self.removed)
        text = f"kept {len(self.records)} of {total} records; "
        text += f"removed {len(self.removed)} duplicates"
        shown = ", ".join(f"#{d.index} (of #{d.kept_index})" for d in self.removed[:10])
        more = f", ... {len(self.removed) - 10} more" if len(self.removed) > 10 else ""
        return text + (f": {shown}{more}" if shown else "")


def dedupe(records: Any) -> DedupeResult:
    """Drop records whose normalised whole conversation equals an earlier one's; report each."""
    records = list(records)
    first_seen: dict[str, int] = {}
    kept, removed = [], []
    for i, rec in enumerate(records):
        key = conversation_text(rec, i)
        if key in first_seen:
            j = first_seen[key]
            removed.append(Duplicate(i, j, rec.get("id"), records[j].get("id")))
        else:
            first_seen[key] = i
            kept.append(rec)
    return DedupeResult(kept, removed)


@dataclass(frozen=True)
class Leak:
    """One example shared by two splits."""

    a_index: int  # 0-based position in split_a
    b_index: int  # 0-based position in split_b
    a_id: Any  # split_a record's "id" (None if none)
    b_id: Any  # split_b record's "id" (None if none)
    by: str  # "prompt" or "conversation": what matched
    text: str  # the shared normalised text, cut to 80 characters for display


def find_leakage(split_a: Any, split_b: Any,
                 by: Literal["prompt", "conversation"] = "prompt") -> list[Leak]:
    """Pairs (a, b) of examples shared between two splits; empty list = no leakage.

    by="prompt" (default, the strict check): same normalised prompt (all turns before the last
    assistant turn), even if the answers differ; the model has seen the question in training.
    by="conversation": only whole conversations that match (prompt and answer).
    """
    if by not in ("prompt", "conversation"):
        raise ValueError(f"by={by!r}; expected 'prompt' or 'conversation'")
    key_of = prompt_text if by == "prompt" else conversation_text
    a_list, b_list = list(split_a), list(split_b)
    positions: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(a_list):
        positions[key_of(rec, i)].append(i)
    leaks = []
    for j, rec in enumerate(b_list):
        key = key_of(rec, j)
        for i in positions.get(key, ()):
            leaks.append(Leak(i, j, a_list[i].get("id"), rec.get("id"), by, key[:80]))
    return leaks
