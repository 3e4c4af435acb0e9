"""Where the bundled offline world lives, relative to the repository (no machine paths)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
MICRO_MODEL_DIR = DATA_DIR / "models" / "micro-llama"
INSTRUCTIONS_DIR = DATA_DIR / "instructions"
DOMAIN_DIR = DATA_DIR / "domain"
RESULTS_DIR = DATA_DIR / "results"
RUNS_DIR = REPO_ROOT / "runs"  # training outputs (git-ignored): adapters, checkpoints, logs
OUTPUTS_DIR = REPO_ROOT / "outputs"  # executed notebooks from `python -m helpers.course`
