"""Encode many records at once; drop and count the ones that cannot be trained on."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from helpers.chat.encode import IGNORE_INDEX, ChatEncodingConfig, build_example, full_encoding
from helpers.chat.errors import ChatFormatError


@dataclass
class DroppedExample:
    """A record that produced no training example, and why."""

    index: int  # position of the record in the input list
    id: str | int | None  # the record's "id" field, if it had one
    reason: str  # human-readable cause, e.g. all assistant tokens truncated


@dataclass(repr=False)
class EncodedDataset:
    """Training examples plus an account of everything that did not make it.

    Usable directly as a map-style torch Dataset (len + indexing) with ChatCollator.
    """

    examples: list[dict] = field(default_factory=list)  # input_ids/attention_mask/labels
    dropped: list[DroppedExample] = field(default_factory=list)  # never silently lost
    kept_indices: list[int] = field(default_factory=list)  # record index per example
    n_truncated: int = 0  # kept examples that were cut to max_length

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i: int) -> dict:
        return self.examples[i]

    def __repr__(self) -> str:  # short: a notebook cell must not print thousands of token ids
        return (
            f"EncodedDataset(examples={len(self.examples)}, dropped={len(self.dropped)}, "
            f"truncated={self.n_truncated})"
        )

    def summary(self) -> str:
        """One paragraph a learner can read: kept, truncated, dropped by reason, tokens trained."""
        total = len(self.examples) + len(self.dropped)
        tokens = sum(len(e["input_ids"]) for e in self.examples)
        trained = sum(sum(1 for x in e["labels"] if x != IGNORE_INDEX) for e in self.examples)
        share = f"{trained / tokens:.0%}" if tokens else "0%"
        kept = f"kept {len(self.examples)} of {total} conversations ({self.n_truncated} truncated)"
        lines = [
            f"{kept}; {trained} of {tokens} tokens trained ({share})",
            f"dropped {len(self.dropped)}",
        ]
        for reason, n in Counter(d.reason for d in self.dropped).most_common():
            lines.append(f"  {n} × {reason}")
        return "\n".join(lines)


def _record_messages(record, index: int) -> list:
    if not isinstance(record, dict) or "messages" not in record:
        raise ChatFormatError(
            f"record {index}: expected a dict with a 'messages' field (canonical form); "
            "convert raw data with helpers.data first."
        )
    return record["messages"]


def _drop_reason(mask: list[int], config: ChatEncodingConfig) -> str:
    """Why an (untruncated) assistant mask left nothing to train on."""
    if not any(mask):
        return "no assistant token (no assistant turn in the conversation)"
    return f"all assistant tokens truncated (max_length={config.max_length}, {config.truncation})"


def encode_records(tokenizer, records: list[dict], config: ChatEncodingConfig) -> EncodedDataset:
    """Encode `records` ({"messages": [...], **metadata}) into an EncodedDataset.

    Conversations left with no trainable token are dropped and listed in `.dropped` with the
    reason — never passed on, since they would give a NaN (or silent 0.0) loss. Malformed
    records raise ChatFormatError naming the record and message.
    """
    out = EncodedDataset()
    for index, record in enumerate(records):
        messages = _record_messages(record, index)
        try:
            ids, mask = full_encoding(tokenizer, messages)
        except ChatFormatError as err:
            raise ChatFormatError(f"record {index} (id={record.get('id')!r}): {err}") from None
        example = build_example(ids, mask, config)
        if example is None:
            reason = _drop_reason(mask, config)
            out.dropped.append(DroppedExample(index, record.get("id"), reason))
            continue
        out.examples.append(example)
        out.kept_indices.append(index)
        out.n_truncated += len(ids) > config.max_length
    return out
