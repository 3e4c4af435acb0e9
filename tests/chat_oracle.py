"""An assistant-mask oracle independent of helpers.chat: a regex over the ORIGINAL template's text.

helpers.chat.spans finds answers by rendering prefixes; this finds them by the template family's
own turn syntax (ChatML: `<|im_start|>assistant\\n` ... `<|im_end|>`), on the text rendered by
the template the model shipped with, and marks every token overlapping such a span (the rule
transformers applies to `{% generation %}` blocks).
"""

from __future__ import annotations

import re

# Answer = content + end-of-turn token, after the family's assistant header.
CHATML_ANSWER = re.compile(r"<\|im_start\|>assistant\n(.*?<\|im_end\|>)", re.DOTALL)
LLAMA3_ANSWER = re.compile(
    r"<\|start_header_id\|>assistant<\|end_header_id\|>\n\n(.*?<\|eot_id\|>)", re.DOTALL)


def oracle_mask(tokenizer, messages, template: str, answer=CHATML_ANSWER):
    """(input_ids, mask) for `messages` rendered with `template` (the model's original one)."""
    text = tokenizer.apply_chat_template(messages, tokenize=False, chat_template=template)
    spans = [m.span(1) for m in answer.finditer(text)]
    assert len(spans) == sum(m["role"] == "assistant" for m in messages), "oracle found no turn"
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    mask = [int(any(s < b and e > a for a, b in spans)) for s, e in enc["offset_mapping"]]
    return list(enc["input_ids"]), mask


def expected_answers(messages, end: str) -> str:
    """What the trained tokens must decode to: every answer's content, each closed by `end`."""
    return "".join(m["content"] + end for m in messages if m["role"] == "assistant")
