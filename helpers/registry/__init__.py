"""helpers.registry: the governance loop around an adapter (notebook 07).

- `Run` (run_dir.py): a run directory — config, data fingerprints, versions, hardware, seed,
  loss history, final metrics, adapter, model card, COMPLETE marker; paths relative.
- `Registry` (index.py): list / find by tag / compare runs; verify and repair; the stages,
  changed only by `Registry.promote` (through a gate) and `Registry.rollback` (one call), each
  written to the append-only audit log (audit.py: who, when, why, every check).
- `Gate`, `evaluate_gate` (gate.py): the checks and their verdicts, pure (writes nothing).
- `write_model_card` (model_card.py): Hugging Face model card generated from the run's files.
- `pii` (pii.py): scan / redact e-mails, phones, card numbers, IPs and API keys in a dataset.
- `drift` (drift.py): is a new batch of prompts unlike the training data? Re-evaluate if so.

    run = Run.create("registry", "sft-r16", cfg, data={"train": train}, tags=["sft"])
    run.log_training(result); run.save_adapter(model, tok, "sft")
    run.finish({"domain_accuracy": 0.8, "refusal_rate": 0.9})
    reg = Registry("registry")
    reg.promote(run.id, "production", Gate(thresholds={"domain_accuracy": ">=0.5"}))

Importing this package is cheap: torch is imported only to detect hardware or save adapters.
"""

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
from helpers.registry.gate import Check, Gate, GateResult, evaluate_gate
from helpers.registry.index import STAGES, Registry
from helpers.registry.model_card import render_model_card, write_model_card
from helpers.registry.pii import Finding, PiiReport, redact, scan
from helpers.registry.run_dir import Run, collect_environment

__all__ = [
    "STAGES", "Check", "DriftCheck", "DriftConfig", "DriftReport", "Finding", "Gate",
    "GateFailedError", "GateResult", "GateSpecError", "IncompleteRunError",
    "NothingToRollBackError", "PiiReport", "Registry", "RegistryCorruptError", "RegistryError",
    "Run", "RunFinishedError", "RunNotFoundError", "UnknownStageError", "check_drift",
    "collect_environment", "evaluate_gate", "redact", "render_model_card", "scan",
    "write_model_card",
]
