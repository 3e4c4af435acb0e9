"""Make any tokenizer safe for completion-only training, keeping the model's own chat template.

Three things must hold before a single training label is built, or training fails silently:
the assistant tokens can be found (from `{% generation %}` markers where the template has them,
else by rendering prefixes, helpers.chat.spans; transformers' own mask is all zeros without
markers), the turn-closing token is the EOS that generation stops on, and a pad token exists,
reused from the vocabulary (a new one would resize the embeddings), with labels from the
assistant mask so that EOS is trained even where pad == EOS. Only a tokenizer with no template at
all gets the kit's ChatML: an instruct model's own format (its bos, its system prompt, its
spacing) is what it was trained on and what its users will prompt it with.
"""

from __future__ import annotations

import re
import warnings

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


def require_chat_template(tokenizer) -> None:
    """Raise if the tokenizer has no chat template to render conversations with.

    A template without `{% generation %}` markers is fine: its masks come from rendering
    prefixes (helpers.chat.spans), which raises itself when that cannot work.
    """
    if template_text(tokenizer) is None:
        raise ChatTemplateError(
            "The tokenizer has no chat template, so conversations cannot be rendered. "
            "Call helpers.chat.ensure_chat_template(tokenizer) first (and resize the model's "
            "embeddings if it returns added tokens)."
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


# Special tokens made to be spare (Llama-3's <|reserved_special_token_0|>, BERT's [unused0], a
# <pad> nobody set as pad): the best padding after unk, since no text ever contains them.
_SPARE = re.compile(r"pad|reserved|unused", re.IGNORECASE)


def _pad_candidates(tokenizer) -> list[str]:
    """Tokens already in the vocabulary that could pad, best first (EOS and turn markers never).

    Padding only needs an id that sits under attention mask 0 and label -100, so any token the
    chat text cannot produce will do: the kit's own `<|pad|>`, unk, a spare special token, or
    another special token (such as a hub model's pretraining EOS, freed when `<|im_end|>`
    became EOS). BOS comes last: real inputs contain it, so counts of `input_ids != pad` miss it.
    """
    specials = [t.content for _, t in sorted(tokenizer.added_tokens_decoder.items()) if t.special]
    ordered = [PAD_TOKEN, tokenizer.unk_token, *[t for t in specials if _SPARE.search(t)],
               *[t for t in specials if t != tokenizer.bos_token], tokenizer.bos_token]
    taken = {tokenizer.eos_token, IM_START, IM_END}
    return [t for t in ordered if t and t not in taken and _is_atomic(tokenizer, t)]


def _ensure_pad(tokenizer) -> None:
    """Give the tokenizer a pad token, reusing one it has: never add a token for padding.

    A new `<|pad|>` grows the vocabulary, so the model's embeddings are resized and every
    adapter saves the whole embedding matrix; plain `PeftModel.from_pretrained` on the hub base
    then fails until the base is resized the same way. Last resort: pad with EOS. That is safe
    with the kit's labels, which come from the assistant mask (helpers.chat.encode) and the
    collators' -100 fill, never from `input_ids == pad_token_id`, so each turn's EOS is trained.
    """
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    if pad is not None and pad != eos:
        return
    candidates = _pad_candidates(tokenizer)
    tokenizer.pad_token = candidates[0] if candidates else tokenizer.eos_token


def _install_chatml(tokenizer) -> list[str]:
    """The kit's ChatML on a tokenizer with no template at all (a base model's); say so."""
    warnings.warn(
        "The tokenizer has no chat template: installing the kit's ChatML "
        "(helpers.tokenizer.CHATML_TEMPLATE), with <|im_end|> as EOS. Save the tokenizer "
        "beside the adapter so inference uses the same format.", stacklevel=3)
    tokenizer.chat_template = CHATML_TEMPLATE
    added = _add_special(tokenizer, [IM_START, IM_END])
    tokenizer.eos_token = IM_END  # closes every assistant turn: generation must stop on it
    return added


def _eos_closes_turns(tokenizer) -> None:
    """Make the template's end-of-turn token the EOS (Qwen2.5 base: <|endoftext|> → <|im_end|>).

    Labels end each answer at the EOS (helpers.chat.spans) and generation stops on it, so both
    must be the token the template writes after an answer; load_base adds it to the generation
    config's stop ids, keeping the model's own.
    """
    from helpers.chat.spans import turn_end_token

    end = turn_end_token(tokenizer)
    if end is not None and end != tokenizer.eos_token:
        tokenizer.eos_token = end


def ensure_chat_template(tokenizer) -> list[str]:
    """Make `tokenizer` ready for completion-only training; return the tokens it had to add.

    - A template is kept as it is, with or without `{% generation %}` markers: without them
      (most hub templates, e.g. SmolLM2 and Qwen2.5) the assistant masks come from rendering
      prefixes (helpers.chat.spans), and the token the template writes right after an answer
      (ChatML's `<|im_end|>`, Llama-3's `<|eot_id|>`) becomes the EOS, because it closes every
      assistant turn and so is the one generation must stop on.
    - Only a tokenizer with no chat template at all (a base model's) gets the kit's ChatML
      (`helpers.tokenizer.CHATML_TEMPLATE`), with a warning, `<|im_start|>` / `<|im_end|>`
      added if missing and `<|im_end|>` as EOS.
    - Make sure a pad token exists, reusing a token the vocabulary has (unk, a spare special
      token, the old EOS; EOS itself only as a last resort, which the kit's labels make safe):
      adding `<|pad|>` would resize the embeddings for nothing but padding.

    If the returned list is not empty the vocabulary grew: call
    `model.resize_token_embeddings(len(tokenizer))` before training, and save the tokenizer
    beside the adapter. If EOS changed, also set `model.generation_config.eos_token_id =
    tokenizer.eos_token_id` so generation stops at the end of a turn.
    """
    added: list[str] = []
    if template_text(tokenizer) is None:
        added = _install_chatml(tokenizer)
    elif not has_generation_markers(tokenizer):
        _eos_closes_turns(tokenizer)
    _ensure_pad(tokenizer)
    return added


def check_pad_token(tokenizer) -> None:
    """Raise if the tokenizer has no pad token to fill batches with.

    pad == EOS is allowed: the kit's collators fill labels with -100 by position and take the
    rest from the assistant mask, so the EOS closing each assistant turn keeps its label. (Only
    masking labels by `input_ids == pad_token_id` would hide it, and nothing here does.)
    """
    if tokenizer.pad_token_id is None:
        raise ChatTemplateError(
            "The tokenizer has no pad token, so a batch cannot be padded. Call "
            "helpers.chat.ensure_chat_template(tokenizer) first."
        )
