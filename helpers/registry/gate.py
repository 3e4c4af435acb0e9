"""Evaluation gates: the checks a run's metrics must pass, and their verdicts. Pure: no files.

A gate says what a run must achieve: every threshold must hold (e.g. domain_accuracy >= 0.5)
and no gated metric may fall more than its allowed margin below a baseline's (the current
production run's). evaluate_gate() turns metrics into a GateResult: one Check per rule
(metric, value, threshold, verdict, reason). Acting on the verdict — changing a stage and
writing the audit log — is the registry's job (Registry.promote / Registry.rollback), so a
gate can also be asked "would this pass?" with nothing written.

    gate = Gate(thresholds={"domain_accuracy": ">=0.5", "refusal_rate": ">=0.8"},
                max_regression={"domain_accuracy": 0.05})
    print(evaluate_gate(gate, run.metrics, run="sft-r16").table())   # a dry run
    result = registry.promote("sft-r16", "production", gate, reason="beats r8 on domain")
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from helpers.registry.errors import GateFailedError, GateSpecError
from helpers.tables import Table, fmt

_OPS = {">=": lambda v, t: v >= t, ">": lambda v, t: v > t, "<=": lambda v, t: v <= t,
        "<": lambda v, t: v < t, "==": lambda v, t: v == t}
_THRESHOLD = re.compile(r"^\s*(>=|<=|==|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def parse_threshold(metric: str, spec: str | float) -> tuple[str, float]:
    """">=0.3" → (">=", 0.3); a bare number means ">=" (at least this good)."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return ">=", float(spec)
    match = _THRESHOLD.match(str(spec))
    if not match:
        raise GateSpecError(
            f"gate threshold for {metric!r} is {spec!r}; expected an operator and a number "
            "such as '>=0.3', '<2.5' or '==1' (operators: >=, >, <=, <, ==)")
    return match.group(1), float(match.group(2))


@dataclass
class Gate:
    """What a run must achieve to be promoted."""

    thresholds: dict[str, str | float] = field(default_factory=dict)  # metric → ">=0.3" etc.
    max_regression: dict[str, float] = field(default_factory=dict)  # metric → largest allowed
    #   drop (absolute, in the metric's units) against the current production run
    lower_is_better: tuple[str, ...] = ("eval_loss", "train_loss", "final_eval_loss",
                                        "final_train_loss", "perplexity")  # for regressions:
    #   on these a rise is the regression (a "<"/"<=" threshold also marks a metric so)
    name: str = "gate"  # label written to the audit log, e.g. "prod-v1"

    def __post_init__(self) -> None:
        if not self.thresholds:
            raise GateSpecError("a gate needs at least one threshold, e.g. "
                                "Gate(thresholds={'domain_accuracy': '>=0.5'})")
        for metric, spec in self.thresholds.items():
            parse_threshold(metric, spec)
        for metric, margin in self.max_regression.items():
            if not isinstance(margin, (int, float)) or margin < 0 or math.isnan(margin):
                raise GateSpecError(f"max_regression for {metric!r} is {margin!r}; expected a "
                                    "non-negative number (the largest allowed drop, e.g. 0.05)")

    def lower_better(self, metric: str) -> bool:
        """True when a smaller value of `metric` is the better one."""
        if metric in self.thresholds and parse_threshold(metric, self.thresholds[metric])[0] \
                in ("<", "<="):
            return True
        return metric in self.lower_is_better


@dataclass
class Check:
    """One gate check and its verdict."""

    metric: str  # the metric checked
    kind: str  # "threshold" or "regression"
    value: float | None  # the run's value (None when missing)
    threshold: str  # what was required, e.g. ">=0.5" or ">=0.85 (production 0.9 - 0.05)"
    passed: bool  # did it hold? (skipped checks count as passed)
    reason: str  # one sentence a reviewer can read
    skipped: bool = False  # True when there was nothing to compare with


