"""Make any tokenizer safe for completion-only training with the kit's ChatML template.

Three things must hold before a single training label is built, or training fails silently:
the template marks assistant text with `{% generation %}` (else transformers' assistant mask is
all zeros and nothing is trained), the turn-closing token is the EOS that generation stops on,
and the pad token differs from EOS (else EOS is masked as padding and the model never stops).
"""

from __future__ import annotations

import re

from helpers.chat.errors import ChatTemplateError
from helpers.tokenizer import CHATML_TEMPLATE, IM_END, IM_START, PAD_TOKEN

# `{% generation %}`, `{%- generation -%}`, ... : the block transformers turns into a mask.
_GENERATION_TAG = re.compile(r"\{%-?\s*generation\s*-?%\}")


def template_text(tokenizer) -> str | None:
    """The tokenizer's default chat template as a string (hub tokenizers may store a dict)."""
    template = getattr(tokenizer, "chat_template", None)
    if isinstance(template, dict):  # named templates, e.g. {"default": ..., "tool_use": ...}
        template = template.get("default")
    return template or None


def has_generation_markers(tokenizer) -> bool:
    """True if the tokenizer's chat template wraps assistant text in `{% generation %}`."""
    template = template_text(tokenizer)
    return bool(template and _GENERATION_TAG.search(template))


def require_generation_markers(tokenizer) -> None:
    """Raise if assistant masks cannot be computed from this tokenizer's template."""
    if template_text(tokenizer) is None:
        raise ChatTemplateError(
            "The tokenizer has no chat template, so conversations cannot be rendered. "
            "Call helpers.chat.ensure_chat_template(tokenizer) first (and resize the model's "
            "embeddings if it returns added tokens)."
        )
    if not has_generation_markers(tokenizer):
        raise ChatTemplateError(
            "The tokenizer's chat template has no {% generation %} markers, so transformers "
            "would mark no assistant token and the model would train on nothing. Call "
            "helpers.chat.ensure_chat_template(tokenizer) to install the kit's ChatML template."
        )


def _is_atomic(tokenizer, token: str) -> bool:
    """True if `token` is one vocabulary entry that text containing it is split into."""
    return token in tokenizer.get_vocab() and tokenizer.tokenize(token) == [token]


def _add_special(tokenizer, tokens: list[str]) -> list[str]:
    """Add the tokens that are missing as special tokens; return those added."""
    missing = [t for t in tokens if not _is_atomic(tokenizer, t)]
    if missing:
        tokenizer.add_special_tokens(
            {"extra_special_tokens": missing}, replace_extra_special_tokens=False
        )
    return missing


def _ensure_pad(tokenizer) -> list[str]:
    """Give the tokenizer a pad token distinct from EOS, adding `<|pad|>` only if needed."""
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    if pad is not None and pad != eos:
        return []
    added = [] if _is_atomic(tokenizer, PAD_TOKEN) else [PAD_TOKEN]
    tokenizer.add_special_tokens({"pad_token": PAD_TOKEN})
    return added


def ensure_chat_template(tokenizer) -> list[str]:
    """Make `tokenizer` ready for completion-only training; return the tokens it had to add.

    - If the tokenizer has no chat template, or one without `{% generation %}` markers (true of
      most hub templates, e.g. Qwen2.5 and SmolLM2: their assistant mask is all zeros), install
      the kit's ChatML template (`helpers.tokenizer.CHATML_TEMPLATE`), add `<|im_start|>` /
      `<|im_end|>` if missing, and make `<|im_end|>` the EOS token, because it is the token that
      closes every assistant turn and so the one generation must stop on.
    - Make sure a pad token exists and differs from EOS (adding `<|pad|>` if needed), so EOS is
      never mistaken for padding and always gets a gradient.

    A template that already has generation markers is kept as it is.

    If the returned list is not empty the vocabulary grew: call
    `model.resize_token_embeddings(len(tokenizer))` before training, and save the tokenizer
    beside the adapter. If EOS changed, also set `model.generation_config.eos_token_id =
    tokenizer.eos_token_id` so generation stops at the end of a turn.
    """
    added: list[str] = []
    if not has_generation_markers(tokenizer):
        tokenizer.chat_template = CHATML_TEMPLATE
        added += _add_special(tokenizer, [IM_START, IM_END])
        tokenizer.eos_token = IM_END
    added += _ensure_pad(tokenizer)
    return added


def check_pad_not_eos(tokenizer) -> None:
    """Raise if padding would hide EOS from the loss (pad missing or pad == EOS)."""
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    if pad is None or pad == eos:
        what = "has no pad token" if pad is None else f"pads with its EOS token {eos}"
        raise ChatTemplateError(
            f"The tokenizer {what}. Padding positions are masked out of the loss, so with "
            "pad == EOS the model never learns to stop. Call "
            "helpers.chat.ensure_chat_template(tokenizer) first."
        )
