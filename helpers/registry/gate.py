"""Evaluation gates, promotion, rollback and the audit log.

A run reaches a stage ("candidate", "production") only through a gate: every threshold must
hold (e.g. domain_accuracy >= 0.5) and no gated metric may fall more than its allowed margin
below the current production run's. The checks are kept (metric, value, threshold, verdict,
reason), written to the append-only audit log with who did it and why, and a failed gate
changes no stage. Rollback puts the previous production run back in one call.

    gate = Gate(thresholds={"domain_accuracy": ">=0.5", "refusal_rate": ">=0.8"},
                max_regression={"domain_accuracy": 0.05})
    result = registry.promote("sft-r16", "production", gate, reason="beats r8 on domain")
    print(result.table())            # every check, pass/fail and why
    registry.rollback("production", reason="users report wrong prices")
"""

from __future__ import annotations

import getpass
import math
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.registry._fs import append_jsonl_locked, pause_point, read_jsonl_tolerant
from helpers.registry._table import Table, fmt
from helpers.registry.errors import (
    GateFailedError,
    GateSpecError,
    NothingToRollBackError,
    RegistryError,
    UnknownStageError,
)

if TYPE_CHECKING:
    from helpers.registry.index import Registry

STAGES = ("candidate", "production")  # the named stages a run can be promoted to
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


def check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise UnknownStageError(f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}")
    return stage


def current_user() -> str:
    """Who is acting, for the audit log: $USER / $USERNAME / $LOGNAME, else the login name."""
    for var in ("USER", "USERNAME", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def append_audit(path: Path, action: str, run: str | None, stage: str, *, who: str | None = None,
                 reason: str = "", gate: dict | None = None, **extra: Any) -> dict:
    """Append one audit record (timestamped, flock-protected) and return it."""
    record = {"time": datetime.now(UTC).isoformat(timespec="seconds"),
              "action": action, "run": run, "stage": stage, "who": who or current_user(),
              "reason": reason, "gate": gate, **extra}
    append_jsonl_locked(path, record)
    return record


def read_audit(path: Path) -> list[dict]:
    """Every audit record, oldest first (a torn final line from a killed writer is skipped)."""
    return read_jsonl_tolerant(path)[0]


def _stage_state(index: dict, stage: str) -> dict:
    return index.setdefault("stages", {}).setdefault(stage, {"current": None, "history": []})


def promote(registry: Registry, run_id: str, stage: str, gate: Gate, *, reason: str = "",
            who: str | None = None) -> GateResult:
    """Promote a complete run to `stage` if it passes `gate`; always audited.

    A failed gate leaves the index untouched; the refused attempt is still written to the
    audit log (action "promote_rejected"), because a trail that hides refusals is no trail.
    """
    check_stage(stage)
    with registry.lock():
        index = registry.load_index()
        metrics = registry.require_complete(run_id, index)["metrics"]
        state = _stage_state(index, stage)
        if state["current"] == run_id:
            raise RegistryError(f"run {run_id!r} is already the {stage} run; nothing to do")
        prod = index.get("stages", {}).get("production", {}).get("current")
        baseline = index["runs"][prod]["metrics"] if prod and prod != run_id else None
        result = evaluate_gate(gate, metrics, baseline, run=run_id, stage=stage,
                               baseline_run=prod if baseline is not None else None)
        pause_point("promote_locked")
        previous = state["current"]
        if result.passed:
            state["history"].append(run_id)
            state["current"] = run_id
            registry.save_index(index)
        append_audit(registry.audit_path, "promote" if result.passed else "promote_rejected",
                     run_id, stage, who=who, reason=reason, gate=result.to_dict(),
                     previous=previous)
    return result


def rollback(registry: Registry, stage: str = "production", *, reason: str = "",
             who: str | None = None) -> dict:
    """Make the stage's previous run current again; returns the audit record written."""
    check_stage(stage)
    with registry.lock():
        index = registry.load_index()
        state = _stage_state(index, stage)
        if len(state["history"]) < 2:
            raise NothingToRollBackError(
                f"stage {stage!r} has no earlier run to roll back to (history: "
                f"{state['history'] or 'empty'}); promote another run through a gate instead")
        restored = state["history"][-2]
        registry.require_complete(restored, index)
        removed = state["history"].pop()
        state["current"] = restored
        registry.save_index(index)
        return append_audit(registry.audit_path, "rollback", restored, stage, who=who,
                            reason=reason, previous=removed)