@dataclass
class GateResult:
    """Every check a gate made for one run, and the overall verdict."""

    run: str  # the run that was gated
    stage: str  # the stage it was to be promoted to
    gate: str  # the gate's name
    baseline_run: str | None  # the production run regressions were measured against
    checks: list[Check]  # every check, thresholds first

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def table(self) -> Table:
        rows = [[c.metric, c.kind, c.value, c.threshold,
                 "skip" if c.skipped else ("pass" if c.passed else "FAIL"), c.reason]
                for c in self.checks]
        return Table(["metric", "check", "value", "required", "result", "reason"], rows)

    def to_dict(self) -> dict:
        return {"run": self.run, "stage": self.stage, "gate": self.gate,
                "baseline_run": self.baseline_run, "passed": self.passed,
                "checks": [asdict(c) for c in self.checks]}

    def raise_for_failure(self) -> GateResult:
        """Raise GateFailedError (listing the failed checks) unless the gate passed."""
        if not self.passed:
            reasons = "; ".join(f"{c.metric}: {c.reason}" for c in self.failures)
            raise GateFailedError(f"run {self.run!r} not promoted to {self.stage!r} by gate "
                                  f"{self.gate!r}: {reasons}", self)
        return self

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else f"FAILED ({len(self.failures)} check(s))"
        return f"gate {self.gate!r} for {self.run!r} → {self.stage}: {verdict}\n{self.table()}"

    def _repr_markdown_(self) -> str:
        verdict = "passed" if self.passed else "**failed**: nothing was changed"
        return (f"Gate `{self.gate}` for `{self.run}` → `{self.stage}`: {verdict}\n\n"
                + self.table().to_markdown())


def lookup(metrics: dict, name: str) -> Any:
    """metrics["a"]["b"] for name "a.b" (nested per-family scores); None when absent."""
    value: Any = metrics
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def _threshold_check(metric: str, spec: str | float, metrics: dict) -> Check:
    op, target = parse_threshold(metric, spec)
    required = f"{op}{fmt(target)}"
    value = _number(lookup(metrics, metric))
    if value is None:
        return Check(metric, "threshold", None, required, False,
                     f"missing from the run's metrics (have: {', '.join(sorted(metrics))})")
    ok = _OPS[op](value, target)
    word = "meets" if ok else "does not meet"
    return Check(metric, "threshold", value, required, ok, f"{fmt(value)} {word} {required}")


def _regression_check(gate: Gate, metric: str, metrics: dict, baseline: dict | None,
                      baseline_run: str | None) -> Check:
    margin = float(gate.max_regression[metric])
    value, lower = _number(lookup(metrics, metric)), gate.lower_better(metric)
    if baseline is None or _number(lookup(baseline, metric)) is None:
        why = ("no production run to compare with" if baseline is None
               else f"production run {baseline_run!r} has no {metric}")
        return Check(metric, "regression", value, f"drop <= {fmt(margin)}", True,
                     f"skipped: {why}", skipped=True)
    base = _number(lookup(baseline, metric))
    bound = base + margin if lower else base - margin
    required = (f"{'<=' if lower else '>='}{fmt(bound)} (production {fmt(base)} "
                f"{'+' if lower else '-'} {fmt(margin)})")
    if value is None:
        return Check(metric, "regression", None, required, False, "missing from the run's metrics")
    ok = value <= bound if lower else value >= bound
    change = value - base
    return Check(metric, "regression", value, required, ok,
                 f"{'+' if change >= 0 else ''}{fmt(change)} vs production {baseline_run!r}"
                 + ("" if ok else f", beyond the allowed {fmt(margin)}"))


def evaluate_gate(gate: Gate, metrics: dict, baseline: dict | None = None, *, run: str = "?",
                  stage: str = "?", baseline_run: str | None = None) -> GateResult:
    """Check `metrics` against the gate's thresholds and (if given) a production baseline."""
    checks = [_threshold_check(m, spec, metrics) for m, spec in gate.thresholds.items()]
    checks += [_regression_check(gate, m, metrics, baseline, baseline_run)
               for m in gate.max_regression]
    return GateResult(run, stage, gate.name, baseline_run, checks)
