"""Padding-free packing and length-grouped batching: the same examples per step, fewer pad tokens.

A padded batch of chat examples wastes compute on pad tokens: with lengths 40, 60 and 250 in one
batch of 8, most of the 8 × 250 positions are padding. Two cures, both exposed in TrainSettings:

- **packing** (`PackedCollator`): concatenate a batch's examples into rows of at most `row_tokens`
  tokens, with `position_ids` that restart at 0 for every example and *no* attention mask.
  transformers (≥ 4.53, and 5.x here) reads restarting position ids as "packed sequences" and
  builds a block-diagonal causal mask (SDPA/eager, also on CPU) or varlen boundaries (flash
  attention, one row only), so an example never attends to another. The first label of every
  example is -100, so the last token of one example never learns to predict the next example.
- **length grouping** (`length_grouped_indices`, or TrainSettings.group_by_length → Trainer's
  LengthGroupedSampler): batches of similar lengths, so padding to the batch's longest is cheap.

Unlike TRL's `packing=True` (fixed-length blocks across the whole dataset), `PackedCollator` keeps
"batch_size examples per optimizer step", so a packed run sees exactly the batches a padded run
would, and its loss curve is the padded one (tests/test_packing.py checks both claims).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from helpers.chat.collate import as_int_list
from helpers.chat.encode import IGNORE_INDEX
from helpers.chat.errors import ChatFormatError

_KEYS = ("input_ids", "labels")


class PackingError(ChatFormatError):
    """A batch cannot be packed as asked (empty, missing keys, bad row size)."""


def pack_rows(lengths: list[int], capacity: int) -> list[list[int]]:
    """Assign example indices to rows of at most `capacity` tokens (first-fit decreasing).

    First-fit decreasing uses at most 11/9·OPT + 1 rows; for a training batch that is close to
    the `ceil(sum / capacity)` lower bound. An example longer than `capacity` gets a row alone.
    """
    if capacity < 1:
        raise PackingError(f"row capacity {capacity}; use an int >= 1 (usually max_length).")
    rows: list[list[int]] = []
    free: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda j: (-lengths[j], j)):
        slot = next((r for r, left in enumerate(free) if left >= lengths[i]), None)
        if slot is None:
            rows.append([i])
            free.append(capacity - lengths[i])
        else:
            rows[slot].append(i)
            free[slot] -= lengths[i]
    return [sorted(row) for row in rows]  # keep the sampler's order inside a row


class PackedCollator:
    """Pack a list of encoded examples into rows with restarting `position_ids` and no padding mask.

    `row_tokens=None` puts the whole batch in one row (what flash-attention varlen kernels need:
    transformers only treats batch-size-1 inputs as packed there). An int (e.g. max_length) packs
    into several rows of at most that many tokens: with SDPA the attention cost stays that of a
    max_length row, instead of growing with the square of the whole batch's tokens. Rows are
    right-padded to the longest row; pad tokens form their own dummy "example" (positions from 0,
    labels -100), so they never touch a real example.
    """

    def __init__(self, tokenizer, row_tokens: int | None = None) -> None:
        from helpers.chat.template import check_pad_token

        check_pad_token(tokenizer)
        if row_tokens is not None and row_tokens < 2:
            raise PackingError(f"PackedCollator row_tokens={row_tokens}; use None or an int >= 2.")
        self.pad_token_id: int = tokenizer.pad_token_id
        self.row_tokens = row_tokens

    def __call__(self, examples: list[dict]) -> dict:
        import torch

        rows = self.pack(examples)
        width = max(len(r["input_ids"]) for r in rows)
        out = {}
        for key, fill in (("input_ids", self.pad_token_id), ("labels", IGNORE_INDEX),
                          ("position_ids", None)):
            padded = []
            for row in rows:
                extra = width - len(row[key])
                tail = list(range(extra)) if fill is None else [fill] * extra
                padded.append(row[key] + tail)
            out[key] = torch.tensor(padded, dtype=torch.long)
        # transformers only looks for packed sequences when there is no KV cache, and models
        # default to use_cache=True (Trainer 5.x switches it off, a plain model(**batch) call
        # does not): with a cache the restarting position ids are ignored and the examples
        # attend to each other (tests/test_packing.py fails without this line).
        out["use_cache"] = False
        return out

    def pack(self, examples: list[dict]) -> list[dict]:
        """The rows as plain lists (input_ids, labels, position_ids, lengths), before padding."""
        _check_examples(examples)
        ids = [as_int_list(ex["input_ids"]) for ex in examples]
        labels = [as_int_list(ex["labels"]) for ex in examples]
        lengths = [len(x) for x in ids]
        capacity = sum(lengths) if self.row_tokens is None else self.row_tokens
        rows = []
        for members in pack_rows(lengths, capacity):
            row = {"input_ids": [], "labels": [], "position_ids": [], "lengths": []}
            for i in members:
                row["input_ids"] += ids[i]
                # The first label of an example is never trained: the previous position belongs
                # to another example (or there is none), so predicting it would leak across.
                row["labels"] += [IGNORE_INDEX] + labels[i][1:]
                row["position_ids"] += list(range(lengths[i]))
                row["lengths"].append(lengths[i])
            rows.append(row)
        return rows


def _check_examples(examples: list[dict]) -> None:
    if not examples:
        raise PackingError("PackedCollator got an empty batch; check the dataset is not empty.")
    for i, ex in enumerate(examples):
        missing = [k for k in _KEYS if k not in ex]
        if missing:
            raise PackingError(f"batch example {i} lacks {missing}; use encode_records output.")
        if len(ex["input_ids"]) != len(ex["labels"]):
            raise PackingError(f"batch example {i}: input_ids and labels differ in length.")


def length_grouped_indices(lengths: list[int], batch_size: int, seed: int = 0,
                           mega: int = 50) -> list[int]:
    """A shuffled order whose consecutive `batch_size` chunks hold examples of similar length.

    Same recipe as transformers' LengthGroupedSampler (which TrainSettings.group_by_length uses):
    shuffle, cut into "megabatches" of `mega` batches, sort each by length (longest first), so
    batches are length-homogeneous but their order stays random. Deterministic for a seed.
    """
    if batch_size < 1:
        raise PackingError(f"batch_size={batch_size}; use an int >= 1.")
    order = list(range(len(lengths)))
    random.Random(seed).shuffle(order)
    size = batch_size * mega
    out: list[int] = []
    for start in range(0, len(order), size):
        out += sorted(order[start:start + size], key=lambda i: -lengths[i])
    return out


@dataclass
class PaddingReport:
    """How many of the tokens a batching scheme computes on are real."""

    mode: str  # "padded", "grouped" or "packed"
    real_tokens: int  # tokens of the examples themselves
    computed_tokens: int  # positions the model runs on (real + padding)

    @property
    def efficiency(self) -> float:
        """Share of computed positions that are real tokens (1.0 = no padding at all)."""
        return self.real_tokens / self.computed_tokens if self.computed_tokens else 1.0


def padding_report(lengths: list[int], batch_size: int, mode: str = "padded",
                   row_tokens: int | None = None, seed: int = 0) -> PaddingReport:
    """Count real vs computed tokens for one epoch of `lengths` under a batching scheme.

    Cheap (no model): use it to see whether grouping or packing is worth it for a dataset.
    """
    if mode not in ("padded", "grouped", "packed"):
        raise PackingError(f"mode={mode!r}; use 'padded', 'grouped' or 'packed'.")
    order = list(range(len(lengths)))
    if mode == "grouped":
        order = length_grouped_indices(lengths, batch_size, seed)
    else:
        random.Random(seed).shuffle(order)
    computed = 0
    for start in range(0, len(order), batch_size):
        batch = [lengths[i] for i in order[start:start + batch_size]]
        if mode == "packed":
            cap = row_tokens or sum(batch)
            rows = pack_rows(batch, cap)
            computed += len(rows) * max(sum(batch[i] for i in r) for r in rows)
        else:
            computed += len(batch) * max(batch)
    return PaddingReport(mode, sum(lengths), computed)
