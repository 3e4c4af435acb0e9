"""The live comparison widget: one base model, several adapters, the same prompt, side by side.

    ui = CompareUI(model, tok, variants, presets=load_presets())
    ui            # in a notebook: type a prompt (or pick a preset), press Generate, vote

Everything the buttons do is also a method (`run`, `vote`, `save`), and every widget is an
attribute, so tests drive the real UI headlessly: `ui.prompt.value = ...; ui.generate_button.click()`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from helpers.generate import GenerationError, GenerationSettings
from helpers.paths import display_path, repo_path
from helpers.widgets.compare import ComparisonRow, ComparisonTable, compare, to_messages
from helpers.widgets.history import History
from helpers.widgets.presets import Preset
from helpers.widgets.ui_parts import STOP_HELP, Column, SettingsPanel
from helpers.widgets.variants import TIE, Variant, as_variants, memory_report

DEFAULT_SAVE_DIR = "runs/06_compare"  # relative paths are resolved against the repository root


class CompareUI:
    """ipywidgets UI around `compare`, with presets, streaming columns, votes and history."""

    def __init__(self, model, tokenizer, variants: Sequence[Variant | str] | Mapping,
                 presets: Sequence[Preset] = (), settings: GenerationSettings | None = None,
                 history: History | None = None, save_dir: str = DEFAULT_SAVE_DIR) -> None:
        import ipywidgets as w

        self.model, self.tokenizer = model, tokenizer
        self.variants = as_variants(variants)
        self.presets = list(presets)
        self.history = history if history is not None else History()
        self.last: ComparisonTable | None = None  # the comparison the vote buttons refer to
        self.last_id: int | None = None  # its id in the history
        self.memory = memory_report(model)
        self.panel = SettingsPanel(settings)
        self.preset = w.Dropdown(options=[("(type your own prompt)", -1)] + [
            (p.label, i) for i, p in enumerate(self.presets)], value=-1, description="preset",
            layout=w.Layout(width="95%"))
        self.system = w.Textarea(placeholder="optional system prompt", description="system",
                                 layout=w.Layout(width="95%", height="3.5em"))
        self.prompt = w.Textarea(placeholder="your prompt", description="prompt",
                                 layout=w.Layout(width="95%", height="4.5em"))
        self.expected = w.HTML("")
        self.generate_button = w.Button(description="Generate", button_style="primary")
        self.generate_button.add_class("tunelab-generate")
        self.columns = {v.name: Column(v.name, _detail(v)) for v in self.variants}
        self.tie_button = w.Button(description="tie / no better", disabled=True)
        self.status = w.HTML("")
        self.status.add_class("tunelab-status")
        self.summary = w.HTML("")
        self.history_view = w.HTML("")
        self.history_view.add_class("tunelab-history")
        self.save_dir = w.Text(value=save_dir, description="save to")
        self.save_button = w.Button(description="Save history + votes",
                                    layout=w.Layout(width="auto"))
        self._wire()
        self.widget = self._layout()

    def _wire(self) -> None:
        self.preset.observe(self._on_preset, names="value")
        self.generate_button.on_click(self._on_generate)
        for name, col in self.columns.items():
            col.vote_button.on_click(lambda _b, n=name: self._guarded(self.vote, n))
        self.tie_button.on_click(lambda _b: self._guarded(self.vote, TIE))
        self.save_button.on_click(lambda _b: self._guarded(self.save))

    def _layout(self):
        import ipywidgets as w

        memory = "<br>".join(escape(line) for line in self.memory.lines())
        return w.VBox([
            w.HTML(f"<small>{memory}</small>"), self.preset, self.system, self.prompt,
            self.panel.widget, w.HBox([self.generate_button, self.status]), self.expected,
            w.HBox([c.widget for c in self.columns.values()]), self.tie_button,
            w.HTML(f"<small>{STOP_HELP}</small>"), self.summary, self.history_view,
            w.HBox([self.save_dir, self.save_button])])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _on_preset(self, change) -> None:
        if change["new"] == -1:
            self.expected.value = ""
            return
        p = self.presets[change["new"]]
        self.system.value = next((m["content"] for m in p.messages if m["role"] == "system"), "")
        self.prompt.value = next(m["content"] for m in reversed(p.messages) if m["role"] == "user")
        self.expected.value = f"<b>expected:</b> {escape(p.expected)}"

    def active_preset(self) -> Preset | None:
        """The chosen preset, if the prompt boxes still hold its text (edits detach it)."""
        if self.preset.value == -1:
            return None
        p = self.presets[self.preset.value]
        return p if to_messages(self.prompt.value, self.system.value) == list(p.messages) else None

    def _guarded(self, action, *args) -> None:
        """Run a button's action; show a user error in the status line instead of a traceback."""
        try:
            action(*args)
        except (ValueError, OSError, GenerationError) as exc:
            self.status.value = f"<span style='color:#b91c1c'>{escape(str(exc))}</span>"

    def _on_generate(self, _button=None) -> None:
        self.generate_button.disabled = True
        try:
            self._guarded(self.run)
        finally:
            self.generate_button.disabled = False

    def run(self) -> ComparisonTable:
        """What Generate does: stream every variant's answer into its column, record it."""
        messages = to_messages(self.prompt.value, self.system.value)
        preset, settings = self.active_preset(), self.panel.settings()
        if preset is None:
            self.expected.value = ""
        for col in self.columns.values():
            col.reset()
            col.vote_button.disabled = True
        self.status.value = "generating…"

        def on_row(row: ComparisonRow) -> None:
            self.columns[row.variant].finish(row, settings.max_new_tokens)

        table = compare(self.model, self.tokenizer, messages, self.variants, settings,
                        preset=preset, on_piece=lambda n, piece: self.columns[n].append(piece),
                        on_row=on_row)
        self.last_id = self.history.add(table)
        self.last = table
        for col in self.columns.values():
            col.vote_button.disabled = False
        self.tie_button.disabled = False
        self.status.value = f"comparison #{self.last_id} done: which answer is better?"
        self.history_view.value = history_html(self.history)
        return table

    def vote(self, winner: str) -> None:
        """Record the learner's vote for the last comparison (a variant name or TIE)."""
        if self.last is None:
            raise ValueError("nothing to vote on yet: press Generate first")
        self.history.vote(self.last_id, winner)
        verdict = "a tie" if winner == TIE else f"{winner} better"
        self.status.value = f"vote recorded for comparison #{self.last_id}: {verdict}"
        self.summary.value = ("<b>win rates</b><br>"
                              + escape(self.history.win_rate_text()).replace("\n", "<br>"))
        self.history_view.value = history_html(self.history)

    def save(self, directory: str | Path | None = None) -> dict[str, Path]:
        """Write history.json, preferences.jsonl and preferences_ties.jsonl to a folder."""
        folder = repo_path(directory if directory is not None else self.save_dir.value)
        prefs, ties = self.history.save_preferences(folder / "preferences.jsonl")
        paths = {"history": self.history.export_json(folder / "history.json"),
                 "preferences": prefs, "ties": ties}
        shown = ", ".join(display_path(p) for p in paths.values())
        self.status.value = f"saved {len(self.history)} comparisons: {escape(shown)}"
        return paths


def history_html(history: History, last: int = 10) -> str:
    """The newest comparisons as a small table: id, prompt, how each variant stopped, vote."""
    rows = []
    for cid in range(max(0, len(history) - last), len(history))[::-1]:
        table = history.comparisons[cid]
        prompt = " ".join(table.prompt.split())
        stops = ", ".join(f"{r.variant}: {r.stop_label}" for r in table)
        cells = (f"#{cid}", prompt[:60] + ("…" if len(prompt) > 60 else ""), stops,
                 history.votes.get(cid, "–"))
        rows.append("<tr>" + "".join(f"<td style='text-align:left'>{escape(c)}</td>"
                                     for c in cells) + "</tr>")
    head = "<tr><th>#</th><th>prompt</th><th>stopped</th><th>vote</th></tr>"
    return f"<b>history</b><table>{head}{''.join(rows)}</table>" if rows else ""


def _detail(v: Variant) -> str:
    if v.adapter is None:
        return "(adapters off)"
    return "adapter " + (v.adapter if isinstance(v.adapter, str) else " + ".join(v.adapter))
