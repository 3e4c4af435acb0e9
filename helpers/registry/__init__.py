"""helpers.registry: the governance loop around an adapter (notebook 07).

- `Run` (run.py): a run directory — config, data fingerprints, versions, hardware, seed,
  loss history, final metrics, adapter, model card, COMPLETE marker; paths relative.
- `Registry` (index.py): list / find by tag / compare runs; stages; verify and repair.
- `Gate`, `promote`, `rollback` (gate.py): promotion only through an evaluation gate, one-call
  rollback, append-only audit log (who, when, why, every check).
- `write_model_card` (card.py): Hugging Face model card generated from the run's files.
- `pii` (pii.py): scan / redact e-mails, phones, card numbers, IPs and API keys in a dataset.
- `drift` (drift.py): is a new batch of prompts unlike the training data? Re-evaluate if so.

    run = Run.create("registry", "sft-r16", cfg, data={"train": train}, tags=["sft"])
    run.log_training(result); run.save_adapter(model, tok, "sft")
    run.finish({"domain_accuracy": 0.8, "refusal_rate": 0.9})
    reg = Registry("registry")
    reg.promote(run.id, "production", Gate(thresholds={"domain_accuracy": ">=0.5"}))

Importing this package is cheap: torch is imported only to detect hardware or save adapters.
"""

from helpers.registry.card import render_model_card, write_model_card
from helpers.registry.drift import DriftCheck, DriftConfig, DriftReport, check_drift
from helpers.registry.errors import (
    GateFailedError,
    GateSpecError,
    IncompleteRunError,
    NothingToRollBackError,
    RegistryCorruptError,
    RegistryError,
    RunFinishedError,
    RunNotFoundError,
    UnknownStageError,
)
from helpers.registry.gate import STAGES, Check, Gate, GateResult, evaluate_gate, promote, rollback
from helpers.registry.index import Registry
from helpers.registry.pii import Finding, PiiReport, redact, scan
from helpers.registry.run import Run, collect_environment

__all__ = [
    "STAGES", "Check", "DriftCheck", "DriftConfig", "DriftReport", "Finding", "Gate",
    "GateFailedError", "GateResult", "GateSpecError", "IncompleteRunError",
    "NothingToRollBackError", "PiiReport", "Registry", "RegistryCorruptError", "RegistryError",
    "Run", "RunFinishedError", "RunNotFoundError", "UnknownStageError", "check_drift",
    "collect_environment", "evaluate_gate", "promote", "redact", "render_model_card", "rollback",
    "scan", "write_model_card",
]
