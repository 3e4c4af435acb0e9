"""Tables as text, Markdown and HTML: the one renderer every table of the kit uses.

The kit does not depend on pandas, so its tables (run comparisons, gate checks, PII counts,
drift, experiment results, side-by-side answers) are rows of strings rendered here:

    text_table(["name", "acc"], [["it", "0.61"]])      # aligned, for print()
    markdown_table(...)                                # GitHub Markdown, for Jupyter and READMEs
    html_table(..., caption="prompt: ...")             # escaped HTML, for Jupyter

`Table` is the small columns + rows container built on them. How a value becomes a string
is the caller's choice (`fmt` here: 4 significant digits; evaluate's ResultTable: 3 decimals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any


def fmt(value: Any) -> str:
    """Short display form: floats to 4 significant digits, None as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str]], sep: str = "  ",
               cross: str = "  ", last_free: bool = False) -> str:
    """Columns padded to their widest cell, a dashed rule under the header.

    `sep` goes between cells, `cross` between the rule's dashes. last_free=True leaves the
    last column unpadded (long free text such as an answer) and its rule as wide as its header;
    otherwise trailing spaces are stripped.
    """
    table = [list(columns)] + [list(r) for r in rows]
    padded = len(columns) - 1 if last_free else len(columns)
    widths = [max(len(r[i]) for r in table) for i in range(padded)]
    rule = [("-" * w) for w in widths] + (["-" * len(columns[-1])] if last_free else [])

    def line(cells: list[str], joiner: str) -> str:
        text = joiner.join(c.ljust(w) for c, w in zip(cells, widths))
        return text + joiner + cells[-1] if last_free else text.rstrip()

    lines = [line(r, sep) for r in table]
    lines.insert(1, line(rule, cross))
    return "\n".join(lines)


_RULES = {"l": "---", "r": "---:"}  # Markdown's delimiter row: left (the default) or right


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[str]],
                   align: str | None = None) -> str:
    """GitHub-flavoured Markdown table (| pipes in cells escaped).

    `align`: one letter per column, "l" (left, `---`) or "r" (right, `---:`, for numbers);
    default all left: markdown_table(["split", "n"], rows, align="lr").
    """
    align = align or "l" * len(columns)
    if len(align) != len(columns) or set(align) - set(_RULES):
        raise ValueError(f"align={align!r}: give one of {'/'.join(_RULES)} per column "
                         f"({len(columns)} columns)")
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(_RULES[a] for a in align) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def html_table(columns: Sequence[str], rows: Sequence[Sequence[str]], caption: str | None = None,
               cell_style: str = "") -> str:
    """An HTML table with every header, cell and the caption escaped.

    `cell_style`: attributes for each <td>, e.g. " style='text-align:left'".
    """
    cap = f"<caption>{escape(caption)}</caption>" if caption is not None else ""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td{cell_style}>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass
class Table:
    """Rows of values under named columns: prints as text, renders as Markdown in Jupyter."""

    columns: list[str]  # column headers
    rows: list[list[Any]] = field(default_factory=list)  # one list per row, same length

    def to_dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name (handy for pandas.DataFrame(...))."""
        return [dict(zip(self.columns, row)) for row in self.rows]

    def to_markdown(self) -> str:
        """GitHub-flavoured Markdown table (| pipes in cells escaped)."""
        return markdown_table(self.columns, [[fmt(v) for v in row] for row in self.rows])

    def __str__(self) -> str:
        return text_table(self.columns, [[fmt(v) for v in row] for row in self.rows])

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
