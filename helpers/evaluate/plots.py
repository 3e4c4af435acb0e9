"""Plots of evaluation results: grouped bars per variant per metric, loss curves per variant.

Each function returns the matplotlib Figure (draw more on `fig.axes`, or display it);
`save_png` writes a small PNG (notebooks and the repo keep images under ~150 KB).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from helpers.evaluate.table import Stat

MAX_PNG_BYTES = 150_000  # keep committed images small (DESIGN: no images over ~200 KB)


def _mean_err(cell) -> tuple[float, float]:
    if isinstance(cell, Stat):
        return cell.mean, cell.std
    if isinstance(cell, (int, float)):
        return float(cell), 0.0
    return float("nan"), 0.0  # not measured: no bar


def bar_chart(table: Sequence[Mapping], metrics: Sequence[str], by: str = "variant",
              title: str = "", ylabel: str = "score", labels: Mapping[str, str] | None = None,
              ylim: tuple[float, float] | None = None):
    """Grouped bars: one group per metric, one bar per row (variant), error bars = std.

    `table` is the output of helpers.evaluate.aggregate (Stat cells) or plain rows of numbers.
    Put metrics on one scale in one chart (rates in [0, 1] apart from perplexity); pass
    ylim=(0, 1) for rates so that a small difference is not blown up to the full height.
    """
    import matplotlib.pyplot as plt

    labels = labels or {}
    fig, ax = plt.subplots(figsize=(max(5.0, 1.3 * len(metrics) + 2), 3.4), dpi=80)
    width = 0.8 / max(1, len(table))
    for i, row in enumerate(table):
        means, errs = zip(*(_mean_err(row.get(m)) for m in metrics))
        xs = [j + (i - (len(table) - 1) / 2) * width for j in range(len(metrics))]
        ax.bar(xs, means, width, yerr=errs if any(errs) else None, capsize=2,
               label=str(row.get(by)))
    ax.set_xticks(range(len(metrics)), [labels.get(m, m).replace("_", "\n") for m in metrics],
                  fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, ncol=min(5, len(table)))
    fig.tight_layout()
    return fig


def loss_curves(histories: Mapping[str, Sequence[Sequence[Mapping]]], key: str = "loss",
                title: str = "training loss per variant"):
    """One line per run, one colour per variant: `histories[variant] = [history_seed0, ...]`.

    A history is helpers.train.TrainResult.history (dicts with "step" and `key`). Seeds share
    the variant's colour, so the spread between seeds is visible as a band of lines.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.4), dpi=80)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (variant, runs) in enumerate(histories.items()):
        for j, history in enumerate(runs):
            points = [(h["step"], h[key]) for h in history if key in h]
            if points:
                ax.plot(*zip(*points), color=colours[i % len(colours)], alpha=0.8, lw=1.2,
                        label=variant if j == 0 else None)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def save_png(fig, path: str | Path, max_bytes: int = MAX_PNG_BYTES, close: bool = True) -> Path:
    """Save `fig` as PNG, lowering the resolution until it is under `max_bytes`."""
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for dpi in (100, 80, 60, 45):
        fig.savefig(path, dpi=dpi, format="png")
        if path.stat().st_size <= max_bytes:
            break
    else:
        raise ValueError(f"{path} is {path.stat().st_size} bytes even at 45 dpi (limit {max_bytes}); "
                         "plot fewer series or use a smaller figsize")
    if close:
        plt.close(fig)
    return path
