"""Conversations → training examples with completion-only labels, and the inference prompt.

Labels come from the tokenizer's own chat template: transformers renders it with
`return_assistant_tokens_mask=True` and marks the tokens produced inside `{% generation %}`; a
template without those markers (most hub models') is masked by rendering prefixes of the
conversation (helpers.chat.spans). No response-template string is searched for, so there is no
token-boundary mismatch that could silently train on nothing (or on the prompt). Labels are *not* shifted: Hugging Face causal LMs
shift them internally.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.chat.errors import ChatFormatError, ChatTemplateError
from helpers.chat.spans import prefix_encoding
from helpers.chat.template import has_generation_markers, require_chat_template

IGNORE_INDEX = -100  # label value PyTorch's cross-entropy skips: no loss on this position
ROLES = ("system", "user", "assistant")
TRUNCATION_POLICIES = ("keep_start", "keep_end")


@dataclass
class ChatEncodingConfig:
    """How conversations become fixed-length-or-shorter training examples."""

    # Most tokens one example may have (prompt + answers + special tokens). Match the model's
    # context (512 for the micro model); longer examples cost memory quadratically in attention.
    max_length: int = 512
    # What to cut when a conversation is longer than max_length:
    # "keep_start" keeps the first max_length tokens: the prompt survives but the end of a long
    #   answer (and its EOS) is dropped, so the model never practises stopping on those examples.
    # "keep_end" keeps the last max_length tokens: the final answer and its EOS survive but the
    #   beginning of a long prompt/history (often the system prompt) is dropped.
    # Either way an example left with no assistant token is dropped and counted.
    truncation: str = "keep_start"

    def __post_init__(self) -> None:
        if self.truncation not in TRUNCATION_POLICIES:
            raise ChatFormatError(
                f"ChatEncodingConfig.truncation={self.truncation!r}; use one of "
                f"{TRUNCATION_POLICIES}."
            )
        if not isinstance(self.max_length, int) or self.max_length < 2:
            raise ChatFormatError(
                f"ChatEncodingConfig.max_length={self.max_length!r}; use an int >= 2 "
                "(typically the model's context length)."
            )


def _special_strings(tokenizer) -> set[str]:
    """Strings that would be tokenized as special tokens if they appeared in content."""
    added = getattr(tokenizer, "added_tokens_decoder", {}).values()
    return set(tokenizer.all_special_tokens) | {t.content for t in added if t.special}


def validate_messages(tokenizer, messages, where: str = "conversation") -> None:
    """Raise ChatFormatError naming the message and field if `messages` is not canonical."""
    if not isinstance(messages, list) or not messages:
        raise ChatFormatError(f"{where}: 'messages' must be a non-empty list of dicts.")
    specials = _special_strings(tokenizer)
    for i, msg in enumerate(messages):
        at = f"{where}, message {i}"
        if not isinstance(msg, dict):
            raise ChatFormatError(f"{at}: expected a dict with 'role' and 'content'.")
        if msg.get("role") not in ROLES:
            raise ChatFormatError(f"{at}: field 'role' is {msg.get('role')!r}; use one of {ROLES}.")
        if not isinstance(msg.get("content"), str):
            raise ChatFormatError(f"{at}: field 'content' must be a string (empty is allowed).")
        leaked = sorted(s for s in specials if s and s in msg["content"])
        if leaked:
            raise ChatFormatError(
                f"{at}: field 'content' contains the special token(s) {leaked}; they would be "
                "read as template structure and corrupt the mask. Remove them from the data."
            )


def full_encoding(tokenizer, messages) -> tuple[list[int], list[int]]:
    """(input_ids, assistant mask) of the whole conversation, untruncated."""
    require_chat_template(tokenizer)
    validate_messages(tokenizer, messages)
    if not has_generation_markers(tokenizer):  # a hub template as the model shipped it
        return prefix_encoding(tokenizer, messages)
    out = tokenizer.apply_chat_template(
        messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    return list(out["input_ids"]), list(out["assistant_masks"])


def truncate(ids: list[int], mask: list[int], config: ChatEncodingConfig):
    """Cut (ids, mask) to config.max_length by the configured policy."""
    if len(ids) <= config.max_length:
        return ids, mask
    if config.truncation == "keep_start":
        return ids[: config.max_length], mask[: config.max_length]
    return ids[-config.max_length :], mask[-config.max_length :]


def encode_conversation(tokenizer, messages: list[dict], config: ChatEncodingConfig) -> dict | None:
    """Encode one conversation for training; None if no trainable token is left.

    Returns lists `input_ids`, `attention_mask` and `labels`, where labels equal input_ids on
    every assistant token (each assistant turn's text and its closing EOS `<|im_end|>`) and
    -100 elsewhere. Multi-turn conversations train every assistant turn. None means the
    conversation has no assistant token after truncation: training on it would give a 0/0 (NaN)
    loss, so callers must drop it (encode_records does, and counts it).
    """
    return build_example(*full_encoding(tokenizer, messages), config)


def build_example(ids: list[int], mask: list[int], config: ChatEncodingConfig) -> dict | None:
    """Truncate an untruncated (ids, assistant mask) pair and turn it into an example."""
    ids, mask = truncate(ids, mask, config)
    if not any(mask):
        return None
    labels = [t if m else IGNORE_INDEX for t, m in zip(ids, mask)]
    return {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels}


def _ends_with_assistant(messages) -> bool:
    last = messages[-1] if isinstance(messages, list) and messages else None
    return isinstance(last, dict) and last.get("role") == "assistant"


def encode_prompt(tokenizer, messages: list[dict]) -> list[int]:
    """Token ids of the inference prompt: every turn before the final assistant turn, followed
    by the template's generation prompt (`<|im_start|>assistant\\n` for ChatML)."""
    if _ends_with_assistant(messages):
        messages = messages[:-1]
    validate_messages(tokenizer, messages, where="prompt")
    out = tokenizer.apply_chat_template(
        messages, tokenize=True, return_dict=True, add_generation_prompt=True
    )
    return list(out["input_ids"])


def _last_trained_run(mask: list[int]) -> tuple[int, int]:
    """(start, end) indices, end exclusive, of the last contiguous run of 1s in `mask`."""
    end = max(i for i, m in enumerate(mask) if m) + 1
    start = end
    while start > 0 and mask[start - 1]:
        start -= 1
    return start, end


def _show(tokenizer, ids: list[int]) -> str:
    return repr(tokenizer.decode(ids, skip_special_tokens=False))


def check_round_trip(tokenizer, messages: list[dict]) -> None:
    """Raise ChatTemplateError if training and inference would see different formats.

    The inference prompt must be exactly the training ids up to the first trained token of the
    final assistant turn — otherwise the model is asked, at inference, to continue a prefix it
    never saw in training. The final trained token must also be the EOS, or the model learns a
    turn end that generation does not stop on.
    """
    if not _ends_with_assistant(messages):
        raise ChatFormatError(
            "check_round_trip needs a conversation ending with an assistant turn."
        )
    ids, mask = full_encoding(tokenizer, messages)
    if not any(mask):
        raise ChatTemplateError("The template marked no assistant token in this conversation.")
    start, end = _last_trained_run(mask)
    prompt = encode_prompt(tokenizer, messages)
    if prompt != ids[:start]:
        at = next(
            (i for i, (a, b) in enumerate(zip(prompt, ids)) if a != b), min(len(prompt), start)
        )
        raise ChatTemplateError(
            f"Train/inference template mismatch at token {at}: the inference prompt continues "
            f"{_show(tokenizer, prompt[at : at + 8])} but training has "
            f"{_show(tokenizer, ids[at : min(at + 8, start)])} before the answer. Use the same "
            "template (saved beside the adapter) for training and generation."
        )
    if ids[end - 1] != tokenizer.eos_token_id:
        raise ChatTemplateError(
            f"The last trained token of the answer is {_show(tokenizer, ids[end - 1 : end])}, not "
            f"the EOS token {tokenizer.eos_token!r}: the model would never learn to stop. Put the "
            "end-of-turn token inside {% generation %} and make it the tokenizer's EOS."
        )
