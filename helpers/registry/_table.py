"""A tiny table (columns + rows) that prints as text and renders as Markdown in Jupyter.

Used for run comparisons, gate checks, PII counts and drift statistics, so the notebooks show
them without pandas (which the kit does not depend on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class Table:
    """Rows of values under named columns."""

    columns: list[str]  # column headers
    rows: list[list[Any]] = field(default_factory=list)  # one list per row, same length

    def to_dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name (handy for pandas.DataFrame(...))."""
        return [dict(zip(self.columns, row)) for row in self.rows]

    def to_markdown(self) -> str:
        """GitHub-flavoured Markdown table (| pipes in cells escaped)."""
        cells = [[fmt(v).replace("|", "\\|") for v in row] for row in self.rows]
        lines = ["| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" for _ in self.columns) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        return "\n".join(lines)

    def __str__(self) -> str:
        cells = [self.columns] + [[fmt(v) for v in row] for row in self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.columns))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
