"""Errors a user can cause with chat data or a tokenizer's chat template.

Both are `ValueError`s so notebook code can catch them broadly; the message always says what
was wrong, where (record, message index, field) and what to do about it.
"""

from __future__ import annotations


class ChatFormatError(ValueError):
    """A conversation, record or encoding setting is malformed (wrong role, missing field, ...)."""


class ChatTemplateError(ValueError):
    """The tokenizer's chat template or special tokens cannot train/serve the model correctly."""
