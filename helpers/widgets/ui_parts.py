"""Building blocks of the comparison widget: the settings panel and one answer column.

Kept apart from the wiring in ui.py so each piece stays small and testable. Every widget a
test or the browser test needs to find has a CSS class (`tunelab-...`).
"""

from __future__ import annotations

from html import escape

from helpers.generate import GenerationSettings
from helpers.widgets.compare import ComparisonRow

STOP_HELP = (
    "<b>Why did it stop?</b> <i>EOS</i> = the model ended its turn by itself. "
    "<i>max tokens</i> = it was cut off at the limit. A variant that <b>always</b> hits max "
    "tokens never learned to stop: the signature of the pad&nbsp;==&nbsp;EOS bug (EOS used as "
    "padding, masked out of the loss, so it is never trained).")


EMPTY_ANSWER = ("<i class='tunelab-empty'>(empty answer: the model ended its turn at once — "
                "an adapter that learned EOS but not the task)</i>")


def _layout(**kw):
    import ipywidgets as w

    return w.Layout(**kw)


class SettingsPanel:
    """Widgets for GenerationSettings: max tokens, greedy/sample, temperature, top-p, seed."""

    def __init__(self, settings: GenerationSettings | None = None) -> None:
        import ipywidgets as w

        s = settings or GenerationSettings()
        self.extra = {"repetition_penalty": s.repetition_penalty}  # not shown; kept as given
        self.max_new_tokens = w.BoundedIntText(value=s.max_new_tokens, min=1, max=1024,
                                               description="max tokens")
        self.mode = w.ToggleButtons(options=["greedy", "sample"],
                                    value="sample" if s.do_sample else "greedy")
        wide = {"description_width": "initial"}  # show "temperature" in full
        self.temperature = w.FloatSlider(value=s.temperature, min=0.05, max=2.0, step=0.05,
                                         description="temperature", style=wide)
        self.top_p = w.FloatSlider(value=s.top_p, min=0.05, max=1.0, step=0.05,
                                   description="top-p", style=wide)
        self.seed = w.IntText(value=s.seed, description="seed")
        self.mode.observe(self._sync, names="value")
        self._sync()
        self.widget = w.VBox([w.HBox([self.max_new_tokens, self.mode]),
                              w.HBox([self.temperature, self.top_p, self.seed])])

    def _sync(self, _change=None) -> None:
        # Temperature and top-p do nothing in greedy decoding: grey them out to say so.
        greedy = self.mode.value == "greedy"
        self.temperature.disabled = self.top_p.disabled = greedy

    def settings(self) -> GenerationSettings:
        """The GenerationSettings the panel shows now."""
        return GenerationSettings(
            max_new_tokens=int(self.max_new_tokens.value), do_sample=self.mode.value == "sample",
            temperature=float(self.temperature.value), top_p=float(self.top_p.value),
            seed=int(self.seed.value), **self.extra)


class Column:
    """One variant's column: title, streaming answer, stats line and a vote button."""

    def __init__(self, name: str, detail: str = "") -> None:
        import ipywidgets as w

        self.name = name
        self._text = ""
        self.title = w.HTML(f"<b>{escape(name)}</b> <small>{escape(detail)}</small>")
        self.answer = w.HTML(self._html(""), layout=_layout(min_height="4em"))
        self.answer.add_class("tunelab-answer")
        self.stats = w.HTML("")
        self.stats.add_class("tunelab-stats")
        self.vote_button = w.Button(description=f"{name} is better", disabled=True,
                                    layout=_layout(width="auto"))
        self.vote_button.add_class("tunelab-vote")
        self.widget = w.VBox([self.title, self.answer, self.stats, self.vote_button],
                             layout=_layout(flex="1 1 0", border="1px solid #ccc",
                                            padding="4px", margin="2px"))

    @staticmethod
    def _html(text: str) -> str:
        return ("<div style='white-space:pre-wrap;font-family:monospace'>"
                f"{escape(text)}</div>")

    @property
    def text(self) -> str:
        """The answer text shown now (streamed pieces, or the final answer)."""
        return self._text

    def reset(self) -> None:
        self._text = ""
        self.answer.value = self._html("")
        self.stats.value = "<i>waiting…</i>"

    def append(self, piece: str) -> None:
        """Add a streamed piece of text (called once per piece while generating)."""
        self._text += piece
        self.answer.value = self._html(self._text)
        self.stats.value = "<i>generating…</i>"

    def finish(self, row: ComparisonRow, max_new_tokens: int) -> None:
        """Show the final answer, speed, why it stopped and the checker's verdict."""
        self._text = row.text
        self.answer.value = self._html(row.text) if row.text else EMPTY_ANSWER
        stop = ("stopped: EOS ✓" if row.stop_reason == "eos" else
                f"<span style='color:#b45309'>stopped: max tokens ({max_new_tokens}) ⚠</span>")
        check = {True: " · <span style='color:green'>✓ pass</span>",
                 False: " · <span style='color:#b91c1c'>✗ fail</span>", None: ""}[row.passed]
        self.stats.value = (f"{row.new_tokens} tokens · {row.tokens_per_s:.1f} tok/s · "
                            f"{stop}{check}")
