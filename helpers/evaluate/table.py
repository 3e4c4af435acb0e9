"""Results as a tidy table: one dict per row, aligned text in a terminal, HTML in Jupyter.

    rows = [{"variant": "it", "seed": 0, "seen_accuracy": 0.61}, ...]   # one row per run
    table = aggregate(rows, by="variant")   # one row per variant, cells are Stat(mean, std, ...)
    print(table)                            # seen_accuracy  0.600 ± 0.014 ...

The spread is the sample standard deviation over seeds (ddof=1) and min–max is kept too:
with 3 seeds both are rough, which is the honest thing to show.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from helpers.tables import html_table, text_table


@dataclass(frozen=True)
class Stat:
    """A metric summarised over seeds."""

    mean: float  # arithmetic mean over seeds
    std: float  # sample standard deviation (ddof=1); 0.0 with a single seed
    min: float  # smallest value over seeds
    max: float  # largest value over seeds
    n: int  # number of seeds that had a value

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        """Summarise values (at least one)."""
        n = len(values)
        mean = sum(values) / n
        var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
        return cls(mean=mean, std=math.sqrt(var), min=min(values), max=max(values), n=n)

    def __str__(self) -> str:
        return f"{_fmt(self.mean)} ± {_fmt(self.std)}" if self.n > 1 else _fmt(self.mean)

    def to_dict(self) -> dict:
        return asdict(self)


STAT_FIELDS = ("mean", "std", "min", "max")  # the columns a Stat becomes in flat()/CSV


def _fmt(value) -> str:
    if isinstance(value, bool) or value is None:
        return "–" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


class ResultTable(list):
    """A list of row dicts that prints as an aligned table and renders as HTML in Jupyter."""

    def columns(self) -> list[str]:
        """Column names in first-seen order over all rows."""
        seen: dict[str, None] = {}
        for row in self:
            seen.update(dict.fromkeys(row))
        return list(seen)

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        cols = self.columns()
        return cols, [[_fmt(r.get(c)) if not isinstance(r.get(c), Stat) else str(r[c])
                       for c in cols] for r in self]

    def __str__(self) -> str:
        return text_table(*self._cells())

    def _repr_html_(self) -> str:
        return html_table(*self._cells())

    def flat(self) -> list[dict]:
        """Rows with each Stat cell split into name_mean / name_std / name_min / name_max."""
        stat_cols = {k for row in self for k, v in row.items() if isinstance(v, Stat)}
        out = []
        for row in self:
            flat: dict = {}
            for key, value in row.items():
                if key in stat_cols:  # a metric nobody measured in this row: empty cells
                    stat = value.to_dict() if isinstance(value, Stat) else dict.fromkeys(STAT_FIELDS)
                    flat.update({f"{key}_{k}": stat[k] for k in STAT_FIELDS})
                else:
                    flat[key] = value
            out.append(flat)
        return out

    def to_csv(self, path: str | Path) -> Path:
        """Write the flat rows as CSV (one column per metric statistic)."""
        flat = ResultTable(self.flat())
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=flat.columns())
            writer.writeheader()
            writer.writerows(flat)
        return path


def numeric_keys(rows: Iterable[Mapping]) -> list[str]:
    """Keys whose values are numbers (not bools) in at least one row, first-seen order."""
    keys: dict[str, None] = {}
    for row in rows:
        keys.update({k: None for k, v in row.items()
                     if isinstance(v, (int, float)) and not isinstance(v, bool)})
    return list(keys)


def aggregate(rows: Sequence[Mapping], by: str = "variant", metrics: Sequence[str] | None = None,
              skip: Sequence[str] = ("seed",)) -> ResultTable:
    """One row per value of `by` (in first-seen order), each metric summarised as a Stat.

    `metrics` defaults to every numeric column except `skip`; None values (metric not
    measurable for that run) are left out of the summary rather than counted as zero.
    """
    metrics = [m for m in (metrics or numeric_keys(rows)) if m not in skip and m != by]
    groups: dict = {}
    for row in rows:
        if by not in row:
            raise KeyError(f"aggregate: a row has no {by!r} column (columns: {sorted(row)})")
        groups.setdefault(row[by], []).append(row)
    table = ResultTable()
    for key, members in groups.items():
        out: dict = {by: key, "seeds": len(members)}
        for m in metrics:
            values = [r[m] for r in members if isinstance(r.get(m), (int, float))]
            out[m] = Stat.of(values) if values else None
        table.append(out)
    return table
