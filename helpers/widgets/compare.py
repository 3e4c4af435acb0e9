"""Compare variants on one prompt without a browser: `compare(...)` → a ComparisonTable.

The widget calls the same function (with callbacks that stream text into its columns), so
what a script or test sees is exactly what the learner sees.

    table = compare(model, tok, "Reverse the word dark.", ["base", "it"], GenerationSettings())
    print(table)        # text table; in a notebook the last line renders it as HTML
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

from helpers.generate import Generation, GenerationSettings, stream
from helpers.tables import html_table, text_table
from helpers.widgets.presets import Preset
from helpers.widgets.variants import Variant, as_variants, check_adapters, use_variant

STOP_LABELS = {"eos": "EOS", "length": "max tokens"}  # how stop reasons read in tables and UI
HEAD = ("variant", "stopped", "tokens", "tok/s", "check", "answer")  # a comparison's columns


@dataclass
class ComparisonRow:
    """One variant's answer to the prompt."""

    variant: str  # variant (column) name
    text: str  # the generated answer (special tokens removed, stripped)
    stop_reason: str  # "eos" (ended its turn) or "length" (cut off at max_new_tokens)
    new_tokens: int  # tokens generated, including the EOS token if any
    seconds: float  # wall time of this answer
    passed: bool | None = None  # checker verdict against the preset's answer; None = no preset

    @property
    def tokens_per_s(self) -> float:
        return self.new_tokens / self.seconds if self.seconds > 0 else 0.0

    @property
    def stop_label(self) -> str:
        return STOP_LABELS.get(self.stop_reason, self.stop_reason)

    @property
    def mark(self) -> str:
        return {True: "pass", False: "FAIL", None: "-"}[self.passed]

    def to_dict(self) -> dict:
        return {**asdict(self), "tokens_per_s": round(self.tokens_per_s, 2)}


class ComparisonTable(list):
    """The rows of one comparison (a list of ComparisonRow) plus what was asked and how.

    str(table) is a fixed-width text table; in Jupyter it renders as HTML.
    """

    def __init__(self, rows: Sequence[ComparisonRow], messages: Sequence[Mapping],
                 settings: GenerationSettings, expected: str | None = None,
                 preset_id: str | None = None):
        super().__init__(rows)
        self.messages = [dict(m) for m in messages]  # the prompt turns every variant saw
        self.settings = settings  # decoding settings shared by every column
        self.expected = expected  # the preset's reference answer, if the prompt was a preset
        self.preset_id = preset_id  # id of the test record the prompt came from, if any

    def row(self, variant: str) -> ComparisonRow:
        """The row of one variant (KeyError naming the variants if absent)."""
        for r in self:
            if r.variant == variant:
                return r
        raise KeyError(f"no variant {variant!r} in this comparison: {[r.variant for r in self]}")

    @property
    def prompt(self) -> str:
        """The last user turn (what a one-line summary should show)."""
        return next((m["content"] for m in reversed(self.messages) if m["role"] == "user"), "")

    def to_dict(self) -> dict:
        return {"messages": self.messages, "settings": asdict(self.settings),
                "expected": self.expected, "preset_id": self.preset_id,
                "rows": [r.to_dict() for r in self]}

    def _cells(self) -> list[list[str]]:
        return [[r.variant, r.stop_label, str(r.new_tokens), f"{r.tokens_per_s:.1f}", r.mark,
                 " ".join(r.text.split())] for r in self]

    def __str__(self) -> str:
        top = [f"prompt: {' '.join(self.prompt.split())}"]
        if self.expected is not None:
            top.append(f"expected: {self.expected}")
        table = text_table(HEAD, self._cells(), sep=" | ", cross="-+-", last_free=True)
        return "\n".join([*top, table])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        cap = f"prompt: {self.prompt}"
        if self.expected is not None:
            cap += f" — expected: {self.expected}"
        return html_table(HEAD, self._cells(), caption=cap, cell_style=" style='text-align:left'")


def to_messages(prompt: str | Sequence[Mapping], system: str | None = None) -> list[dict]:
    """A user prompt (+ optional system prompt) → chat messages; messages pass through."""
    if isinstance(prompt, str):
        if not prompt.strip():
            raise ValueError("the prompt is empty: type a question or pick a preset")
        sys_turn = [{"role": "system", "content": system}] if system and system.strip() else []
        return sys_turn + [{"role": "user", "content": prompt}]
    if system:
        raise ValueError("prompt is already a list of messages: put the system prompt in it "
                         "instead of passing system= as well")
    return [dict(m) for m in prompt]


PieceCallback = Callable[[str, str], None]  # (variant name, text piece)
RowCallback = Callable[[ComparisonRow], None]  # called once per finished variant


def run_variant(model, tokenizer, messages: list[dict], variant: Variant,
                settings: GenerationSettings, on_piece: PieceCallback | None = None) -> Generation:
    """Stream one variant's answer (calling on_piece per piece) and return the Generation."""
    with use_variant(model, variant):
        for item in stream(model, tokenizer, messages, settings):
            if isinstance(item, Generation):
                return item
            if on_piece is not None:
                on_piece(variant.name, item)
    raise RuntimeError("helpers.generate.stream ended without a final Generation")


def compare(model, tokenizer, prompt: str | Sequence[Mapping] | Preset | None,
            variants: Sequence[Variant | str] | Mapping[str, str | None],
            settings: GenerationSettings | None = None, *, system: str | None = None,
            preset: Preset | None = None, on_piece: PieceCallback | None = None,
            on_row: RowCallback | None = None) -> ComparisonTable:
    """Generate an answer per variant for the same prompt, with the same settings.

    prompt: a user message (str), chat messages, or a Preset (then `preset` is implied). A
    preset adds the expected answer and a pass/fail mark per row from the kit's checkers.
    Variants run one after another on the one model (adapters switched, never copied).
    """
    if isinstance(prompt, Preset):
        preset, prompt = prompt, None
    if prompt is None:
        if preset is None:
            raise ValueError("nothing to ask: pass a prompt or a preset")
        prompt = list(preset.messages)
    messages = to_messages(prompt, system)
    variants = as_variants(variants)
    check_adapters(model, [v for v in variants if v.adapter is not None])
    settings = settings or GenerationSettings()
    rows = []
    for variant in variants:
        gen = run_variant(model, tokenizer, messages, variant, settings, on_piece)
        row = ComparisonRow(variant.name, gen.text, gen.stop_reason, gen.new_tokens,
                            gen.seconds, preset.check(gen.text) if preset else None)
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return ComparisonTable(rows, messages, settings, preset.expected if preset else None,
                           preset.id if preset else None)
