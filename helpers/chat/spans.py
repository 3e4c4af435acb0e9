"""Assistant masks for a chat template WITHOUT `{% generation %}` markers, by rendering prefixes.

Hub models ship templates without markers (SmolLM2, Qwen2.5, Llama-3 ...), so transformers'
`return_assistant_tokens_mask` marks nothing. Rewriting such a template to add markers is
guesswork over arbitrary Jinja; rendering is not. For each assistant turn i the template itself
says where the answer starts and ends:

    before = render(messages[:i], add_generation_prompt=True)   # what the model is prompted with
    upto   = render(messages[:i + 1])                           # ... plus answer i as rendered

The answer's span runs from len(before) to the end of the first EOS string after it, which is
exactly what generation produces: the content and the token that stops it (text the template
writes after EOS, such as ChatML's "\\n", is neither generated nor trained). Both renderings
must be prefixes of the whole conversation's rendering; a template that renders earlier turns
differently once more follow (Qwen3 drops earlier reasoning, say) cannot be masked this way and
raises a ChatTemplateError instead of training on the wrong tokens.
"""

from __future__ import annotations

from helpers.chat.errors import ChatTemplateError


def render(tokenizer, messages: list[dict], generation_prompt: bool = False) -> str:
    """The template's text for `messages` (no tokenization)."""
    return tokenizer.apply_chat_template(messages, tokenize=False,
                                         add_generation_prompt=generation_prompt)


def _no_prefix(i: int, what: str) -> ChatTemplateError:
    return ChatTemplateError(
        f"Cannot find assistant message {i} in the rendered conversation: the chat template "
        f"renders {what}, so the answer's tokens cannot be located by rendering prefixes. Give "
        "the tokenizer a template with {% generation %} markers around each assistant answer "
        "and its end-of-turn token (trl's get_training_chat_template has them for common "
        "families), or the kit's ChatML (helpers.tokenizer.CHATML_TEMPLATE).")


def answer_span(tokenizer, messages: list[dict], i: int, text: str) -> tuple[int, int]:
    """(start, end) character offsets in `text` of assistant message i: content + EOS."""
    before = render(tokenizer, messages[:i], generation_prompt=True)
    upto = render(tokenizer, messages[: i + 1])
    if not upto.startswith(before):
        raise _no_prefix(i, "the generation prompt differently from an answered turn")
    if not text.startswith(upto):
        raise _no_prefix(i, "earlier turns differently once later turns follow")
    eos = tokenizer.eos_token
    end = upto.find(eos, len(before)) if eos else -1
    if end < 0:
        raise ChatTemplateError(
            f"Assistant message {i} does not end with the EOS token {eos!r} in this chat "
            "template, so the model would never learn to stop. Call "
            "helpers.chat.ensure_chat_template(tokenizer): it makes the token that closes an "
            "assistant turn the EOS.")
    return len(before), end + len(eos)


def prefix_encoding(tokenizer, messages: list[dict]) -> tuple[list[int], list[int]]:
    """(input_ids, assistant mask) from the template's own rendering; see the module docstring.

    A token is marked when it overlaps an answer span, which is what transformers does for
    `{% generation %}` blocks (it marks the tokens holding the first and last character).
    """
    text = render(tokenizer, messages)
    spans = [answer_span(tokenizer, messages, i, text)
             for i, m in enumerate(messages) if m["role"] == "assistant"]
    # The same call apply_chat_template(tokenize=True) makes, plus character offsets.
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    mask = [int(any(s < b and e > a for a, b in spans)) for s, e in enc["offset_mapping"]]
    return list(enc["input_ids"]), mask


def turn_end_token(tokenizer) -> str | None:
    """The special token the template writes right after an answer (ChatML: <|im_end|>).

    Rendered from a probe conversation; None if no special token follows the answer directly
    (then the template has no end-of-turn token of its own and the EOS is left as it is).
    """
    answer = "tunelab probe answer"  # text no template writes by itself
    probe = [{"role": "user", "content": "tunelab probe question"},
             {"role": "assistant", "content": answer}]
    text = render(tokenizer, probe)
    at = text.rfind(answer)
    if at < 0:
        return None
    rest = text[at + len(answer):].lstrip(" ")  # some templates pad with a space first
    specials = {t.content for t in tokenizer.added_tokens_decoder.values() if t.special}
    return next((s for s in sorted(specials, key=len, reverse=True) if rest.startswith(s)), None)
