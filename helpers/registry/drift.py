"""Drift check: do new prompts still look like the data the model was trained (and gated) on?

A gate's numbers hold for prompts like the evaluation set. When production traffic moves away
from the training data — longer prompts, new words, a different mix of tasks — those numbers
say little, and the model should be re-evaluated on the new kind of prompt. check_drift()
compares a batch of prompts with the training data on three axes, each with a threshold:

- length (words per prompt): population stability index (PSI) over training-length quantile
  bins, and the two-sample Kolmogorov–Smirnov statistic (largest gap between the CDFs);
- vocabulary: out-of-vocabulary rate of the batch's words, and the Jensen–Shannon divergence
  between the two word-frequency distributions;
- task mix: Jensen–Shannon divergence of a label's distribution (family / topic / kind) and the
  share of the batch whose label never occurs in training (only when both sides have labels).

Any flagged statistic → `report.reevaluate` is True, with the reasons listed.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from helpers.tables import Table, fmt

LABEL_KEYS = ("family", "topic", "kind")  # tried in order when label_key is None
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass
class DriftConfig:
    """Thresholds for check_drift (defaults calibrated on the bundled data; see the tests)."""

    # Thresholds are effect sizes, not significance tests: with enough prompts any difference
    # is "significant", but only a large one says the gate's numbers may no longer hold. The
    # bundled domain test set differs from domain train by ~1.5 words per prompt (train also
    # has greeting-wrapped variants): length PSI 0.54, KS 0.31, OOV 0.14, word JSD 0.28 — the
    # set the model was gated on, so it must not be flagged. Instruction-suite prompts give
    # OOV 0.50 / JSD 0.71; prompts with a 60-word preamble give PSI 6.3 / KS 1.0.
    psi_threshold: float = 1.0  # length PSI; the scorecard rule "0.25 = major" is for large
    #                             populations of continuous scores, too strict for word counts
    ks_threshold: float = 0.5  # length KS: largest gap between the two length CDFs (0–1)
    oov_threshold: float = 0.25  # share of batch words never seen in training
    vocab_jsd_threshold: float = 0.5  # JSD (bits, 0–1) of word frequencies; a 30-prompt
    #                                   sample of the same distribution alone gives ~0.35
    label_jsd_threshold: float = 0.15  # JSD (bits) of the label mix
    unseen_label_threshold: float = 0.10  # share of batch prompts whose label is new
    label_key: str | None = None  # label to compare; None = first of LABEL_KEYS on both sides
    bins: int = 5  # quantile bins of training lengths for the PSI (few bins: less noise)
    min_batch: int = 20  # below this many prompts the statistics are noted as unreliable


@dataclass
class DriftCheck:
    """One statistic, its threshold and whether it flags drift."""

    name: str  # e.g. "length_psi"
    value: float | None  # the statistic (None when it could not be computed)
    threshold: float | None  # flagged when value > threshold
    flagged: bool  # does this statistic say "drift"?
    detail: str  # what it means, in a sentence


@dataclass
class DriftReport:
    """Every drift statistic, descriptive numbers, and the overall recommendation."""

    checks: list[DriftCheck]  # the thresholded statistics
    stats: dict = field(default_factory=dict)  # lengths, sizes, label mixes (descriptive)
    notes: list[str] = field(default_factory=list)  # caveats (small batch, no labels)

    @property
    def reevaluate(self) -> bool:
        """Re-run the evaluation on prompts like these before trusting the gate's numbers."""
        return any(c.flagged for c in self.checks)

    @property
    def reasons(self) -> list[str]:
        return [f"{c.name} = {fmt(c.value)} > {fmt(c.threshold)}: {c.detail}"
                for c in self.checks if c.flagged]

    def table(self) -> Table:
        return Table(["statistic", "value", "threshold", "drift?", "meaning"],
                     [[c.name, c.value, c.threshold, c.flagged, c.detail] for c in self.checks])

    def to_dict(self) -> dict:
        return {"reevaluate": self.reevaluate, "reasons": self.reasons,
                "checks": [asdict(c) for c in self.checks], "stats": self.stats,
                "notes": self.notes}

    def __str__(self) -> str:
        verdict = "RE-EVALUATE: " + "; ".join(self.reasons) if self.reevaluate else \
            "no drift flagged"
        return f"{verdict}\n{self.table()}" + "".join(f"\nnote: {n}" for n in self.notes)

    def _repr_markdown_(self) -> str:
        head = "**Re-evaluate**" if self.reevaluate else "No drift flagged"
        return f"{head}\n\n{self.table().to_markdown()}"


def prompt_of(record: Any, index: int = 0) -> str:
    """The prompt text: user turns of a messages record, prompt/instruction(+input), or a str."""
    if isinstance(record, str):
        return record
    if isinstance(record, dict):
        if isinstance(record.get("messages"), list):
            return "\n".join(m.get("content", "") for m in record["messages"]
                             if isinstance(m, dict) and m.get("role") == "user")
        for key in ("prompt", "instruction", "text", "question"):
            if isinstance(record.get(key), str):
                extra = record.get("input") if key == "instruction" else None
                return record[key] + (f"\n{extra}" if isinstance(extra, str) and extra else "")
    raise ValueError(f"record {index} has no prompt: expected a string, a 'messages' list with "
                     "user turns, or a 'prompt'/'instruction'/'text'/'question' field")


def words(text: str) -> list[str]:
    """Lower-cased word tokens (tokenizer-independent, so any model's data compares)."""
    return _WORD.findall(text.lower())


