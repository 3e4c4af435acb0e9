"""Chat templates and completion-only labels.

The steps, in the order a training notebook uses them:

    added = ensure_chat_template(tokenizer)        # template with {% generation %}, a pad token
    if added: model.resize_token_embeddings(len(tokenizer))
    check_round_trip(tokenizer, records[0]["messages"])   # train format == inference format
    data = encode_records(tokenizer, records, ChatEncodingConfig(max_length=512))
    print(data.summary())                          # kept / truncated / dropped, and why
    mask_view(tokenizer, data.examples[0])         # see what is trained
    loader = DataLoader(data, batch_size=8, collate_fn=ChatCollator(tokenizer))

At inference, `encode_prompt(tokenizer, messages)` gives the prompt the model was trained to
continue.
"""

from helpers.chat.collate import ChatCollator
from helpers.chat.dataset import DroppedExample, EncodedDataset, encode_records
from helpers.chat.encode import (
    IGNORE_INDEX,
    ChatEncodingConfig,
    check_round_trip,
    encode_conversation,
    encode_prompt,
)
from helpers.chat.errors import ChatFormatError, ChatTemplateError
from helpers.chat.template import ensure_chat_template, has_generation_markers
from helpers.chat.view import MaskSegment, MaskView, mask_view

__all__ = [
    "IGNORE_INDEX",
    "ChatCollator",
    "ChatEncodingConfig",
    "ChatFormatError",
    "ChatTemplateError",
    "DroppedExample",
    "EncodedDataset",
    "MaskSegment",
    "MaskView",
    "check_round_trip",
    "encode_conversation",
    "encode_prompt",
    "encode_records",
    "ensure_chat_template",
    "has_generation_markers",
    "mask_view",
]
