"""Batch encoded examples for a torch DataLoader or transformers' Trainer."""

from __future__ import annotations

from helpers.chat.encode import IGNORE_INDEX
from helpers.chat.errors import ChatFormatError
from helpers.chat.template import check_pad_token

_KEYS = ("input_ids", "attention_mask", "labels")


def as_int_list(values) -> list[int]:
    """A tensor, numpy array or sequence of ints as a plain list of ints."""
    return [int(v) for v in (values.tolist() if hasattr(values, "tolist") else values)]


class ChatCollator:
    """Right-pad a list of examples into tensors: ids with pad_token_id, attention 0, labels -100.

    Right padding is what training wants (positions stay 0..n-1 for every example); generation
    pads on the left instead, which helpers.generate handles. `pad_to_multiple_of=8` can speed
    up tensor cores on a GPU; it changes nothing on CPU but a few wasted positions.
    """

    def __init__(self, tokenizer, pad_to_multiple_of: int | None = None) -> None:
        check_pad_token(tokenizer)  # pad == EOS is fine: labels are padded with -100 by position
        if pad_to_multiple_of is not None and pad_to_multiple_of < 1:
            raise ChatFormatError(
                f"pad_to_multiple_of={pad_to_multiple_of}; use None or an int >= 1."
            )
        self.pad_token_id: int = tokenizer.pad_token_id
        self.pad_to_multiple_of = pad_to_multiple_of

    def _target_length(self, longest: int) -> int:
        m = self.pad_to_multiple_of
        return longest if not m else -(-longest // m) * m

    def __call__(self, examples: list[dict]) -> dict:
        import torch

        if not examples:
            raise ChatFormatError(
                "ChatCollator got an empty batch; check the dataset is not empty."
            )
        for i, ex in enumerate(examples):
            missing = [k for k in _KEYS if k not in ex]
            if missing:
                raise ChatFormatError(
                    f"batch example {i} lacks {missing}; use encode_records output."
                )
        length = self._target_length(max(len(ex["input_ids"]) for ex in examples))
        fill = {"input_ids": self.pad_token_id, "attention_mask": 0, "labels": IGNORE_INDEX}
        batch = {}
        for key in _KEYS:
            rows = [as_int_list(ex[key]) for ex in examples]
            rows = [r + [fill[key]] * (length - len(r)) for r in rows]
            batch[key] = torch.tensor(rows, dtype=torch.long)
        return batch