def psi(expected: list[float], actual: list[float], bins: int = 10) -> float:
    """Population stability index of `actual` against `expected`, on expected's quantiles."""
    ordered = sorted(expected)
    edges = sorted({ordered[int(len(ordered) * q / bins)] for q in range(1, bins)})
    def shares(values: list[float]) -> list[float]:
        counts = Counter(bisect.bisect_right(edges, v) for v in values)
        return [max(counts.get(b, 0) / len(values), 1e-4) for b in range(len(edges) + 1)]
    return sum((a - e) * math.log(a / e) for e, a in zip(shares(expected), shares(actual)))


def ks_statistic(a: list[float], b: list[float]) -> float:
    """Two-sample Kolmogorov–Smirnov statistic: largest gap between the two empirical CDFs."""
    a, b = sorted(a), sorted(b)
    return max(abs(bisect.bisect_right(a, x) / len(a) - bisect.bisect_right(b, x) / len(b))
               for x in set(a) | set(b))


def js_divergence(p: Counter, q: Counter) -> float:
    """Jensen–Shannon divergence in bits (0 = same distribution, 1 = disjoint)."""
    sp, sq = sum(p.values()), sum(q.values())
    total = 0.0
    for key in set(p) | set(q):
        a, b = p.get(key, 0) / sp, q.get(key, 0) / sq
        m = (a + b) / 2
        total += (a * math.log2(a / m) if a else 0) + (b * math.log2(b / m) if b else 0)
    return total / 2


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = {f"p{q}": ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]
            for q in (10, 50, 90)}
    return {"mean": sum(ordered) / len(ordered), **pick}


def _length_checks(train: list[list[str]], batch: list[list[str]], cfg: DriftConfig,
                   stats: dict) -> list[DriftCheck]:
    a, b = [len(w) for w in train], [len(w) for w in batch]
    stats["length_words"] = {"train": quantiles(a), "batch": quantiles(b)}
    value, ks = psi(a, b, cfg.bins), ks_statistic(a, b)
    return [DriftCheck("length_psi", value, cfg.psi_threshold, value > cfg.psi_threshold,
                       "shift of prompt lengths across training-length quantile bins"),
            DriftCheck("length_ks", ks, cfg.ks_threshold, ks > cfg.ks_threshold,
                       "largest gap between the prompt-length CDFs")]


def _vocab_checks(train: list[list[str]], batch: list[list[str]], cfg: DriftConfig,
                  stats: dict) -> list[DriftCheck]:
    tf, bf = Counter(w for ws in train for w in ws), Counter(w for ws in batch for w in ws)
    if not bf:
        return [DriftCheck("oov_rate", None, cfg.oov_threshold, True, "the batch has no words")]
    oov = sum(n for w, n in bf.items() if w not in tf) / sum(bf.values())
    jsd = js_divergence(tf, bf)
    stats["vocabulary"] = {"train_words": len(tf), "batch_words": len(bf),
                           "new_words": sorted(w for w in bf if w not in tf)[:20]}
    return [DriftCheck("oov_rate", oov, cfg.oov_threshold, oov > cfg.oov_threshold,
                       "share of batch words never seen in training"),
            DriftCheck("vocab_jsd", jsd, cfg.vocab_jsd_threshold, jsd > cfg.vocab_jsd_threshold,
                       "difference of the word-frequency distributions")]


def _label_key(train: list, batch: list, cfg: DriftConfig) -> str | None:
    keys = (cfg.label_key,) if cfg.label_key else LABEL_KEYS
    def has(records: list, key: str) -> bool:
        return bool(records) and all(isinstance(r, dict) and key in r for r in records)
    return next((k for k in keys if has(train, k) and has(batch, k)), None)


def _label_checks(train: list, batch: list, cfg: DriftConfig, stats: dict,
                  notes: list[str]) -> list[DriftCheck]:
    key = _label_key(train, batch, cfg)
    if key is None:
        notes.append("task mix not compared: no label (" + ", ".join(
            (cfg.label_key,) if cfg.label_key else LABEL_KEYS) + ") on every record of both sides")
        return []
    tl, bl = Counter(str(r[key]) for r in train), Counter(str(r[key]) for r in batch)
    unseen = sum(n for label, n in bl.items() if label not in tl) / sum(bl.values())
    jsd = js_divergence(tl, bl)
    stats["label_mix"] = {"key": key, "train": dict(tl.most_common()),
                          "batch": dict(bl.most_common())}
    return [DriftCheck("label_jsd", jsd, cfg.label_jsd_threshold, jsd > cfg.label_jsd_threshold,
                       f"difference of the {key!r} mix"),
            DriftCheck("unseen_label_rate", unseen, cfg.unseen_label_threshold,
                       unseen > cfg.unseen_label_threshold,
                       f"share of batch prompts whose {key!r} never occurs in training")]


def check_drift(train_records: Any, batch: Any, config: DriftConfig | None = None) -> DriftReport:
    """Compare a batch of prompts (records or strings) with the training records."""
    cfg = config or DriftConfig()
    train_records, batch = list(train_records), list(batch)
    if not train_records or not batch:
        raise ValueError(f"check_drift needs records on both sides (training: "
                         f"{len(train_records)}, batch: {len(batch)})")
    tw = [words(prompt_of(r, i)) for i, r in enumerate(train_records)]
    bw = [words(prompt_of(r, i)) for i, r in enumerate(batch)]
    stats: dict = {"train_prompts": len(tw), "batch_prompts": len(bw)}
    notes = [] if len(bw) >= cfg.min_batch else [
        f"only {len(bw)} prompts in the batch (< {cfg.min_batch}): statistics are noisy"]
    checks = _length_checks(tw, bw, cfg, stats) + _vocab_checks(tw, bw, cfg, stats)
    checks += _label_checks(train_records, batch, cfg, stats, notes)
    return DriftReport(checks, stats, notes)
