"""See which tokens are trained: the mask view of notebook 02.

Completion-only masking fails silently in the wild (the model trains on nothing, or on the
prompt). Looking at one example, coloured, is the fastest way to be sure it does not.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from helpers.chat.collate import as_int_list
from helpers.chat.encode import IGNORE_INDEX
from helpers.chat.errors import ChatFormatError

NEWLINE_MARK = "↵"  # shown where a token contains a newline, so it is not invisible
_STYLE = {  # background, text colour; explicit text colour stays readable on dark themes
    "trained": ("#b7ebb1", "#102a0e"),
    "context": ("#e8e8e8", "#555555"),
    "padding": ("#ffffff", "#bbbbbb"),
}


@dataclass
class MaskSegment:
    """Text of one token (or of the few byte tokens that make up one character)."""

    text: str  # decoded text, special tokens included
    token_ids: list[int]  # the ids this text came from
    kind: str  # "trained" (in the loss), "context" (not in the loss) or "padding"
    special: bool = False  # a special token such as <|im_start|>


@dataclass(repr=False)
class MaskView:
    """Tokens of one example coloured by whether they are trained; displays itself.

    repr is the readable text view: Jupyter stores a text/plain copy beside the HTML, and a
    dump of every segment would bloat committed notebooks."""

    def __repr__(self) -> str:
        return str(self)

    segments: list[MaskSegment] = field(default_factory=list)

    @property
    def n_tokens(self) -> int:
        return sum(len(s.token_ids) for s in self.segments if s.kind != "padding")

    @property
    def n_trained(self) -> int:
        return sum(len(s.token_ids) for s in self.segments if s.kind == "trained")

    def _headline(self) -> str:
        return f"{self.n_trained} of {self.n_tokens} tokens trained"

    def __str__(self) -> str:
        """Plain text for terminals: trained runs wrapped in [[ ]], newlines shown as ↵."""
        parts, inside = [], False
        for seg in self.segments:
            trained = seg.kind == "trained"
            if trained != inside:
                parts.append("[[" if trained else "]]")
                inside = trained
            parts.append(seg.text.replace("\n", NEWLINE_MARK + "\n"))
        if inside:
            parts.append("]]")
        return f"{self._headline()}  ([[trained]])\n" + "".join(parts)

    def _span(self, seg: MaskSegment) -> str:
        bg, fg = _STYLE[seg.kind]
        text = html.escape(seg.text).replace("\n", NEWLINE_MARK + "<br>")
        weight = "font-weight:bold;" if seg.special else ""
        return (
            f'<span title="ids {seg.token_ids} ({seg.kind})" style="background:{bg};color:{fg};'
            f'{weight}border-right:1px solid #fff">{text}</span>'
        )

    def _repr_html_(self) -> str:
        """Coloured tokens for Jupyter; hover a token to see its ids."""
        legend = "".join(
            f'<span style="background:{bg};color:{fg};padding:0 4px">{kind}</span> '
            for kind, (bg, fg) in _STYLE.items()
            if kind != "padding"
        )
        body = "".join(self._span(s) for s in self.segments)
        return (
            f'<div style="font-family:monospace;white-space:pre-wrap;line-height:1.7">'
            f"<div>{html.escape(self._headline())} &nbsp; {legend}</div>{body}</div>"
        )


def _kinds(example: dict) -> tuple[list[int], list[str]]:
    """input_ids and a per-token kind from an example (lists or tensors)."""
    missing = [k for k in ("input_ids", "labels") if k not in example]
    if missing:
        raise ChatFormatError(
            f"mask_view: example lacks {missing}; pass encode_conversation output."
        )
    ids, labels = as_int_list(example["input_ids"]), as_int_list(example["labels"])
    attention = as_int_list(example.get("attention_mask", [1] * len(ids)))
    kinds = [
        "padding" if not a else ("context" if lab == IGNORE_INDEX else "trained")
        for lab, a in zip(labels, attention)
    ]
    return ids, kinds


def mask_view(tokenizer, example: dict) -> MaskView:
    """Build the coloured view of `example` (input_ids + labels, e.g. from encode_conversation).

    Byte-level tokenizers split one accented letter, CJK character or emoji across several
    tokens; those are grouped into one segment so the text reads correctly.
    """
    ids, kinds = _kinds(example)
    specials = set(tokenizer.all_special_ids) | {
        i for i, t in getattr(tokenizer, "added_tokens_decoder", {}).items() if t.special
    }
    view, buffer = MaskView(), []
    for pos, (tid, kind) in enumerate(zip(ids, kinds)):
        buffer.append(tid)
        text = tokenizer.decode(buffer, skip_special_tokens=False)
        next_same = pos + 1 < len(ids) and kinds[pos + 1] == kind
        if text.endswith("\ufffd") and next_same and len(buffer) < 8:
            continue  # an incomplete UTF-8 character: wait for its remaining bytes
        view.segments.append(MaskSegment(text, buffer, kind, any(b in specials for b in buffer)))
        buffer = []
    return view
